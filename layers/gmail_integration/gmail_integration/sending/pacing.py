"""The pacing arithmetic: when a mailbox may send next, and the slot each waiting email is handed.

One rule for every wait of a mailbox (our gap, the hourly cap, Gmail's per-user rate and its 429s): the mailbox has
a time before which it must not send (``free_at``), and a reservation cursor (``next_slot``) that hands each waiting
email its own later slot, spaced by one ``step``. A burst therefore spreads over distinct slots and each email comes
back once, at its turn. The slot itself is only taken just before the Gmail call, by a conditional write on the pace
item (the workspace's gap since the last send, Gmail's pair rule, this hour's count under the cap), so concurrent
workers never send closer than the gap even when a delayed message comes back late; this module only computes,
dal/pacing.py writes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime

from gmail_integration.models.pacing import GMAIL_PAIR_WINDOW_S, HOUR_S, PaceState, WaitReason

GMAIL_SEND_INTERVAL_S = GMAIL_PAIR_WINDOW_S / 2
"""Gmail's per-user quota is 250 units a second and a send costs 100: 2.5 sends a second at most. Reserving slots
0.45 s apart (plus the slack) on average leaves about a tenth of the quota to the thread checks and polls of the same
mailbox, so a burst never meets a 429 at all; the take enforces it as the pair rule (models/pacing.py)."""

JITTER = 0.3
"""The gap is lengthened by up to this fraction, never shortened, so the rhythm is not machine-regular."""

TURN_SLACK_S = 0.05
"""Reserved slots sit this much further apart than the gap the take enforces. A returning email sleeps to its exact
slot; with no slack, a send a few milliseconds late would make the next one miss its slot by as much and pay a second
write (the 100-email burst measured a miss on one email in six)."""

INLINE_WAIT_S = 1.0
"""A slot this close is waited for in the worker (a sleep) rather than by sending the message round SQS again:
SQS delays count in whole seconds. Longer sleeps would hold up the rest of the batch (the function's time budget
covers one Gmail call after each record), so anything later is a wait."""


def epoch(moment: datetime) -> float:
    return moment.timestamp()


@dataclass(frozen=True)
class PacePolicy:
    """A mailbox's pace: ``min_gap_s`` between two sends (0 turns it off), at most ``max_per_hour`` (0: no cap)."""

    min_gap_s: float
    max_per_hour: int

    @classmethod
    def of(cls, state: PaceState, default_gap_s: float, default_max_per_hour: int) -> PacePolicy:
        gap = state.min_gap_s if state.min_gap_s is not None else default_gap_s
        cap = state.max_per_hour if state.max_per_hour is not None else default_max_per_hour
        return cls(min_gap_s=max(0.0, gap), max_per_hour=max(0, cap))

    @property
    def gap(self) -> float:
        """The workspace's shortest time between two sends, which the take enforces (0: only Gmail's pair rule)."""
        return self.min_gap_s

    @property
    def even_spacing(self) -> float:
        """Spacing the reservations at least an hour / cap apart keeps any hour within the cap by construction."""
        return HOUR_S / self.max_per_hour if self.max_per_hour else 0.0

    def step(self, rng: random.Random | None = None) -> float:
        """How far apart two reserved slots are: the gap stretched by the jitter, never under Gmail's rate."""
        draw = (rng or random).uniform(0.0, JITTER)
        return max(max(self.min_gap_s * (1 + draw), GMAIL_SEND_INTERVAL_S) + TURN_SLACK_S, self.even_spacing)


@dataclass(frozen=True)
class Turn:
    """When an email may be sent and, if later than now, why it waits."""

    at: float
    reason: WaitReason | None


def free_at(state: PaceState, policy: PacePolicy, now: float, throttled_until: datetime | None = None) -> Turn:
    """The earliest moment the mailbox may send again, reservations aside."""
    at, reason = now, None
    if policy.gap and state.last_send is not None and state.last_send + policy.gap > at:
        at, reason = state.last_send + policy.gap, WaitReason.MAILBOX_PACE
    if state.prev_send is not None and state.prev_send + GMAIL_PAIR_WINDOW_S > at:
        at, reason = state.prev_send + GMAIL_PAIR_WINDOW_S, WaitReason.MAILBOX_PACE
    if policy.max_per_hour and state.window is not None and state.sent_in_window >= policy.max_per_hour:
        next_window = (state.window + 1) * HOUR_S
        if next_window > at:
            at, reason = float(next_window), WaitReason.HOURLY_LIMIT
    if throttled_until is not None and epoch(throttled_until) > at:
        at, reason = epoch(throttled_until), WaitReason.GMAIL_RATE_LIMIT
    return Turn(at, reason)


def turn_for_new(state: PaceState, policy: PacePolicy, now: float, throttled_until: datetime | None = None) -> Turn:
    """A newly arrived email queues behind the slots already handed out, and behind a send of the last
    ``GMAIL_SEND_INTERVAL_S``: the pair rule lets a late email catch up at its turn, not a burst skip its line."""
    turn = free_at(state, policy, now, throttled_until)
    if state.last_send is not None and state.last_send + GMAIL_SEND_INTERVAL_S > turn.at:
        turn = Turn(state.last_send + GMAIL_SEND_INTERVAL_S, turn.reason or WaitReason.MAILBOX_PACE)
    if state.next_slot is not None and state.next_slot > turn.at:
        return Turn(state.next_slot, turn.reason or WaitReason.MAILBOX_PACE)
    return turn


def sqs_delay_s(until: float, now: float, longest_s: int = 900) -> int:
    """Whole seconds for DelaySeconds, rounded down, at most SQS's 15 minutes; longer waits chain. The message is
    back within the second before its turn and the worker sleeps the rest (``INLINE_WAIT_S``), so it takes its slot
    on time: rounded up, it came back up to a second late, and a late send pushes every slot after it."""
    return max(0, min(longest_s, math.floor(until - now)))
