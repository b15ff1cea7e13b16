"""An in-memory send world: the ledger, the send context and a scriptable Gmail, with the DAL's semantics."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default

from gmail_integration.dal.emails import ClaimResult
from gmail_integration.gmail.errors import GmailError
from gmail_integration.gmail.gateway import AddedMessage, MessageHeaders, SentMessage
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import (
    PARK_REASON_MESSAGES,
    BillingStatus,
    Connection,
    ConnectionStatus,
    EmailRecord,
    EmailStatus,
    Gates,
    ParkReason,
)
from gmail_integration.models.profile import Profile
from gmail_integration.sending.context import SendContext
from tests.unit.fakes import FakeClock


@dataclass
class SendWorld:
    """Implements SendContextReader, EmailLedger and MailboxAuthority over dicts."""

    clock: FakeClock
    connection: Connection | None = None
    billing: BillingStatus = BillingStatus.CURRENT
    inactive_agents: set[str] = field(default_factory=set)
    profile: Profile = field(default_factory=Profile)
    emails: dict[str, EmailRecord] = field(default_factory=dict)
    paused_until: datetime | None = None
    authorization_losses: list[str] = field(default_factory=list)

    # ---- SendContextReader ----
    def read(self, workspace_id: str, agent_id: str, activity_id: str, earlier_activity_id: str | None) -> SendContext:
        status = self.connection.status if self.connection else ConnectionStatus.DISCONNECTED
        return SendContext(
            gates=Gates(
                connection_status=status,
                billing=self.billing,
                agent_active=agent_id not in self.inactive_agents,
                paused_until=self.paused_until,
            ),
            connection=self.connection,
            profile=self.profile,
            email=self.emails.get(activity_id),
            earlier=self.emails.get(earlier_activity_id) if earlier_activity_id else None,
        )

    # ---- EmailLedger ----
    def _base(self, command: SendEmailV1, digest: str) -> EmailRecord:
        existing = self.emails.get(command.activity_id)
        base = {
            "workspace_id": command.workspace_id,
            "activity_id": command.activity_id,
            "agent_id": command.agent_id,
            "to_email": command.to.email,
            "subject": command.subject,
            "approved_at": command.approved_at,
            "in_reply_to_activity_id": command.in_reply_to_activity_id,
            "command": command.model_dump_json(),
            "payload_hash": digest,
            "updated_at": self.clock(),
        }
        if existing:
            return existing.model_copy(update=base)
        return EmailRecord(status=EmailStatus.EMAIL_READY, **base)  # type: ignore[arg-type]

    def park(self, command: SendEmailV1, reason: ParkReason, now: datetime, payload_hash: str) -> bool:
        existing = self.emails.get(command.activity_id)
        if existing and not (
            existing.status is EmailStatus.SENDING
            or (existing.status is EmailStatus.EMAIL_READY and existing.reason != reason.value)
        ):
            return False
        self.emails[command.activity_id] = self._base(command, payload_hash).model_copy(
            update={
                "status": EmailStatus.EMAIL_READY,
                "reason": reason.value,
                "reason_message": PARK_REASON_MESSAGES[reason],
                "lease_until": None,
            }
        )
        return True

    def claim(
        self,
        command: SendEmailV1,
        now: datetime,
        lease: timedelta,
        cursor: str | None,
        message_id: str,
        payload_hash: str,
    ) -> ClaimResult:
        existing = self.emails.get(command.activity_id)
        live_claim = existing and existing.status is EmailStatus.SENDING and (existing.lease_until or now) >= now
        if (existing and existing.status not in (EmailStatus.EMAIL_READY, EmailStatus.SENDING)) or live_claim:
            return ClaimResult(claimed=False)
        interrupted = bool(existing and existing.status is EmailStatus.SENDING)
        send_cursor = (existing.send_cursor if existing else None) or cursor
        message_id = (existing.message_id if existing else None) or message_id
        self.emails[command.activity_id] = self._base(command, payload_hash).model_copy(
            update={
                "status": EmailStatus.SENDING,
                "lease_until": now + lease,
                "message_id": message_id,
                "send_cursor": send_cursor,
                "reason": None,
                "reason_message": None,
            }
        )
        return ClaimResult(claimed=True, interrupted=interrupted, send_cursor=send_cursor, message_id=message_id)

    def mark_sent(
        self,
        workspace_id: str,
        activity_id: str,
        *,
        gmail_message_id: str,
        gmail_thread_id: str,
        message_id: str,
        references: str | None,
        now: datetime,
    ) -> bool:
        record = self.emails[activity_id]
        if record.status is not EmailStatus.SENDING:
            return False
        self.emails[activity_id] = record.model_copy(
            update={
                "status": EmailStatus.SENT,
                "gmail_message_id": gmail_message_id,
                "gmail_thread_id": gmail_thread_id,
                "references": references,
                "sent_at": now,
                "lease_until": None,
                "command": None,
            }
        )
        return True

    def release(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        record = self.emails[activity_id]
        if record.status is not EmailStatus.SENDING:
            return False
        self.emails[activity_id] = record.model_copy(
            update={"status": EmailStatus.EMAIL_READY, "lease_until": None, "send_cursor": None}
        )
        return True

    def mark_failed(self, workspace_id: str, activity_id: str, reason: str, message: str, now: datetime) -> bool:
        record = self.emails[activity_id]
        if record.status is not EmailStatus.SENDING:
            return False
        self.emails[activity_id] = record.model_copy(
            update={"status": EmailStatus.FAILED, "reason": reason, "reason_message": message, "lease_until": None}
        )
        return True

    def mark_invalid(self, workspace_id: str, activity_id: str, reason_message: str, now: datetime) -> bool:
        if activity_id in self.emails:
            return False  # an existing activity's record is never changed by an unreadable message
        self.emails[activity_id] = EmailRecord(
            workspace_id=workspace_id,
            activity_id=activity_id,
            agent_id="",
            status=EmailStatus.FAILED,
            reason="invalid_message",
            reason_message=reason_message,
            to_email="",
            subject="",
            approved_at=now,
            updated_at=now,
        )
        return True

    def remember_rfc_message_id(self, workspace_id: str, activity_id: str, rfc_message_id: str) -> None:
        self.emails[activity_id] = self.emails[activity_id].model_copy(update={"rfc_message_id": rfc_message_id})

    # ---- MailboxAuthority ----
    def authorization_lost(self, workspace_id: str, reason: str) -> None:
        self.authorization_losses.append(reason)
        assert self.connection is not None
        self.connection = self.connection.model_copy(update={"status": ConnectionStatus.NEEDS_RECONNECT})

    def pause_sending(self, workspace_id: str, until: datetime) -> None:
        self.paused_until = until

    def throttle(self, workspace_id: str, until: datetime) -> None:
        assert self.connection is not None
        self.connection = self.connection.model_copy(update={"throttled_until": until})


@dataclass
class FakeGmail:
    """Gmail as the send use case sees it. ``errors`` are raised by the next sends, in order."""

    errors: list[GmailError] = field(default_factory=list)
    sent: list[tuple[bytes, str | None]] = field(default_factory=list)
    headers_of: dict[str, dict[str, str]] = field(default_factory=dict)
    history: list[AddedMessage] = field(default_factory=list)
    history_error: GmailError | None = None
    header_reads: list[str] = field(default_factory=list)
    deliver_then_fail: GmailError | None = None

    def send(self, connection: Connection, raw: bytes, thread_id: str | None) -> SentMessage:
        if self.errors:
            raise self.errors.pop(0)
        number = len(self.sent) + 1
        self.sent.append((raw, thread_id))
        message = SentMessage(f"m{number}", thread_id or f"t{number}")
        self.history.append(AddedMessage(message.gmail_message_id, message.gmail_thread_id, frozenset({"SENT"})))
        self.headers_of[message.gmail_message_id] = _headers(raw)
        if self.deliver_then_fail is not None:
            error, self.deliver_then_fail = self.deliver_then_fail, None
            raise error
        return message

    def message_headers(self, connection: Connection, message_id: str, names: Sequence[str]) -> MessageHeaders:
        self.header_reads.append(message_id)
        thread = next(a.gmail_thread_id for a in self.history if a.gmail_message_id == message_id)
        wanted = {n.lower() for n in names}
        headers = {k: v for k, v in self.headers_of[message_id].items() if k in wanted}
        return MessageHeaders(message_id, thread, frozenset({"SENT"}), headers)

    def added_since(
        self, connection: Connection, start_history_id: str, label_id: str | None = None
    ) -> Iterator[AddedMessage]:
        if self.history_error:
            raise self.history_error
        yield from list(self.history)


def _headers(raw: bytes) -> dict[str, str]:
    parsed = message_from_bytes(raw, policy=default)
    return {k.lower(): str(v) for k, v in parsed.items()}
