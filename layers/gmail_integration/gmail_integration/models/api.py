"""Answers of the HTTP API. Field names are contracts that the web app and upstream systems read (design.md)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from gmail_integration.models.domain import BillingStatus, ConnectionStatus, EmailRecord, EmailStatus
from gmail_integration.models.suppressions import Suppression


class StatusView(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: ConnectionStatus
    email: str | None = None
    connected_at: datetime | None = None
    last_error: str | None = None
    reason: str | None = None


class ConnectStarted(BaseModel):
    model_config = ConfigDict(frozen=True)

    authorization_url: str


class EmailView(BaseModel):
    model_config = ConfigDict(frozen=True)

    activity_id: str
    agent_id: str
    status: EmailStatus
    reason: str | None
    reason_message: str | None
    to_email: str
    subject: str
    gmail_message_id: str | None
    gmail_thread_id: str | None
    message_id: str | None
    in_reply_to_activity_id: str | None
    approved_at: datetime
    sent_at: datetime | None
    replied_at: datetime | None
    auto_replied_at: datetime | None = None
    bounced_at: datetime | None = None
    updated_at: datetime
    not_before: datetime | None = None
    """Set while the email waits its turn (the mailbox's pace, Gmail's rate limit): when it is due to go out."""
    wait_reason: str | None = None
    """Why it waits: mailbox_pace, hourly_limit, gmail_rate_limit, earlier_email_not_sent or in_line."""
    delivery_unconfirmed: bool = False
    """Parked, but an earlier attempt may already be in the prospect's mailbox: Gmail took it without confirming
    and could not be asked since. Check the Sent folder; when the email goes on, the service looks in Gmail first
    and records it sent instead of sending a second copy."""

    @classmethod
    def of(cls, record: EmailRecord) -> EmailView:
        return cls.model_validate(record.model_dump(include=set(cls.model_fields)))


class EmailPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[EmailView]
    next_cursor: str | None = None


class BillingUpdate(BaseModel):
    """From the billing system: a past-due workspace's emails wait until it is current again."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: BillingStatus


class AgentUpdate(BaseModel):
    """From the agent system: an inactive agent's emails wait until it is active again."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    active: StrictBool  # "yes", "1" or 1 are refused: a gate is opened or closed only on purpose


class GateAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    workspace_id: str
    redriven: int


class SuppressionsView(BaseModel):
    model_config = ConfigDict(frozen=True)

    suppressions: list[Suppression]


class SuppressionLifted(BaseModel):
    model_config = ConfigDict(frozen=True)

    address: str
    lifted: bool


class ParkedDecision(BaseModel):
    """Upstream's release or cancel of a parked email, answered with where the email now stands."""

    model_config = ConfigDict(frozen=True)

    workspace_id: str
    activity_id: str
    status: EmailStatus


class SendingUpdate(BaseModel):
    """A workspace's own mailbox pace; a field left out keeps its value. ``min_gap_s: 0`` turns the gap off (Gmail's
    own rate still holds), ``max_per_hour: 0`` lifts the hourly cap."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_gap_s: float | None = Field(default=None, ge=0, le=3600, allow_inf_nan=False)
    max_per_hour: StrictInt | None = Field(default=None, ge=0, le=10000)

    @model_validator(mode="after")
    def _something(self) -> SendingUpdate:
        if self.min_gap_s is None and self.max_per_hour is None:
            raise ValueError("give min_gap_s, max_per_hour or both")
        return self


class SendingPace(BaseModel):
    """The pace the workspace's mailbox now sends at (its own values, or the stack's defaults where it has none)."""

    model_config = ConfigDict(frozen=True)

    workspace_id: str
    min_gap_s: float
    max_per_hour: int
