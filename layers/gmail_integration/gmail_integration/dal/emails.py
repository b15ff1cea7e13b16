"""The email items: one per activity, from approval to reply."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gmail_integration.dal import keys
from gmail_integration.dal.items import Item, iso, parse_time, text, without_none
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import PARK_REASON_MESSAGES, EmailRecord, EmailStatus, ParkReason

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def email_from_item(item: Item) -> EmailRecord:
    return EmailRecord(
        workspace_id=str(item["workspace_id"]),
        activity_id=str(item["activity_id"]),
        agent_id=str(item["agent_id"]),
        status=EmailStatus(str(item["status"])),
        reason=text(item, "reason"),
        reason_message=text(item, "reason_message"),
        to_email=str(item["to_email"]),
        subject=str(item["subject"]),
        in_reply_to_activity_id=text(item, "in_reply_to_activity_id"),
        gmail_message_id=text(item, "gmail_message_id"),
        gmail_thread_id=text(item, "gmail_thread_id"),
        message_id=text(item, "message_id"),
        approved_at=parse_time(item["approved_at"]) or datetime.min,
        sent_at=parse_time(item.get("sent_at")),
        replied_at=parse_time(item.get("replied_at")),
        updated_at=parse_time(item["updated_at"]) or datetime.min,
        command=text(item, "command"),
    )


def _is_conditional_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoEmailRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, workspace_id: str, activity_id: str) -> EmailRecord | None:
        answer = self._table.get_item(
            Key={"pk": keys.workspace_pk(workspace_id), "sk": keys.email_sk(activity_id)}, ConsistentRead=True
        )
        item = answer.get("Item")
        return email_from_item(item) if item else None

    def list_page(self, workspace_id: str, limit: int, after: str | None) -> tuple[list[EmailRecord], str | None]:
        """One page of the workspace's emails in activity id order, and the activity id to continue after."""
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": keys.workspace_pk(workspace_id), ":prefix": keys.EMAIL_SK_PREFIX},
            "Limit": limit,
        }
        if after:
            query["ExclusiveStartKey"] = {"pk": keys.workspace_pk(workspace_id), "sk": keys.email_sk(after)}
        answer = self._table.query(**query)
        records = [email_from_item(item) for item in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        return records, (str(last["sk"]).removeprefix(keys.EMAIL_SK_PREFIX) if last else None)

    def park(self, command: SendEmailV1, reason: ParkReason, now: datetime) -> bool:
        """Records the email as waiting in Email Ready for ``reason``; False when it already waited for that reason.

        Creates the item on the email's first delivery. An email that has gone further (sending, sent, failed) is
        never pulled back: the condition refuses it, and False tells the caller nothing changed.
        """
        when = iso(now)
        values = without_none(
            {
                ":ready": EmailStatus.EMAIL_READY.value,
                ":reason": reason.value,
                ":reason_message": PARK_REASON_MESSAGES[reason],
                ":now": when,
                ":gsi1pk": keys.parked_gsi1pk(command.workspace_id),
                ":gsi1sk": f"{reason.value}#{iso(command.approved_at)}#{command.activity_id}",
                **self._command_values(command),
            }
        )
        try:
            self._table.update_item(
                Key={"pk": keys.workspace_pk(command.workspace_id), "sk": keys.email_sk(command.activity_id)},
                UpdateExpression=(
                    "SET #status = :ready, reason = :reason, reason_message = :reason_message, updated_at = :now,"
                    " gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, " + self._command_assignments(command)
                ),
                ConditionExpression=(
                    "attribute_not_exists(pk)"
                    " OR (#status = :ready AND (attribute_not_exists(reason) OR reason <> :reason))"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise
        return True

    def mark_invalid(self, workspace_id: str, activity_id: str, reason_message: str, now: datetime) -> bool:
        """Marks an email FAILED because its queue message could not be read; only an email not yet sent."""
        try:
            self._table.update_item(
                Key={"pk": keys.workspace_pk(workspace_id), "sk": keys.email_sk(activity_id)},
                UpdateExpression=(
                    "SET #status = :failed, reason = :reason, reason_message = :message, updated_at = :now,"
                    " workspace_id = :ws, activity_id = :act,"
                    " agent_id = if_not_exists(agent_id, :unknown), to_email = if_not_exists(to_email, :unknown),"
                    " subject = if_not_exists(subject, :unknown), approved_at = if_not_exists(approved_at, :now)"
                    " REMOVE gsi1pk, gsi1sk, command"
                ),
                ConditionExpression="attribute_not_exists(pk) OR #status IN (:ready, :failed)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":failed": EmailStatus.FAILED.value,
                    ":ready": EmailStatus.EMAIL_READY.value,
                    ":reason": "invalid_message",
                    ":message": reason_message,
                    ":now": iso(now),
                    ":ws": workspace_id,
                    ":act": activity_id,
                    ":unknown": "",
                },
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise
        return True

    @staticmethod
    def _command_values(command: SendEmailV1) -> Item:
        return {
            ":ws": command.workspace_id,
            ":act": command.activity_id,
            ":agent": command.agent_id,
            ":to": command.to.email,
            ":subject": command.subject,
            ":approved": iso(command.approved_at),
            ":command": command.model_dump_json(),
            ":in_reply_to": command.in_reply_to_activity_id,
        }

    @staticmethod
    def _command_assignments(command: SendEmailV1) -> str:
        assignments = (
            "workspace_id = :ws, activity_id = :act, agent_id = :agent, to_email = :to, subject = :subject,"
            " approved_at = :approved, command = :command"
        )
        if command.in_reply_to_activity_id:
            assignments += ", in_reply_to_activity_id = :in_reply_to"
        return assignments


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
