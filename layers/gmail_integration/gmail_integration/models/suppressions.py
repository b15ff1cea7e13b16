"""Addresses a workspace must not mail again: a hard bounce or Gmail's permanent refusal put them here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class SuppressionReason(StrEnum):
    BOUNCE = "bounce"
    INVALID_RECIPIENT = "invalid_recipient"


SUPPRESSED_MESSAGE = (
    "An earlier email to this address bounced or was refused by Gmail, so it was not sent again."
    " Check the prospect's address; lifting the suppression lets the next email through."
)


def normalize_address(address: str) -> str:
    """The key a suppression is kept under: the domain compares case-insensitively, the local part as written.

    RFC 5321 lets a server treat ``Pat@x`` and ``pat@x`` as different mailboxes, so only the domain is folded.
    """
    local, at, domain = address.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else address.strip()


class Suppression(BaseModel):
    model_config = ConfigDict(frozen=True)

    address: str
    reason: SuppressionReason
    since: datetime
    activity_id: str | None = None
