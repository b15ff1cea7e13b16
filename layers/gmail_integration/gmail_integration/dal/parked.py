"""The parked index: emails waiting in Email Ready, by workspace and reason, for the re-drive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gmail_integration.dal import keys
from gmail_integration.dal.email_item import email_from_item
from gmail_integration.dal.paging import query_all
from gmail_integration.models.domain import EmailRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoParkedEmails:
    """The parked emails of a workspace, by reason, through the sparse PARKED index: no scan, however many emails."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def parked(self, workspace_id: str, reason: str) -> list[EmailRecord]:
        items = query_all(
            self._table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk AND begins_with(gsi1sk, :reason)",
            ExpressionAttributeValues={":pk": keys.parked_gsi1pk(workspace_id), ":reason": f"{reason}#"},
        )
        return [email_from_item(item) for item in items]
