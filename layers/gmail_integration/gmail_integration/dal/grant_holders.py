"""Which workspaces hold a grant of one Google account: one item per (account, workspace).

Google keeps one grant per account and OAuth client, so revoking any of its tokens revokes them all: the service
may connect one account in two workspaces, and giving one up must not cut the other off. The account is keyed by
the SHA-256 of its address, so the key names no mailbox.

| item         | pk                    | sk      |
|--------------|-----------------------|---------|
| grant holder | ACCOUNT#<sha256(addr)> | WS#<ws> |
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from gmail_integration.dal import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def _account_pk(email: str) -> str:
    return "ACCOUNT#" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


class DynamoGrantHolders:
    def __init__(self, table: Table) -> None:
        self._table = table

    def hold(self, email: str, workspace_id: str) -> None:
        self._table.put_item(
            Item={"pk": _account_pk(email), "sk": keys.workspace_pk(workspace_id), "workspace_id": workspace_id}
        )

    def release(self, email: str, workspace_id: str) -> None:
        self._table.delete_item(Key={"pk": _account_pk(email), "sk": keys.workspace_pk(workspace_id)})

    def held_elsewhere(self, email: str, workspace_id: str) -> bool:
        """True when a workspace other than ``workspace_id`` still holds a grant of this account."""
        answer = self._table.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": _account_pk(email)},
            ProjectionExpression="sk",
            Limit=2,
            ConsistentRead=True,
        )
        return any(item["sk"] != keys.workspace_pk(workspace_id) for item in answer.get("Items", []))
