"""What the send use case knows about one email when it decides: gates, mailbox, profile, the email, its thread."""

from __future__ import annotations

from dataclasses import dataclass, field

from gmail_integration.models.domain import Connection, EmailRecord, Gates
from gmail_integration.models.pacing import PaceState
from gmail_integration.models.profile import Profile


@dataclass(frozen=True)
class SendContext:
    gates: Gates
    connection: Connection | None
    profile: Profile
    email: EmailRecord | None
    earlier: EmailRecord | None
    recipient_suppressed: bool = False
    pace: PaceState = field(default_factory=PaceState)
