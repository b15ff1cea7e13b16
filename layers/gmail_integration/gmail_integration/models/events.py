"""The events the service puts on its EventBridge bus (source ``outsales.gmail``): ids only, never bodies or tokens."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

EVENT_SOURCE = "outsales.gmail"


class DetailType(StrEnum):
    EMAIL_SENT = "EmailSent"
    EMAIL_PARKED = "EmailParked"
    EMAIL_FAILED = "EmailFailed"
    EMAIL_CANCELLED = "EmailCancelled"
    REPLY_DETECTED = "ReplyDetected"
    GMAIL_CONNECTED = "GmailConnected"
    GMAIL_DISCONNECTED = "GmailDisconnected"
    GMAIL_AUTHORIZATION_LOST = "GmailAuthorizationLost"


class ServiceEvent(BaseModel):
    """One event: its detail-type and the snake_case detail that upstream systems read."""

    model_config = ConfigDict(frozen=True)

    detail_type: DetailType
    workspace_id: str
    activity_id: str | None = None
    agent_id: str | None = None
    reason: str | None = None
    kind: str | None = None
    gmail_message_id: str | None = None
    gmail_thread_id: str | None = None

    def detail(self) -> dict[str, str]:
        fields = self.model_dump(exclude={"detail_type"}, exclude_none=True)
        return {key: str(value) for key, value in fields.items()}
