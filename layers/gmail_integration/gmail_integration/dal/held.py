"""Upstream's word on a parked email: release it (send it once, whatever the thread holds) or cancel it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from gmail_integration.dal.email_item import STATUS, email_from_item, email_key
from gmail_integration.dal.items import conditional_update
from gmail_integration.models.domain import EmailRecord, EmailStatus
from gmail_integration.models.times import iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

PARKED = "#status = :ready AND attribute_exists(reason)"
"""A parked email: waiting in Email Ready with a reason (a claim removes the reason; a re-drive keeps it)."""


class DynamoHeldEmails:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, workspace_id: str, activity_id: str) -> EmailRecord | None:
        item = self._table.get_item(Key=email_key(workspace_id, activity_id), ConsistentRead=True).get("Item")
        return email_from_item(item) if item else None

    def release(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        """Marks a parked email released; False when it is not parked (any more)."""
        return conditional_update(
            self._table,
            email_key(workspace_id, activity_id),
            UpdateExpression="SET released = :yes, updated_at = :now",
            ConditionExpression=PARKED,
            ExpressionAttributeNames=STATUS,
            ExpressionAttributeValues={":yes": True, ":now": iso(now), ":ready": EmailStatus.EMAIL_READY.value},
        )

    def cancel(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        """CANCELLED, final, the kept message dropped; False when it is not parked (any more)."""
        return conditional_update(
            self._table,
            email_key(workspace_id, activity_id),
            UpdateExpression=(
                "SET #status = :cancelled, updated_at = :now REMOVE reason, reason_message, gsi1pk, gsi1sk, command"
            ),
            ConditionExpression=PARKED,
            ExpressionAttributeNames=STATUS,
            ExpressionAttributeValues={
                ":cancelled": EmailStatus.CANCELLED.value,
                ":now": iso(now),
                ":ready": EmailStatus.EMAIL_READY.value,
            },
        )
