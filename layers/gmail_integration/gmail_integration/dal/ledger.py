"""The send ledger: the email item's status from approval to SENT, FAILED or parked, moved by conditional writes.

Exactly-once sending rests on conditional writes here: ``claim`` moves an email to SENDING with a lease (only one
worker at a time, whatever SQS delivers), ``mark_sent`` records Gmail's answer, ``release`` gives a claim back
after an answer that proves nothing was sent. A claim whose lease ran out without either means the worker died
around the Gmail call: the next claim learns that (``ClaimResult.interrupted``) and looks in Gmail first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gmail_integration.dal import keys
from gmail_integration.dal.email_item import STATUS, email_key
from gmail_integration.dal.items import Item, conditional_update, is_conditional_failure, text, without_none
from gmail_integration.dal.threads import thread_append
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import PARK_REASON_MESSAGES, EmailStatus, ParkReason
from gmail_integration.models.ledger import ClaimResult
from gmail_integration.models.pacing import WaitReason
from gmail_integration.models.times import iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def _command_values(command: SendEmailV1, payload_hash: str) -> Item:
    return without_none(
        {
            ":ws": command.workspace_id,
            ":act": command.activity_id,
            ":agent": command.agent_id,
            ":to": command.to.email,
            ":subject": command.subject,
            ":approved": iso(command.approved_at),
            ":command": command.model_dump_json(),
            ":hash": payload_hash,
            ":in_reply_to": command.in_reply_to_activity_id,
        }
    )


def _command_assignments(command: SendEmailV1) -> str:
    assignments = (
        "workspace_id = :ws, activity_id = :act, agent_id = :agent, to_email = :to, subject = :subject,"
        " approved_at = :approved, command = :command, payload_hash = :hash"
    )
    if command.in_reply_to_activity_id:
        assignments += ", in_reply_to_activity_id = :in_reply_to"
    return assignments


DEFAULT_RETENTION = timedelta(days=365)


class DynamoEmailLedger:
    """The send ledger: every state change of an email from approval to SENT, FAILED or parked."""

    def __init__(self, table: Table, retention: timedelta = DEFAULT_RETENTION) -> None:
        self._table = table
        self._retention = retention

    def _expiry(self, now: datetime) -> int:
        """The TTL of an email that reached a final state: kept for the activity list, then deleted by DynamoDB."""
        return int((now + self._retention).timestamp())

    def _update(self, key: dict[str, str], **kwargs: Any) -> bool:
        return conditional_update(self._table, key, **kwargs)

    def park(
        self,
        command: SendEmailV1,
        reason: ParkReason,
        now: datetime,
        payload_hash: str,
        *,
        delivery_unconfirmed: bool = False,
    ) -> bool:
        """Records the email as waiting in Email Ready for ``reason``; False when it already waited for that reason.

        Creates the item on the email's first delivery. An email that has gone further (sent, failed) is never
        pulled back; one in SENDING is parked by the worker that claimed it, when Google said why it can't send, or
        after its claim expired. Parking keeps ``send_cursor``: an attempt whose outcome is unknown stays marked, so
        the next claim looks in Gmail before sending again. ``delivery_unconfirmed`` says Gmail could not be asked
        about that attempt before parking, so Email Ready shows it may already be in the prospect's mailbox.
        """
        values: Item = {
            ":ready": EmailStatus.EMAIL_READY.value,
            ":sending": EmailStatus.SENDING.value,
            ":reason": reason.value,
            ":reason_message": PARK_REASON_MESSAGES[reason],
            ":now": iso(now),
            ":gsi1pk": keys.parked_gsi1pk(command.workspace_id),
            ":gsi1sk": f"{reason.value}#{iso(command.approved_at)}#{command.activity_id}",
            **_command_values(command, payload_hash),
        }
        unconfirmed = " REMOVE lease_until, not_before, wait_reason, delivery_unconfirmed"
        if delivery_unconfirmed:
            values[":unconfirmed"] = True
            unconfirmed = ", delivery_unconfirmed = :unconfirmed REMOVE lease_until, not_before, wait_reason"
        return self._update(
            email_key(command.workspace_id, command.activity_id),
            UpdateExpression=(
                "SET #status = :ready, reason = :reason, reason_message = :reason_message, updated_at = :now,"
                " gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, " + _command_assignments(command) + unconfirmed
            ),
            ConditionExpression=(
                "attribute_not_exists(pk) OR #status = :sending"
                " OR (#status = :ready AND (attribute_not_exists(reason) OR reason <> :reason))"
            ),
            ExpressionAttributeNames=STATUS,
            ExpressionAttributeValues=values,
        )

    def claim(
        self,
        command: SendEmailV1,
        now: datetime,
        lease: timedelta,
        cursor: str | None,
        message_id: str,
        payload_hash: str,
    ) -> ClaimResult:
        """Takes the email for sending, unless another worker holds a live claim or it is already done."""
        parts = claim_update(self._table.name, command, now, lease, cursor, message_id, payload_hash)
        parts.pop("TableName")
        try:
            answer = self._table.update_item(**parts, ReturnValues="ALL_OLD")
        except ClientError as exc:
            if is_conditional_failure(exc):
                return ClaimResult(claimed=False)
            raise
        old = answer.get("Attributes") or {}
        status = text(old, "status")
        was = EmailStatus(status) if status else None
        return claim_answer(was, text(old, "send_cursor"), text(old, "message_id"), cursor, message_id)

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
        """SENT with Gmail's ids, and the thread item learns its new email, in one transaction: a sent email is
        always one the reply detection knows about. ``parent``: the followed-up email learns the Message-ID Gmail
        stored for it in the same transaction (a call less than writing it when learned); an email that is gone
        does not hold the record back."""
        values: Item = {
            ":sending": EmailStatus.SENDING.value,
            ":sent": EmailStatus.SENT.value,
            ":gid": gmail_message_id,
            ":tid": gmail_thread_id,
            ":now": iso(now),
            ":expires": self._expiry(now),
        }
        names = dict(STATUS)
        extra = ""
        if references:
            values[":refs"] = references
            names["#references"] = "references"
            extra = ", #references = :refs"
        email_update: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": email_key(workspace_id, activity_id),
            "UpdateExpression": (
                "SET #status = :sent, gmail_message_id = :gid, gmail_thread_id = :tid,"
                " sent_at = :now, updated_at = :now, expires_at = :expires"
                + extra
                + " REMOVE lease_until, send_cursor, command, reason, reason_message, not_before, wait_reason,"
                " delivery_unconfirmed"
            ),
            "ConditionExpression": "#status = :sending",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        thread_update = thread_append(
            self._table.name, workspace_id, gmail_thread_id, activity_id=activity_id, message_id=message_id, now=now
        )
        items: list[Any] = [{"Update": email_update}, {"Update": thread_update}]
        if parent is not None:
            items.append({"Update": _parent_update(self._table.name, workspace_id, parent)})
        # The resource's client serialises Python values itself (boto3's TransformationInjector), as put_item does.
        try:
            self._table.meta.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if parent is not None and _only_parent_failed(exc):
                return self.mark_sent(
                    workspace_id,
                    activity_id,
                    gmail_message_id=gmail_message_id,
                    gmail_thread_id=gmail_thread_id,
                    message_id=message_id,
                    references=references,
                    now=now,
                )
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def release(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        """Gives a claim back after an answer that proves Gmail did not send (a refusal, a rate limit)."""
        return self._update(
            email_key(workspace_id, activity_id),
            UpdateExpression=(
                "SET #status = :ready, updated_at = :now REMOVE lease_until, send_cursor, delivery_unconfirmed"
            ),
            ConditionExpression="#status = :sending",
            ExpressionAttributeNames=STATUS,
            ExpressionAttributeValues={
                ":ready": EmailStatus.EMAIL_READY.value,
                ":sending": EmailStatus.SENDING.value,
                ":now": iso(now),
            },
        )

    def mark_failed(self, workspace_id: str, activity_id: str, reason: str, message: str, now: datetime) -> bool:
        """FAILED with a reason a person can act on; from SENDING only (the claimer decides)."""
        return self._update(
            email_key(workspace_id, activity_id),
            UpdateExpression=(
                "SET #status = :failed, reason = :reason, reason_message = :message, updated_at = :now,"
                " expires_at = :expires"
                # A failed email is final: its subject and bodies are not kept (the record keeps its ids and reason).
                " REMOVE lease_until, send_cursor, gsi1pk, gsi1sk, command, not_before, wait_reason,"
                " delivery_unconfirmed"
            ),
            ConditionExpression="#status = :sending",
            ExpressionAttributeNames=STATUS,
            ExpressionAttributeValues={
                ":failed": EmailStatus.FAILED.value,
                ":sending": EmailStatus.SENDING.value,
                ":reason": reason,
                ":message": message,
                ":now": iso(now),
                ":expires": self._expiry(now),
            },
        )

    def mark_invalid(self, workspace_id: str, activity_id: str, reason_message: str, now: datetime) -> bool:
        """Records an unreadable queue message as a FAILED email, only for an activity not seen before.

        An existing activity (parked, sending, sent or failed) keeps its record and its stored command, whatever
        the invalid message says: one bad message reusing an activity id must not destroy the email it names.
        """
        return self._update(
            email_key(workspace_id, activity_id),
            UpdateExpression=(
                "SET #status = :failed, reason = :reason, reason_message = :message, updated_at = :now,"
                " workspace_id = :ws, activity_id = :act,"
                " agent_id = if_not_exists(agent_id, :unknown), to_email = if_not_exists(to_email, :unknown),"
                " subject = if_not_exists(subject, :unknown), approved_at = if_not_exists(approved_at, :now),"
                " expires_at = :expires"
                " REMOVE gsi1pk, gsi1sk, command"
            ),
            ConditionExpression="attribute_not_exists(pk)",
            ExpressionAttributeNames=STATUS,
            ExpressionAttributeValues={
                ":failed": EmailStatus.FAILED.value,
                ":reason": "invalid_message",
                ":message": reason_message,
                ":now": iso(now),
                ":ws": workspace_id,
                ":act": activity_id,
                ":unknown": "",
                ":expires": self._expiry(now),
            },
        )

    def record_wait(
        self, command: SendEmailV1, now: datetime, not_before: datetime, reason: WaitReason, payload_hash: str
    ) -> bool:
        """The email waits its turn in Email Ready, visible with when and why; created on its first receive.

        Only a new email or one already waiting (EMAIL_READY, not parked) is written: a live or expired claim keeps
        its SENDING (the next claim looks in Gmail first), a parked email keeps its reason, a final one its end.
        """
        parts = wait_update(self._table.name, command, now, not_before, reason, payload_hash)
        return self._update(parts.pop("Key"), **{name: value for name, value in parts.items() if name != "TableName"})


def _parent_update(table_name: str, workspace_id: str, parent: tuple[str, str]) -> dict[str, Any]:
    activity_id, rfc_message_id = parent
    return {
        "TableName": table_name,
        "Key": email_key(workspace_id, activity_id),
        "UpdateExpression": "SET rfc_message_id = if_not_exists(rfc_message_id, :id)",
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeValues": {":id": rfc_message_id},
    }


def _only_parent_failed(exc: ClientError) -> bool:
    reasons = list(exc.response.get("CancellationReasons") or [])
    failed = [index for index, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"]
    return failed == [2]


def claim_answer(
    status: EmailStatus | None, old_cursor: str | None, old_message_id: str | None, cursor: str | None, message_id: str
) -> ClaimResult:
    """A won claim's answer from the email's values before it (``status`` None: the email was new).

    An earlier attempt without a recorded outcome: its claim expired (SENDING), or it was parked before anyone
    looked (the send cursor stays until Gmail's answer proves nothing was sent: release, or a final). Its cursor and
    Message-ID are kept, so the retry looks for that attempt and a send reuses its Message-ID.
    """
    return ClaimResult(
        claimed=True,
        interrupted=status is EmailStatus.SENDING or bool(old_cursor),
        send_cursor=old_cursor or cursor,
        message_id=old_message_id or message_id,
    )


def wait_update(
    table_name: str, command: SendEmailV1, now: datetime, not_before: datetime, reason: WaitReason, payload_hash: str
) -> dict[str, Any]:
    """``record_wait``'s write as a transaction part, so a slot reservation and its wait record go in one call."""
    return {
        "TableName": table_name,
        "Key": email_key(command.workspace_id, command.activity_id),
        "UpdateExpression": (
            "SET #status = :ready, not_before = :not_before, wait_reason = :wait_reason, updated_at = :now, "
            + _command_assignments(command)
        ),
        "ConditionExpression": "attribute_not_exists(pk) OR (#status = :ready AND attribute_not_exists(reason))",
        "ExpressionAttributeNames": dict(STATUS),
        "ExpressionAttributeValues": {
            ":ready": EmailStatus.EMAIL_READY.value,
            ":not_before": iso(not_before),
            ":wait_reason": reason.value,
            ":now": iso(now),
            **_command_values(command, payload_hash),
        },
    }


def claim_update(
    table_name: str,
    command: SendEmailV1,
    now: datetime,
    lease: timedelta,
    cursor: str | None,
    message_id: str,
    payload_hash: str,
) -> dict[str, Any]:
    """``claim``'s write as a transaction part, so the claim and the mailbox's slot go in one call (dal/turns.py)."""
    values = {
        ":ready": EmailStatus.EMAIL_READY.value,
        ":sending": EmailStatus.SENDING.value,
        ":now": iso(now),
        ":lease": iso(now + lease),
        ":message_id": message_id,
        **_command_values(command, payload_hash),
    }
    cursor_assignment = ""
    if cursor:
        values[":cursor"] = cursor
        cursor_assignment = ", send_cursor = if_not_exists(send_cursor, :cursor)"
    return {
        "TableName": table_name,
        "Key": email_key(command.workspace_id, command.activity_id),
        "UpdateExpression": (
            "SET #status = :sending, lease_until = :lease, updated_at = :now,"
            " message_id = if_not_exists(message_id, :message_id), "
            + _command_assignments(command)
            + cursor_assignment
            + " REMOVE reason, reason_message, gsi1pk, gsi1sk, not_before, wait_reason"
        ),
        "ConditionExpression": (
            "attribute_not_exists(pk) OR #status = :ready OR (#status = :sending AND lease_until < :now)"
        ),
        "ExpressionAttributeNames": dict(STATUS),
        "ExpressionAttributeValues": values,
    }
