"""What the service knows about a workspace: its Gmail connection, its emails and their lifecycle, its gates."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class EmailStatus(StrEnum):
    """The lifecycle of one approved email (one activity), as the activity list shows it."""

    EMAIL_READY = "EMAIL_READY"
    SENDING = "SENDING"
    SENT = "SENT"
    REPLIED = "REPLIED"
    AUTO_REPLIED = "AUTO_REPLIED"
    BOUNCED = "BOUNCED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class ParkReason(StrEnum):
    """Why an approved email waits in Email Ready: each is a gate a person can open."""

    GMAIL_NOT_CONNECTED = "gmail_not_connected"
    GMAIL_NEEDS_RECONNECT = "gmail_needs_reconnect"
    BILLING_PAST_DUE = "billing_past_due"
    AGENT_INACTIVE = "agent_inactive"
    DAILY_LIMIT_REACHED = "daily_limit_reached"
    PROSPECT_REPLIED = "prospect_replied"


PARK_REASON_MESSAGES: dict[ParkReason, str] = {
    ParkReason.GMAIL_NOT_CONNECTED: "Gmail is not connected. Connect it in Settings > Integrations.",
    ParkReason.GMAIL_NEEDS_RECONNECT: (
        "OutSales lost access to the connected Gmail account. Reconnect Gmail in Settings > Integrations."
    ),
    ParkReason.BILLING_PAST_DUE: "A past-due payment blocks email sending. Settle the payment to resume sending.",
    ParkReason.AGENT_INACTIVE: "The agent is not active. Set it to Active in its Settings tab.",
    ParkReason.DAILY_LIMIT_REACHED: "Gmail's daily sending limit was reached. Sending resumes automatically tomorrow.",
    ParkReason.PROSPECT_REPLIED: (
        "The prospect answered in this conversation, so the follow-up was held back. Release it to send it anyway,"
        " or cancel it."
    ),
}


class ConnectionStatus(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    NEEDS_RECONNECT = "needs_reconnect"


class BillingStatus(StrEnum):
    CURRENT = "current"
    PAST_DUE = "past_due"


class NeedsReconnectReason(StrEnum):
    """Why Google no longer lets the service act for the account: what the Settings card tells the user."""

    TOKEN_REVOKED = "token_revoked"  # noqa: S105 - a reason code, not a credential
    SCOPE_REMOVED = "scope_removed"
    ACCOUNT_DISABLED = "account_disabled"


NEEDS_RECONNECT_MESSAGES: dict[str, str] = {
    NeedsReconnectReason.TOKEN_REVOKED: (
        "Google reports that access was revoked or has expired (for example from your Google Account's"
        " Third-party apps page, or after a password change). Reconnect Gmail."
    ),
    NeedsReconnectReason.SCOPE_REMOVED: (
        "OutSales no longer has permission to send emails or read email metadata. Reconnect Gmail and allow both."
    ),
    NeedsReconnectReason.ACCOUNT_DISABLED: (
        "Gmail is not enabled for the connected Google account. Reconnect with an account that has Gmail."
    ),
}


class RecoveryCursor(BaseModel):
    """Where an unfinished history recovery goes on: the profile ``historyId`` it noted before reading (the cursor
    it ends on, so nothing that arrived meanwhile is skipped) and the page of recent threads it reads next."""

    model_config = ConfigDict(frozen=True)

    history_id: str
    page: str | None = None


class Connection(BaseModel):
    """A workspace's Gmail connection; the refresh token stays encrypted (KMS, context = workspace).

    A disconnected workspace may keep a tombstone (no address, no token) that remembers what went wrong while
    disconnecting, such as a revoke Google did not confirm.
    """

    model_config = ConfigDict(frozen=True)

    workspace_id: str
    status: ConnectionStatus
    email: str | None = None
    connected_at: datetime | None = None
    refresh_token_ciphertext: bytes | None = None
    scopes: tuple[str, ...] = ()
    history_id: str | None = None
    reason: str | None = None
    last_error: str | None = None
    user_id: str | None = None
    paused_until: datetime | None = None
    throttled_until: datetime | None = None
    recovery: RecoveryCursor | None = None


class Gates(BaseModel):
    """The send gates of the product page's troubleshooting, read together at send time.

    Gmail's own daily sending limit acts as a fourth gate: once Google says the day's quota is spent, the
    workspace's emails wait in Email Ready until ``paused_until`` instead of each one asking Gmail again.
    """

    model_config = ConfigDict(frozen=True)

    connection_status: ConnectionStatus
    billing: BillingStatus = BillingStatus.CURRENT
    agent_active: bool = True
    paused_until: datetime | None = None

    def closed_by(self, now: datetime) -> ParkReason | None:
        """The first closed gate, in the order the product page asks a person to check them."""
        if self.connection_status is ConnectionStatus.DISCONNECTED:
            return ParkReason.GMAIL_NOT_CONNECTED
        if self.connection_status is ConnectionStatus.NEEDS_RECONNECT:
            return ParkReason.GMAIL_NEEDS_RECONNECT
        if self.billing is BillingStatus.PAST_DUE:
            return ParkReason.BILLING_PAST_DUE
        if not self.agent_active:
            return ParkReason.AGENT_INACTIVE
        if self.paused_until is not None and self.paused_until > now:
            return ParkReason.DAILY_LIMIT_REACHED
        return None


class EmailRecord(BaseModel):
    """One approved email as the service tracks it, from approval to reply.

    ``command`` keeps the approved message itself while the email waits, so that opening a gate can put it back on
    the send queue; it is dropped once Gmail has the email.
    """

    model_config = ConfigDict(frozen=True)

    workspace_id: str
    activity_id: str
    agent_id: str
    status: EmailStatus
    reason: str | None = None
    reason_message: str | None = None
    to_email: str
    subject: str
    in_reply_to_activity_id: str | None = None
    gmail_message_id: str | None = None
    gmail_thread_id: str | None = None
    message_id: str | None = None
    approved_at: datetime
    sent_at: datetime | None = None
    replied_at: datetime | None = None
    updated_at: datetime
    command: str | None = None
    payload_hash: str | None = None
    lease_until: datetime | None = None
    send_cursor: str | None = None
    delivery_unconfirmed: bool = False
    """Parked after an attempt that may have reached Gmail, and Gmail could not be asked since (disconnected, its
    history expired, no answer): the prospect may already have it. Its next claim looks before sending."""
    rfc_message_id: str | None = None
    references: str | None = None
    reply_kinds: tuple[str, ...] = ()
    auto_replied_at: datetime | None = None
    bounced_at: datetime | None = None
    released: bool = False
    not_before: datetime | None = None
    """While the email waits its turn (not parked): when its queue message comes back to send it."""
    wait_reason: str | None = None
