"""The reply detection's one write: an email learns that it was answered, and how."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from gmail_integration.dal.email_item import email_key
from gmail_integration.dal.items import Item, conditional_update
from gmail_integration.models.domain import EmailStatus
from gmail_integration.models.times import iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

STATUS_RANK = (EmailStatus.SENT, EmailStatus.AUTO_REPLIED, EmailStatus.BOUNCED, EmailStatus.REPLIED)
REPLY_STATUS = {"auto_reply": EmailStatus.AUTO_REPLIED, "bounce": EmailStatus.BOUNCED, "reply": EmailStatus.REPLIED}
REPLY_TIME = {"auto_reply": "auto_replied_at", "bounce": "bounced_at", "reply": "replied_at"}


class DynamoReplies:
    def __init__(self, table: Table) -> None:
        self._table = table

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
        if conditional_update(
            self._table,
            key,
            UpdateExpression="ADD reply_kinds :kind SET #status = :status, #at = :at, updated_at = :at",
            ConditionExpression=f"{first} AND #status IN ({', '.join(f':lower{i}' for i in range(len(lower)))})",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        ):
            return True
        return conditional_update(
            self._table,
            key,
            UpdateExpression="ADD reply_kinds :kind SET #at = :at, updated_at = :at",
            ConditionExpression=first,
            ExpressionAttributeNames={"#at": REPLY_TIME[kind]},
            ExpressionAttributeValues={":kind": {kind}, ":one": kind, ":at": iso(at)},
        )
