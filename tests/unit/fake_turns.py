"""Both fakes moved together, as dal/turns.py moves both items in one transaction; tests/unit/contracts agrees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailStatus
from gmail_integration.models.pacing import PaceState, WaitReason
from tests.unit.fake_ledger import FakeEmailLedger
from tests.unit.fake_pace import FakeMailboxPace


@dataclass
class FakeTurnBook:
    """Implements TurnBook over the pace and ledger fakes; all or nothing, like the transaction."""

    pace: FakeMailboxPace
    ledger: FakeEmailLedger
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
    ) -> tuple[float, bool]:
        self.transactions += 1
        existing = self.ledger.emails.get(command.activity_id)
        waiting = existing is None or (existing.status is EmailStatus.EMAIL_READY and existing.reason is None)
        slot = self.pace.reserve(command.workspace_id, earliest, step, seen)
        if not waiting:
            return slot, False
        return slot, self.ledger.record_wait(command, now, datetime.fromtimestamp(slot, UTC), reason, payload_hash)
