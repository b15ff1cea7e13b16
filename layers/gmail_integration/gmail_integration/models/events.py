"""The events the service puts on its EventBridge bus (source ``outsales.gmail``): ids only, never bodies or tokens."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gmail_integration.models.types import Identifier

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


# ---- The published shape of each event's ``detail`` (docs/schemas/, the EventBridge schema registry) ----
# Consumers validate against these and generate bindings from them; the service publishes ``ServiceEvent.detail()``,
# and a unit test checks that every detail it builds fits its model here.

ReplyKindName = Literal["reply", "auto_reply", "bounce"]
ParkReasonName = Literal[
    "gmail_not_connected",
    "gmail_needs_reconnect",
    "billing_past_due",
    "agent_inactive",
    "daily_limit_reached",
    "prospect_replied",
]


class _Detail(BaseModel):
    # Open to new keys: a consumer must keep working when a later version adds one.
    model_config = ConfigDict(extra="allow", frozen=True)

    workspace_id: Identifier


class _EmailDetail(_Detail):
    activity_id: Identifier
    agent_id: Identifier


class EmailSentDetail(_EmailDetail):
    """The email left through the workspace's Gmail; the ids let a consumer open it in Gmail."""

    gmail_message_id: str
    gmail_thread_id: str


class EmailParkedDetail(_EmailDetail):
    """The email waits in Email Ready until the gate named by ``reason`` opens; it is then sent by itself."""

    reason: ParkReasonName


class EmailFailedDetail(_EmailDetail):
    """The email will not be sent; ``reason`` is a stable code, the email's record carries words for a person."""

    reason: str


class EmailCancelledDetail(_EmailDetail):
    """Upstream cancelled the parked email: it ends here and is never sent."""


class ReplyDetectedDetail(_Detail):
    """Someone answered in the email's thread; only ``kind: reply`` means the prospect wrote back."""

    activity_id: Identifier
    kind: ReplyKindName
    gmail_message_id: str
    gmail_thread_id: str


class GmailConnectedDetail(_Detail):
    """The workspace connected (or reconnected) Gmail; parked emails are being sent."""


class GmailDisconnectedDetail(_Detail):
    """A user of the workspace disconnected Gmail; new approved emails park as gmail_not_connected."""


class GmailAuthorizationLostDetail(_Detail):
    """Google stopped letting the service act for the account; someone must reconnect."""

    reason: Literal["token_revoked", "scope_removed", "account_disabled"]


DETAIL_MODELS: dict[DetailType, type[_Detail]] = {
    DetailType.EMAIL_SENT: EmailSentDetail,
    DetailType.EMAIL_PARKED: EmailParkedDetail,
    DetailType.EMAIL_FAILED: EmailFailedDetail,
    DetailType.EMAIL_CANCELLED: EmailCancelledDetail,
    DetailType.REPLY_DETECTED: ReplyDetectedDetail,
    DetailType.GMAIL_CONNECTED: GmailConnectedDetail,
    DetailType.GMAIL_DISCONNECTED: GmailDisconnectedDetail,
    DetailType.GMAIL_AUTHORIZATION_LOST: GmailAuthorizationLostDetail,
}
