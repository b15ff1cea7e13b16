"""One mailbox's sending pace, as read from its pace item and as a workspace or the stack configures it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

HOUR_S = 3600

GMAIL_PAIR_WINDOW_S = 0.9
"""Gmail's per-user quota is 250 units a second, a moving average that allows short bursts, and a send costs 100. The
pace item lets at most two sends into any 0.9 s (every send's predecessor but one is at least that old): 2.2 sends
a second at most, with a tenth of the quota left to the thread checks and polls of the same mailbox, and two sends
close together allowed, as Gmail allows them. A minimum gap between any two sends would turn every late send into a
missed slot for the next one."""


def window_of(at: float) -> int:
    """The fixed clock hour the hourly cap counts in (hours since the epoch)."""
    return math.floor(at / HOUR_S)


class WaitReason(StrEnum):
    """Why an email waits in Email Ready with a ``not_before``: it is not parked, its message comes back by itself."""

    MAILBOX_PACE = "mailbox_pace"
    HOURLY_LIMIT = "hourly_limit"
    GMAIL_RATE_LIMIT = "gmail_rate_limit"
    EARLIER_EMAIL_NOT_SENT = "earlier_email_not_sent"
    IN_LINE = "in_line"
    """Taken from the queue by a worker that had no time left for it: back on the queue at once."""


@dataclass(frozen=True)
class PaceState:
    """The mailbox's pace item: the reservation cursor, the last slot taken and the current hour's count.

    Times are epoch seconds (floats): DynamoDB conditions compare them as numbers. A workspace's own setting
    (``PUT /internal/workspaces/{id}/sending``) overrides the stack's default when it is not None.
    """

    next_slot: float | None = None
    last_send: float | None = None
    prev_send: float | None = None
    """The send before ``last_send`` (Gmail's pair rule, ``GMAIL_PAIR_WINDOW_S``)."""
    window: int | None = None
    sent_in_window: int = 0
    min_gap_s: float | None = None
    max_per_hour: int | None = None


@dataclass(frozen=True)
class PaceSettings:
    """A workspace's override of the stack's pace; a field left None keeps what it was."""

    min_gap_s: float | None = None
    max_per_hour: int | None = None
