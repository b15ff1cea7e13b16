"""What the send use case knows about one email when it decides: gates, mailbox, profile, the email, its thread."""

from __future__ import annotations

from dataclasses import dataclass, field

from gmail_integration.models.domain import Connection, EmailRecord, Gates
from gmail_integration.models.pacing import PaceState
from gmail_integration.models.profile import Profile
from gmail_integration.models.turn_ticket import Premises


@dataclass(frozen=True)
class SendContext:
    gates: Gates
    connection: Connection | None
    profile: Profile
    email: EmailRecord | None
    earlier: EmailRecord | None
    recipient_suppressed: bool = False
    pace: PaceState = field(default_factory=PaceState)
    premises: Premises | None = None
    """Set when the context was not read afresh (a waiting email back at its turn, sending/tickets.py): the claim's
    write holds only while these are still true, and nothing is parked on the strength of such a context."""


@dataclass(frozen=True)
class MailboxSnapshot:
    """The mailbox as this container's last send context read saw it: the connection (with its token's
    ciphertext, for the credentials cache), the sender profile and its ``updated_at``, the pace item."""

    connection: Connection
    profile: Profile
    profile_stamp: str | None
    pace: PaceState
