"""Waiting is not failing: an email that must wait gets its turn recorded and comes back then, at no receive cost.

The send use case asks ``MailboxTurns`` two things. Before any Gmail call, ``await_turn``: may this mailbox send
now? On a first receive any later turn is a wait (the batch's other messages must be recorded, visible, at once);
an email back at its reserved turn waits in the worker for a turn at most ``INLINE_WAIT_S`` away. Right before the
claim and the send (after a due token refresh, so nothing slow sits between the stamp and the call), ``take``: the
slot is stamped in the pace item by a conditional write, so two workers never send closer than the gap nor faster
than Gmail's rate; a near miss (another worker sent a moment ago) is again waited for in the worker.

A wait reserves the email its own slot (the cursor hands out distinct ones, so a burst spreads out and each email
comes back once), records ``EMAIL_READY`` with ``not_before`` and the reason on the email, and raises
``RetryLaterError``: the queue intake then sends the same body again with that delay and acknowledges this delivery,
so the wait never uses up the queue's receives that detect poison messages. A wait decided from a fresh read also
hands the message a ticket (sending/tickets.py), so that at its turn the email needs no read: the claim's write then
checks the ticket's premises, and a premise that no longer holds raises ``StaleContextError`` (read afresh).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.ledger import ClaimResult
from gmail_integration.models.pacing import PaceState, WaitReason
from gmail_integration.models.send_context import SendContext
from gmail_integration.models.turn_ticket import Premises, StaleContextError
from gmail_integration.observability import count, logger
from gmail_integration.sending.pacing import INLINE_WAIT_S, PacePolicy, Turn, epoch, free_at, turn_for_new
from gmail_integration.sending.ports import EmailLedger, MailboxPace, TurnBook
from gmail_integration.sending.retry import RetryLaterError
from gmail_integration.sending.tickets import ticket_for

_TAKE_ATTEMPTS = 3


@dataclass(frozen=True)
class MailboxTurns:
    pace: MailboxPace
    ledger: EmailLedger
    clock: Callable[[], datetime]
    book: TurnBook
    """The pace item and the email's item moved in one write (dal/turns.py)."""
    default_gap_s: float = 0.0
    default_max_per_hour: int = 0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def policy(self, state: PaceState) -> PacePolicy:
        return PacePolicy.of(state, self.default_gap_s, self.default_max_per_hour)

    def await_turn(self, command: SendEmailV1, context: SendContext, digest: str, slot: float | None) -> None:
        """Returns when the mailbox may send now; otherwise records the wait and raises ``RetryLaterError``.

        ``slot``: the turn this message was handed by an earlier wait. Holding one, the email does not queue behind
        the later reservations again; it only waits for the mailbox to be free.
        """
        state = context.pace
        policy = self.policy(state)
        now = epoch(self.clock())
        throttled = context.connection.throttled_until if context.connection else None
        if slot is None:
            # A first receive never sleeps: the rest of the batch must get its record (visible) and its slot now.
            turn = turn_for_new(state, policy, now, throttled)
            if turn.at > now:
                # The wait's slot comes after every reservation (the book takes the cursor into account), at or
                # after the moment this mailbox alone would be free.
                own = turn_for_new(replace(state, next_slot=None), policy, now, throttled)
                reason = turn.reason or WaitReason.MAILBOX_PACE
                ticket = ticket_for(command, context)
                self.wait(command, digest, own.at, reason, state, policy, ticket, context.premises)
            return
        free = free_at(state, policy, now, throttled)
        turn = free if free.at >= slot else Turn(slot, free.reason)
        self._wait_or_sleep(command, digest, turn, state, policy, now, ticket_for(command, context), context.premises)

    def take(self, command: SendEmailV1, context: SendContext, digest: str) -> None:
        """Stamps this send in the pace item, or waits: in the worker when close, else as a recorded wait."""
        state = context.pace
        policy = self.policy(state)
        for _ in range(_TAKE_ATTEMPTS):
            now = epoch(self.clock())
            taken, state = self.pace.take(command.workspace_id, now, policy.gap, policy.max_per_hour, state)
            if taken:
                return
            count("PaceSlotsMissed")
            turn = free_at(state, policy, now)
            self._wait_or_sleep(command, digest, turn, state, policy, now)
        turn = free_at(state, policy, epoch(self.clock()))
        self.wait(command, digest, turn.at, turn.reason or WaitReason.MAILBOX_PACE, state, policy)

    def take_and_claim(  # noqa: RET503 (the last wait raises)
        self,
        command: SendEmailV1,
        context: SendContext,
        digest: str,
        claim: tuple[timedelta, str | None, str],
        claim_apart: Callable[[], ClaimResult],
        *,
        first: bool = False,
    ) -> ClaimResult:
        """``take`` and the ledger's claim in one write; when the email changed since the context read (the one-write
        claim is guarded on it), the two writes apart: ``take``, then ``claim_apart``. ``claim``: (lease, send
        cursor, proposed Message-ID). A context built without a read whose premises no longer hold raises
        ``StaleContextError``. ``first``: a first receive, whose missed slot is a recorded wait, never a sleep."""
        state = context.pace
        policy = self.policy(state)
        ticket = ticket_for(command, context)
        for _ in range(_TAKE_ATTEMPTS):
            moment = self.clock()
            now = epoch(moment)
            pace = (policy.gap, policy.max_per_hour, state)
            taken = self.book.take_and_claim(command, digest, moment, pace, context.email, claim, context.premises)
            if taken.claim is not None:
                return taken.claim
            if taken.stale:
                raise StaleContextError("the mailbox, the thread or the email changed while the email waited")
            if taken.pace is None:
                if context.premises is not None:
                    raise StaleContextError("the email changed while it waited")
                count("ClaimsApart")
                self.take(command, replace(context, pace=state), digest)
                return claim_apart()
            state = taken.pace
            policy = self.policy(state)  # a failed take answers the pace item as it stands, settings included
            count("PaceSlotsMissed")
            turn = free_at(state, policy, now)
            if first and turn.at > now:
                reason = turn.reason or WaitReason.MAILBOX_PACE
                self.wait(command, digest, turn.at, reason, state, policy, ticket, context.premises)
            self._wait_or_sleep(command, digest, turn, state, policy, now, ticket, context.premises)
        turn = free_at(state, policy, epoch(self.clock()))
        reason = turn.reason or WaitReason.MAILBOX_PACE
        self.wait(command, digest, turn.at, reason, state, policy, ticket, context.premises)

    def _wait_or_sleep(
        self,
        command: SendEmailV1,
        digest: str,
        turn: Turn,
        state: PaceState,
        policy: PacePolicy,
        now: float,
        ticket: str | None = None,
        premises: Premises | None = None,
    ) -> None:
        if turn.at <= now:
            return
        if turn.at - now <= INLINE_WAIT_S:
            self.sleep(turn.at - now)
            return
        if turn.reason in (None, WaitReason.MAILBOX_PACE) and premises is None:
            # Back at its own turn and a little late for it (another send came late): it keeps its place in line,
            # right after that send, instead of queueing behind every slot handed out since. (Without a read, the
            # wait goes through the checked write below instead: nothing unchecked is written on a ticket.)
            self.record(command, digest, turn.at, WaitReason.MAILBOX_PACE, ticket)
        self.wait(command, digest, turn.at, turn.reason or WaitReason.MAILBOX_PACE, state, policy, ticket, premises)

    def wait(
        self,
        command: SendEmailV1,
        digest: str,
        earliest: float,
        reason: WaitReason,
        state: PaceState | None = None,
        policy: PacePolicy | None = None,
        ticket: str | None = None,
        premises: Premises | None = None,
    ) -> NoReturn:
        """Reserves the email a slot at or after ``earliest``, records the wait and hands the message back (with
        ``ticket``, from ``ticket_for``, when its turn may skip the read). ``premises``: those of a context built
        without a read, checked in the same write."""
        policy = policy or self.policy(state or PaceState())
        now = self.clock()
        slot, recorded = self.book.book_wait(
            command, digest, earliest, policy.step(), state or PaceState(), now, reason, premises
        )
        self._hand_back(now, slot, reason, recorded, ticket)

    def record(
        self, command: SendEmailV1, digest: str, until: float, reason: WaitReason, ticket: str | None = None
    ) -> NoReturn:
        """Shows the wait on the email (when it is still new or waiting) and hands the message back until then."""
        now = self.clock()
        recorded = self.ledger.record_wait(command, now, datetime.fromtimestamp(until, UTC), reason, digest)
        self._hand_back(now, until, reason, recorded, ticket)

    def _hand_back(
        self, now: datetime, until: float, reason: WaitReason, recorded: bool, ticket: str | None
    ) -> NoReturn:
        count("EmailsWaiting", reason=reason.value)
        logger.info("email waits its turn", extra={"reason": reason.value, "until": until, "recorded": recorded})
        # Only a recorded wait leaves the email as the ticket assumes it (waiting, nothing else on it).
        raise RetryLaterError(reason.value, max(0.0, until - epoch(now)), ticket if recorded else None)
