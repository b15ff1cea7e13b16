"""Both fakes moved together, as dal/turns.py moves both items in one transaction; tests/unit/contracts agrees."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailRecord, EmailStatus
from gmail_integration.models.ledger import TakenClaim
from gmail_integration.models.pacing import PaceState, WaitReason
from gmail_integration.models.turn_ticket import Premises, StaleContextError
from tests.unit.fake_ledger import FakeEmailLedger
from tests.unit.fake_pace import FakeMailboxPace


@dataclass
class FakeTurnBook:
    """Implements TurnBook over the pace and ledger fakes; all or nothing, like the transaction."""

    pace: FakeMailboxPace
    ledger: FakeEmailLedger
    premises_hold: Callable[[SendEmailV1, Premises], bool] | None = None
    """Whether a context's premises still hold (the send tests' world); unset, every premise holds."""
    transactions: int = 0

    def book_wait(
        self,
        command: SendEmailV1,
        payload_hash: str,
        earliest: float,
        step: float,
        seen: PaceState,
        now: datetime,
        reason: WaitReason,
        premises: Premises | None = None,
    ) -> tuple[float, bool]:
        self.transactions += 1
        existing = self.ledger.emails.get(command.activity_id)
        waiting = existing is None or (existing.status is EmailStatus.EMAIL_READY and existing.reason is None)
        if premises is not None:
            same_payload = existing is None or existing.payload_hash in (None, payload_hash)
            held = self.premises_hold is None or self.premises_hold(command, premises)
            if not (waiting and same_payload and held):
                raise StaleContextError("the email or the mailbox changed")
        slot = self.pace.reserve(command.workspace_id, earliest, step, seen)
        if not waiting:
            return slot, False
        return slot, self.ledger.record_wait(command, now, datetime.fromtimestamp(slot, UTC), reason, payload_hash)

    def take_and_claim(
        self,
        command: SendEmailV1,
        payload_hash: str,
        now: datetime,
        pace: tuple[float, int, PaceState],
        seen: EmailRecord | None,
        claim: tuple[timedelta, str | None, str],
        premises: Premises | None = None,
    ) -> TakenClaim:
        self.transactions += 1
        if premises is not None and self.premises_hold is not None and not self.premises_hold(command, premises):
            return TakenClaim(stale=True)
        interval, cap, hint = pace
        lease, cursor, message_id = claim
        existing = self.ledger.emails.get(command.activity_id)
        claimable = existing is None or existing.status is EmailStatus.EMAIL_READY
        if existing is not None and existing.status is EmailStatus.SENDING:
            claimable = existing.lease_until is not None and existing.lease_until < now
        if (
            not claimable
            or not _as_read(existing, seen)
            or (existing and existing.payload_hash not in (None, payload_hash))
        ):
            return TakenClaim()
        current = self.pace.read(command.workspace_id)
        if (current.min_gap_s, current.max_per_hour) != (hint.min_gap_s, hint.max_per_hour):
            return TakenClaim(pace=current)  # the pace settings changed since the read: the take answers them
        taken, state = self.pace.take(command.workspace_id, now.timestamp(), interval, cap, hint)
        if not taken:
            return TakenClaim(pace=state)
        return TakenClaim(claim=self.ledger.claim(command, now, lease, cursor, message_id, payload_hash))


def _as_read(existing: EmailRecord | None, seen: EmailRecord | None) -> bool:
    if existing is None or seen is None:
        return existing is None and seen is None
    fields = ("status", "send_cursor", "message_id", "reason")
    return all(getattr(existing, name) == getattr(seen, name) for name in fields)
