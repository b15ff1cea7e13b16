"""The send ledger in memory, with the DynamoDB ledger's conditions; tests/unit/contracts proves they agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import PARK_REASON_MESSAGES, EmailRecord, EmailStatus, ParkReason
from gmail_integration.models.ledger import ClaimResult
from gmail_integration.models.pacing import WaitReason

_NO_WAIT: dict[str, object] = {"not_before": None, "wait_reason": None}


@dataclass
class FakeEmailLedger:
    """Implements EmailLedger over a dict keyed by activity id (one workspace at a time, as the tests use it)."""

    emails: dict[str, EmailRecord] = field(default_factory=dict)

    def get(self, workspace_id: str, activity_id: str) -> EmailRecord | None:
        record = self.emails.get(activity_id)
        return record if record and record.workspace_id == workspace_id else None

    def _with_command(self, command: SendEmailV1, digest: str, now: datetime) -> EmailRecord:
        existing = self.emails.get(command.activity_id)
        values = {
            "workspace_id": command.workspace_id,
            "activity_id": command.activity_id,
            "agent_id": command.agent_id,
            "to_email": command.to.email,
            "subject": command.subject,
            "approved_at": command.approved_at,
            "command": command.model_dump_json(),
            "payload_hash": digest,
            "updated_at": now,
        }
        if command.in_reply_to_activity_id:
            values["in_reply_to_activity_id"] = command.in_reply_to_activity_id
        if existing:
            return existing.model_copy(update=values)
        return EmailRecord(status=EmailStatus.EMAIL_READY, **values)  # type: ignore[arg-type]

    def park(
        self,
        command: SendEmailV1,
        reason: ParkReason,
        now: datetime,
        payload_hash: str,
        *,
        delivery_unconfirmed: bool = False,
    ) -> bool:
        existing = self.emails.get(command.activity_id)
        if existing and not (
            existing.status is EmailStatus.SENDING
            or (existing.status is EmailStatus.EMAIL_READY and existing.reason != reason.value)
        ):
            return False
        self.emails[command.activity_id] = self._with_command(command, payload_hash, now).model_copy(
            update={
                "status": EmailStatus.EMAIL_READY,
                "reason": reason.value,
                "reason_message": PARK_REASON_MESSAGES[reason],
                "lease_until": None,
                "delivery_unconfirmed": delivery_unconfirmed,
                **_NO_WAIT,
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
        interrupted = bool(existing and (existing.status is EmailStatus.SENDING or existing.send_cursor))
        send_cursor = (existing.send_cursor if existing else None) or cursor
        message_id = (existing.message_id if existing else None) or message_id  # the first claim's, kept
        self.emails[command.activity_id] = self._with_command(command, payload_hash, now).model_copy(
            update={
                "status": EmailStatus.SENDING,
                "lease_until": now + lease,
                "message_id": message_id,
                "send_cursor": send_cursor,
                "reason": None,
                "reason_message": None,
                **_NO_WAIT,
            }
        )
        return ClaimResult(claimed=True, interrupted=interrupted, send_cursor=send_cursor, message_id=message_id)

    def _from_sending(self, activity_id: str, **update: object) -> bool:
        record = self.emails.get(activity_id)
        if record is None or record.status is not EmailStatus.SENDING:
            return False
        self.emails[activity_id] = record.model_copy(update=update)
        return True

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
        parent: tuple[str, str] | None = None,
    ) -> bool:
        update: dict[str, object] = {"references": references} if references else {}
        held = self.emails.get(activity_id)
        if parent is not None and held is not None and held.status is EmailStatus.SENDING:
            earlier = self.emails.get(parent[0])
            if earlier is not None and not earlier.rfc_message_id:
                self.emails[parent[0]] = earlier.model_copy(update={"rfc_message_id": parent[1]})
        return self._from_sending(
            activity_id,
            status=EmailStatus.SENT,
            gmail_message_id=gmail_message_id,
            gmail_thread_id=gmail_thread_id,
            sent_at=now,
            updated_at=now,
            lease_until=None,
            send_cursor=None,
            delivery_unconfirmed=False,
            command=None,
            reason=None,
            reason_message=None,
            **_NO_WAIT,
            **update,
        )

    def release(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        return self._from_sending(
            activity_id,
            status=EmailStatus.EMAIL_READY,
            updated_at=now,
            lease_until=None,
            send_cursor=None,
            delivery_unconfirmed=False,
        )

    def mark_failed(self, workspace_id: str, activity_id: str, reason: str, message: str, now: datetime) -> bool:
        return self._from_sending(
            activity_id,
            status=EmailStatus.FAILED,
            reason=reason,
            reason_message=message,
            updated_at=now,
            lease_until=None,
            send_cursor=None,
            delivery_unconfirmed=False,
            command=None,  # a failed email is final: its subject and bodies are not kept
            **_NO_WAIT,
        )

    def mark_invalid(self, workspace_id: str, activity_id: str, reason_message: str, now: datetime) -> bool:
        if activity_id in self.emails:
            return False  # an existing activity's record is never changed by a bad message
        failed = {"status": EmailStatus.FAILED, "reason": "invalid_message", "reason_message": reason_message}
        self.emails[activity_id] = EmailRecord(
            workspace_id=workspace_id,
            activity_id=activity_id,
            agent_id="",
            to_email="",
            subject="",
            approved_at=now,
            updated_at=now,
            **failed,  # type: ignore[arg-type]
        )
        return True

    def record_wait(
        self, command: SendEmailV1, now: datetime, not_before: datetime, reason: WaitReason, payload_hash: str
    ) -> bool:
        existing = self.emails.get(command.activity_id)
        if existing and not (existing.status is EmailStatus.EMAIL_READY and existing.reason is None):
            return False
        self.emails[command.activity_id] = self._with_command(command, payload_hash, now).model_copy(
            update={"status": EmailStatus.EMAIL_READY, "not_before": not_before, "wait_reason": reason.value}
        )
        return True
