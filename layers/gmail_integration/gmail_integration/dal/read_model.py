"""What the API shows of a workspace's emails: one email, or a page of them in activity order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gmail_integration.dal import keys
from gmail_integration.dal.email_item import email_from_item, email_key
from gmail_integration.dal.paging import query_page
from gmail_integration.models.domain import EmailRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoEmailReadModel:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, workspace_id: str, activity_id: str) -> EmailRecord | None:
        item = self._table.get_item(Key=email_key(workspace_id, activity_id), ConsistentRead=True).get("Item")
        return email_from_item(item) if item else None

    def list_page(self, workspace_id: str, limit: int, after: str | None) -> tuple[list[EmailRecord], str | None]:
        """One page of the workspace's emails in activity id order, and the activity id to continue after."""
        items, last = query_page(
            self._table,
            limit,
            email_key(workspace_id, after) if after else None,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": keys.workspace_pk(workspace_id), ":prefix": keys.EMAIL_SK_PREFIX},
        )
        records = [email_from_item(item) for item in items]
        return records, (str(last["sk"]).removeprefix(keys.EMAIL_SK_PREFIX) if last else None)
