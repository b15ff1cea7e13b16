"""The email items: one per activity, from approval to reply. Its status is also the send ledger.

Exactly-once sending rests on conditional writes here: ``claim`` moves an email to SENDING with a lease (only one
worker at a time, whatever SQS delivers), ``mark_sent`` records Gmail's answer, ``release`` gives a claim back
after an answer that proves nothing was sent. A claim whose lease ran out without either means the worker died
around the Gmail call: the next claim learns that (``ClaimResult.interrupted``) and looks in Gmail first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gmail_integration.dal import keys
from gmail_integration.dal.items import Item, conditional_update, iso, parse_time, text, without_none
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import PARK_REASON_MESSAGES, EmailRecord, EmailStatus, ParkReason

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_STATUS = {"#status": "status"}
STATUS_RANK = (EmailStatus.SENT, EmailStatus.AUTO_REPLIED, EmailStatus.BOUNCED, EmailStatus.REPLIED)
REPLY_STATUS = {"auto_reply": EmailStatus.AUTO_REPLIED, "bounce": EmailStatus.BOUNCED, "reply": EmailStatus.REPLIED}
REPLY_TIME = {"auto_reply": "auto_replied_at", "bounce": "bounced_at", "reply": "replied_at"}


def email_from_item(item: Item) -> EmailRecord:
    approved = parse_time(item.get("approved_at"))
    updated = parse_time(item.get("updated_at"))
    assert approved is not None
    assert updated is not None
    return EmailRecord(
        workspace_id=str(item["workspace_id"]),
        activity_id=str(item["activity_id"]),
        agent_id=str(item.get("agent_id", "")),
        status=EmailStatus(str(item["status"])),
        reason=text(item, "reason"),
        reason_message=text(item, "reason_message"),
        to_email=str(item.get("to_email", "")),
        subject=str(item.get("subject", "")),
        in_reply_to_activity_id=text(item, "in_reply_to_activity_id"),
        gmail_message_id=text(item, "gmail_message_id"),
        gmail_thread_id=text(item, "gmail_thread_id"),
        message_id=text(item, "message_id"),
        approved_at=approved,
        sent_at=parse_time(item.get("sent_at")),
        replied_at=parse_time(item.get("replied_at")),
        updated_at=updated,
        command=text(item, "command"),
        payload_hash=text(item, "payload_hash"),
        lease_until=parse_time(item.get("lease_until")),
        send_cursor=text(item, "send_cursor"),
        rfc_message_id=text(item, "rfc_message_id"),
        references=text(item, "references"),
        reply_kinds=tuple(sorted(str(k) for k in item.get("reply_kinds", ()))),
        auto_replied_at=parse_time(item.get("auto_replied_at")),
        bounced_at=parse_time(item.get("bounced_at")),
    )


def email_key(workspace_id: str, activity_id: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": keys.email_sk(activity_id)}


def _is_conditional_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


@dataclass(frozen=True)
class ClaimResult:
    claimed: bool
    interrupted: bool = False
    """A previous claim expired without a recorded outcome: Gmail may already have the email."""
    send_cursor: str | None = None
    message_id: str | None = None
    """Our Message-ID for this email: the one of its first claim, so every retry writes and looks for the same."""


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


class DynamoEmailRepository:
    def __init__(self, table: Table, retention: timedelta = DEFAULT_RETENTION) -> None:
        self._table = table
        self._retention = retention

    def _expiry(self, now: datetime) -> int:
        """The TTL of an email that reached a final state: kept for the activity list, then deleted by DynamoDB."""
        return int((now + self._retention).timestamp())

    def _update(self, key: dict[str, str], **kwargs: Any) -> bool:
        return conditional_update(self._table, key, **kwargs)

    def get(self, workspace_id: str, activity_id: str) -> EmailRecord | None:
        item = self._table.get_item(Key=email_key(workspace_id, activity_id), ConsistentRead=True).get("Item")
        return email_from_item(item) if item else None

    def list_page(self, workspace_id: str, limit: int, after: str | None) -> tuple[list[EmailRecord], str | None]:
        """One page of the workspace's emails in activity id order, and the activity id to continue after."""
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": keys.workspace_pk(workspace_id), ":prefix": keys.EMAIL_SK_PREFIX},
            "Limit": limit,
        }
        if after:
            query["ExclusiveStartKey"] = email_key(workspace_id, after)
        answer = self._table.query(**query)
        records = [email_from_item(item) for item in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        return records, (str(last["sk"]).removeprefix(keys.EMAIL_SK_PREFIX) if last else None)

    def park(self, command: SendEmailV1, reason: ParkReason, now: datetime, payload_hash: str) -> bool:
        """Records the email as waiting in Email Ready for ``reason``; False when it already waited for that reason.

        Creates the item on the email's first delivery. An email that has gone further (sent, failed) is never
        pulled back; one in SENDING is parked by the worker that claimed it, when Google said why it can't send.
        """
        values = {
            ":ready": EmailStatus.EMAIL_READY.value,
            ":sending": EmailStatus.SENDING.value,
            ":reason": reason.value,
            ":reason_message": PARK_REASON_MESSAGES[reason],
            ":now": iso(now),
            ":gsi1pk": keys.parked_gsi1pk(command.workspace_id),
            ":gsi1sk": f"{reason.value}#{iso(command.approved_at)}#{command.activity_id}",
            **_command_values(command, payload_hash),
        }
        return self._update(
            email_key(command.workspace_id, command.activity_id),
            UpdateExpression=(
                "SET #status = :ready, reason = :reason, reason_message = :reason_message, updated_at = :now,"
                " gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, " + _command_assignments(command) + " REMOVE lease_until"
            ),
            ConditionExpression=(
                "attribute_not_exists(pk) OR #status = :sending"
                " OR (#status = :ready AND (attribute_not_exists(reason) OR reason <> :reason))"
            ),
            ExpressionAttributeNames=_STATUS,
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
        try:
            answer = self._table.update_item(
                Key=email_key(command.workspace_id, command.activity_id),
                UpdateExpression=(
                    "SET #status = :sending, lease_until = :lease, updated_at = :now,"
                    " message_id = if_not_exists(message_id, :message_id), "
                    + _command_assignments(command)
                    + cursor_assignment
                    + " REMOVE reason, reason_message, gsi1pk, gsi1sk"
                ),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR #status = :ready OR (#status = :sending AND lease_until < :now)"
                ),
                ExpressionAttributeNames=_STATUS,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return ClaimResult(claimed=False)
            raise
        old = answer.get("Attributes") or {}
        interrupted = old.get("status") == EmailStatus.SENDING.value
        return ClaimResult(
            claimed=True,
            interrupted=interrupted,
            send_cursor=text(old, "send_cursor") or cursor,
            message_id=text(old, "message_id") or message_id,
        )

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
        """SENT with Gmail's ids, and the thread item learns its new email, in one transaction: a sent email is
        always one the reply detection knows about."""
        values: Item = {
            ":sending": EmailStatus.SENDING.value,
            ":sent": EmailStatus.SENT.value,
            ":gid": gmail_message_id,
            ":tid": gmail_thread_id,
            ":now": iso(now),
            ":expires": self._expiry(now),
        }
        names = dict(_STATUS)
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
                + " REMOVE lease_until, send_cursor, command, reason, reason_message"
            ),
            "ConditionExpression": "#status = :sending",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        thread_update: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": {"pk": keys.workspace_pk(workspace_id), "sk": keys.thread_sk(gmail_thread_id)},
            "UpdateExpression": (
                "SET workspace_id = :ws, thread_id = :tid, updated_at = :now,"
                " emails = list_append(if_not_exists(emails, :none), :email)"
            ),
            "ExpressionAttributeValues": {
                ":ws": workspace_id,
                ":tid": gmail_thread_id,
                ":now": iso(now),
                ":none": [],
                ":email": [{"a": activity_id, "m": message_id, "t": iso(now)}],
            },
        }
        # The resource's client serialises Python values itself (boto3's TransformationInjector), as put_item does.
        try:
            self._table.meta.client.transact_write_items(
                TransactItems=[{"Update": email_update}, {"Update": thread_update}]  # type: ignore[typeddict-item]
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                return False
            raise
        return True

    def release(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        """Gives a claim back after an answer that proves Gmail did not send (a refusal, a rate limit)."""
        return self._update(
            email_key(workspace_id, activity_id),
            UpdateExpression="SET #status = :ready, updated_at = :now REMOVE lease_until, send_cursor",
            ConditionExpression="#status = :sending",
            ExpressionAttributeNames=_STATUS,
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
                " REMOVE lease_until, send_cursor, gsi1pk, gsi1sk, command"
            ),
            ConditionExpression="#status = :sending",
            ExpressionAttributeNames=_STATUS,
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
            ExpressionAttributeNames=_STATUS,
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

    def record_reply(self, workspace_id: str, activity_id: str, kind: str, at: datetime) -> bool:
        """Notes that a reply of ``kind`` arrived; True only the first time for this email and kind.

        The status moves up only (SENT < AUTO_REPLIED < BOUNCED < REPLIED): a real reply after an out-of-office
        still turns the activity Replied, an out-of-office after a reply changes nothing.
        """
        status = REPLY_STATUS[kind]
        lower = [s.value for s in STATUS_RANK[: STATUS_RANK.index(status)]]
        key = email_key(workspace_id, activity_id)
        names = {"#status": "status", "#at": REPLY_TIME[kind]}
        values: Item = {":kind": {kind}, ":one": kind, ":at": iso(at), ":status": status.value}
        values.update({f":lower{i}": value for i, value in enumerate(lower)})
        first = "attribute_exists(pk) AND NOT contains(reply_kinds, :one)"
        if self._update(
            key,
            UpdateExpression="ADD reply_kinds :kind SET #status = :status, #at = :at, updated_at = :at",
            ConditionExpression=f"{first} AND #status IN ({', '.join(f':lower{i}' for i in range(len(lower)))})",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        ):
            return True
        return self._update(
            key,
            UpdateExpression="ADD reply_kinds :kind SET #at = :at, updated_at = :at",
            ConditionExpression=first,
            ExpressionAttributeNames={"#at": REPLY_TIME[kind]},
            ExpressionAttributeValues={":kind": {kind}, ":one": kind, ":at": iso(at)},
        )

    def remember_rfc_message_id(self, workspace_id: str, activity_id: str, rfc_message_id: str) -> None:
        """The Message-ID Gmail really stored (it may replace ours), read back once when a follow-up needs it."""
        self._table.update_item(
            Key=email_key(workspace_id, activity_id),
            UpdateExpression="SET rfc_message_id = :id",
            ExpressionAttributeValues={":id": rfc_message_id},
        )


class DynamoParkedEmails:
    """The parked emails of a workspace, by reason, through the sparse PARKED index: no scan, however many emails."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def parked(self, workspace_id: str, reason: str) -> list[EmailRecord]:
        records: list[EmailRecord] = []
        query: dict[str, Any] = {
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk AND begins_with(gsi1sk, :reason)",
            "ExpressionAttributeValues": {":pk": keys.parked_gsi1pk(workspace_id), ":reason": f"{reason}#"},
        }
        while True:
            answer = self._table.query(**query)
            records.extend(email_from_item(item) for item in answer.get("Items", []))
            last = answer.get("LastEvaluatedKey")
            if not last:
                return records
            query["ExclusiveStartKey"] = last
