"""The connection item: a workspace's one Gmail account, its encrypted refresh token and its poll cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gmail_integration.dal import keys
from gmail_integration.dal.items import Item, parse_time, text
from gmail_integration.models.domain import Connection, ConnectionStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def connection_key(workspace_id: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": keys.CONNECTION_SK}


def connection_from_item(item: Item) -> Connection:
    ciphertext = item["refresh_token"]
    return Connection(
        workspace_id=str(item["workspace_id"]),
        email=str(item["email"]),
        status=ConnectionStatus(str(item["status"])),
        connected_at=parse_time(item["connected_at"]),  # type: ignore[arg-type]
        refresh_token_ciphertext=bytes(ciphertext.value if hasattr(ciphertext, "value") else ciphertext),
        scopes=tuple(sorted(str(s) for s in item.get("scopes", ()))),
        history_id=text(item, "history_id"),
        last_error=text(item, "last_error"),
    )


class DynamoConnectionRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, workspace_id: str) -> Connection | None:
        answer = self._table.get_item(Key=connection_key(workspace_id), ConsistentRead=True)
        item = answer.get("Item")
        return connection_from_item(item) if item else None
