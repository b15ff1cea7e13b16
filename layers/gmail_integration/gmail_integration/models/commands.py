"""Messages other systems put on the service's queues. Their shapes are contracts (design.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gmail_integration.models.types import BodyText, DisplayName, EmailAddress, HeaderText, Identifier

MAX_BODY_CHARS = 1_000_000
"""Far above any follow-up email, far below Gmail's 35 MB message limit and SQS's 256 KB (which bites first)."""


class Recipient(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: EmailAddress
    name: DisplayName = ""


class SendEmailV1(BaseModel):
    """An approved email, version 1. ``activity_id`` is the idempotency key: one activity, one email."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    workspace_id: Identifier
    activity_id: Identifier
    agent_id: Identifier
    to: Recipient
    subject: HeaderText
    text: BodyText = Field(min_length=1, max_length=MAX_BODY_CHARS)
    html: BodyText | None = Field(default=None, max_length=MAX_BODY_CHARS)
    in_reply_to_activity_id: Identifier | None = None
    approved_at: AwareDatetime
