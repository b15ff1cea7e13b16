"""Parked emails as upstream decides about them, in memory over the fake ledger; tests/unit/contracts proves it
keeps DynamoDB's conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gmail_integration.models.domain import EmailRecord, EmailStatus
from tests.unit.fake_ledger import FakeEmailLedger


@dataclass
class FakeHeldEmails:
    ledger: FakeEmailLedger = field(default_factory=FakeEmailLedger)

    def get(self, workspace_id: str, activity_id: str) -> EmailRecord | None:
        return self.ledger.get(workspace_id, activity_id)

    def _parked(self, workspace_id: str, activity_id: str) -> EmailRecord | None:
        email = self.get(workspace_id, activity_id)
        return email if email and email.status is EmailStatus.EMAIL_READY and email.reason is not None else None

    def release(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        email = self._parked(workspace_id, activity_id)
        if email is None:
            return False
        self.ledger.emails[activity_id] = email.model_copy(update={"released": True, "updated_at": now})
        return True

    def cancel(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        email = self._parked(workspace_id, activity_id)
        if email is None:
            return False
        self.ledger.emails[activity_id] = email.model_copy(
            update={
                "status": EmailStatus.CANCELLED,
                "reason": None,
                "reason_message": None,
                "command": None,
                "updated_at": now,
            }
        )
        return True
