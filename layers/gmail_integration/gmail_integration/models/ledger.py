"""What the send ledger answers a claim with; the use case and every ledger (DynamoDB, the fake) share it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClaimResult:
    claimed: bool
    interrupted: bool = False
    """A previous claim expired without a recorded outcome: Gmail may already have the email."""
    send_cursor: str | None = None
    message_id: str | None = None
    """Our Message-ID for this email: the one of its first claim, so every retry writes and looks for the same."""
