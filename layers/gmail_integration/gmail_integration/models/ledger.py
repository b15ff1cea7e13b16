"""What the send ledger answers a claim with; the use case and every ledger (DynamoDB, the fake) share it."""

from __future__ import annotations

from dataclasses import dataclass

from gmail_integration.models.pacing import PaceState


@dataclass(frozen=True)
class ClaimResult:
    claimed: bool
    interrupted: bool = False
    """A previous claim expired without a recorded outcome: Gmail may already have the email."""
    send_cursor: str | None = None
    message_id: str | None = None
    """Our Message-ID for this email: the one of its first claim, so every retry writes and looks for the same."""


@dataclass(frozen=True)
class TakenClaim:
    """The answer of the slot and the claim written together (dal/turns.py): exactly one of four.

    ``claim``: the slot is taken and the email claimed. ``missed``: the mailbox may not send yet (another worker
    sent, the hour is full), nothing written; ``pace`` is the pace item as it stood. ``stale``: a premise of a context
    built without a read no longer holds, nothing written; the caller reads afresh. None of these: the email changed
    since the context read (a claim elsewhere, a park, an end), nothing written; the caller takes the two writes apart.
    """

    claim: ClaimResult | None = None
    pace: PaceState | None = None
    stale: bool = False

    @property
    def missed(self) -> bool:
        return self.claim is None and self.pace is not None
