"""The suppression list in memory; tests/unit/contracts proves it keeps DynamoDB's rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gmail_integration.models.suppressions import Suppression, SuppressionReason, normalize_address


@dataclass
class FakeSuppressions:
    """Implements SuppressionList (and BouncedRecipients, given the recipients of bounced emails)."""

    entries: dict[tuple[str, str], Suppression] = field(default_factory=dict)
    recipients: dict[tuple[str, str], str] = field(default_factory=dict)

    def is_suppressed(self, workspace_id: str, address: str) -> bool:
        return (workspace_id, normalize_address(address)) in self.entries

    def suppress(
        self, workspace_id: str, address: str, reason: SuppressionReason, activity_id: str | None, now: datetime
    ) -> bool:
        key = (workspace_id, normalize_address(address))
        if key in self.entries:
            return False
        self.entries[key] = Suppression(address=key[1], reason=reason, since=now, activity_id=activity_id)
        return True

    def suppressions(self, workspace_id: str) -> list[Suppression]:
        return sorted((entry for (ws, _), entry in self.entries.items() if ws == workspace_id), key=lambda e: e.address)

    def lift(self, workspace_id: str, address: str) -> bool:
        return self.entries.pop((workspace_id, normalize_address(address)), None) is not None

    def suppress_bounced(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        address = self.recipients.get((workspace_id, activity_id))
        if address is None:
            return False
        return self.suppress(workspace_id, address, SuppressionReason.BOUNCE, activity_id, now)
