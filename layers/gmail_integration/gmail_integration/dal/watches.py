"""Gmail push watches: one item per workspace (expiry, last renewal) and one per address, so that a push
notification, which names only the address, finds its workspace with one GetItem.

| item    | pk               | sk      |
|---------|------------------|---------|
| watch   | WS#<ws>          | WATCH   |
| address | ADDRESS#<email>  | ADDRESS |
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gmail_integration.dal import keys
from gmail_integration.dal.items import iso, parse_time, text
from gmail_integration.models.watch import WatchState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table

WATCH_SK = "WATCH"
ADDRESS_SK = "ADDRESS"
_BATCH_GET = 100


def _watch_key(workspace_id: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": WATCH_SK}


def _address_key(email: str) -> dict[str, str]:
    return {"pk": f"ADDRESS#{email.strip().lower()}", "sk": ADDRESS_SK}


def _state(item: dict[str, Any]) -> WatchState:
    expiration = item.get("expiration_ms")
    return WatchState(
        workspace_id=str(item["workspace_id"]),
        email=text(item, "email"),
        expires_at=None if expiration is None else datetime.fromtimestamp(int(expiration) / 1000, UTC),
        renewed_at=parse_time(item.get("renewed_at")),
        failed_at=parse_time(item.get("failed_at")),
    )


class DynamoWatches:
    def __init__(self, dynamodb: DynamoDBServiceResource, table: Table) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def record(self, workspace_id: str, email: str, expiration_ms: int, at: datetime) -> None:
        # The address item first: a notification arriving between the two writes must find its workspace.
        self._table.put_item(Item={**_address_key(email), "workspace_id": workspace_id})
        self._table.put_item(
            Item={
                **_watch_key(workspace_id),
                "workspace_id": workspace_id,
                "email": email.strip().lower(),
                "expiration_ms": expiration_ms,
                "renewed_at": iso(at),
            }
        )

    def record_failure(self, workspace_id: str, at: datetime) -> None:
        self._table.update_item(
            Key=_watch_key(workspace_id),
            UpdateExpression="SET failed_at = :at, workspace_id = :ws",
            ExpressionAttributeValues={":at": iso(at), ":ws": workspace_id},
        )

    def remove(self, workspace_id: str, email: str | None) -> None:
        if email:
            self._delete_address(workspace_id, email)
        self._table.delete_item(Key=_watch_key(workspace_id))

    def _delete_address(self, workspace_id: str, email: str) -> None:
        """Only this workspace's claim on the address goes: another workspace may have connected it since."""
        try:
            self._table.delete_item(
                Key=_address_key(email),
                ConditionExpression="workspace_id = :ws",
                ExpressionAttributeValues={":ws": workspace_id},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def workspace_for(self, email: str) -> str | None:
        item = self._table.get_item(Key=_address_key(email)).get("Item")
        return None if item is None else str(item["workspace_id"])

    def states(self, workspace_ids: Sequence[str]) -> dict[str, WatchState]:
        found: dict[str, WatchState] = {}
        for start in range(0, len(workspace_ids), _BATCH_GET):
            pending: Any = {
                self._table.name: {
                    "Keys": [_watch_key(ws) for ws in dict.fromkeys(workspace_ids[start : start + _BATCH_GET])]
                }
            }
            while pending:
                answer = self._dynamodb.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self._table.name, []):
                    state = _state(item)
                    found[state.workspace_id] = state
                pending = answer.get("UnprocessedKeys") or None
        return found
