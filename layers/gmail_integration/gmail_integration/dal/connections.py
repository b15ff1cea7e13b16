"""The connection item: a workspace's one Gmail account, its encrypted refresh token and its poll cursor."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from gmail_integration.dal import keys
from gmail_integration.dal.items import Item, conditional_update, text
from gmail_integration.models.domain import NEEDS_RECONNECT_MESSAGES, Connection, ConnectionStatus, RecoveryCursor
from gmail_integration.models.times import iso, parse_time

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def connection_key(workspace_id: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": keys.CONNECTION_SK}


def _binary(value: Any) -> bytes | None:
    if value is None:
        return None
    return bytes(value.value if hasattr(value, "value") else value)


def _cursor(value: Any) -> str | None:
    """Gmail's historyId, a uint64 kept as a DynamoDB number so that conditions compare it as a number."""
    return None if value is None else str(int(value))


def _recovery(item: Item) -> RecoveryCursor | None:
    noted = _cursor(item.get("recovery_history_id"))
    return None if noted is None else RecoveryCursor(history_id=noted, page=text(item, "recovery_page"))


def connection_from_item(item: Item) -> Connection:
    return Connection(
        workspace_id=str(item["workspace_id"]),
        status=ConnectionStatus(str(item["status"])),
        email=text(item, "email"),
        connected_at=parse_time(item.get("connected_at")),
        refresh_token_ciphertext=_binary(item.get("refresh_token")),
        scopes=tuple(sorted(str(s) for s in item.get("scopes", ()))),
        history_id=_cursor(item.get("history_id")),
        reason=text(item, "reason"),
        last_error=text(item, "last_error"),
        user_id=text(item, "user_id"),
        paused_until=parse_time(item.get("paused_until")),
        throttled_until=parse_time(item.get("throttled_until")),
        recovery=_recovery(item),
    )


class DynamoConnectionRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, workspace_id: str) -> Connection | None:
        answer = self._table.get_item(Key=connection_key(workspace_id), ConsistentRead=True)
        item = answer.get("Item")
        return connection_from_item(item) if item else None

    def replace(self, connection: Connection) -> Connection | None:
        """Stores a fresh connection (connect or reconnect) and returns the one it replaced, read atomically."""
        assert connection.status is ConnectionStatus.CONNECTED
        assert connection.connected_at is not None
        item: Item = {
            **connection_key(connection.workspace_id),
            "workspace_id": connection.workspace_id,
            "status": connection.status.value,
            "email": connection.email,
            "connected_at": iso(connection.connected_at),
            "refresh_token": connection.refresh_token_ciphertext,
            "scopes": set(connection.scopes),
            "history_id": int(connection.history_id) if connection.history_id else None,
            "user_id": connection.user_id,
            # The sparse index of connected mailboxes, which the poll scheduler walks.
            "gsi1pk": keys.mailboxes_gsi1pk(keys.mailbox_shard(connection.workspace_id)),
            "gsi1sk": connection.workspace_id,
        }
        answer = self._table.put_item(Item={k: v for k, v in item.items() if v is not None}, ReturnValues="ALL_OLD")
        old = answer.get("Attributes")
        return connection_from_item(old) if old else None

    def mark_needs_reconnect(self, workspace_id: str, reason: str, now: datetime) -> bool:
        """True only for the call that moved a connected mailbox to needs_reconnect: one event, one alert.

        The mailbox leaves the poll set (the sparse index) until the user reconnects.
        """
        return conditional_update(
            self._table,
            connection_key(workspace_id),
            UpdateExpression="SET #status = :lost, reason = :reason, last_error = :message, lost_at = :now"
            " REMOVE gsi1pk, gsi1sk",
            ConditionExpression="#status = :connected",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":lost": ConnectionStatus.NEEDS_RECONNECT.value,
                ":connected": ConnectionStatus.CONNECTED.value,
                ":reason": reason,
                ":message": NEEDS_RECONNECT_MESSAGES.get(reason, reason),
                ":now": iso(now),
            },
        )

    def tombstone(self, workspace_id: str, now: datetime, last_error: str | None) -> None:
        """Forgets the account and its token; keeps only what the Settings card should still say."""
        item: Item = {
            **connection_key(workspace_id),
            "workspace_id": workspace_id,
            "status": ConnectionStatus.DISCONNECTED.value,
            "disconnected_at": iso(now),
        }
        if last_error:
            item["last_error"] = last_error
        self._table.put_item(Item=item)

    def pause_sending(self, workspace_id: str, until: datetime) -> None:
        """Gmail's daily limit is spent: the workspace's emails wait until ``until`` (the poll re-drives them)."""
        self._table.update_item(
            Key=connection_key(workspace_id),
            UpdateExpression="SET paused_until = :until",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":until": iso(until)},
        )

    def advance_cursor(self, workspace_id: str, history_id: str) -> bool:
        """Moves the poll cursor forward only: two overlapping polls can never move it back."""
        return conditional_update(
            self._table,
            connection_key(workspace_id),
            UpdateExpression="SET history_id = :new",
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(history_id) OR history_id < :new)",
            ExpressionAttributeValues={":new": int(history_id)},
        )

    def save_recovery(self, workspace_id: str, cursor: RecoveryCursor) -> None:
        """Keeps an unfinished history recovery's place on the mailbox, for the next poll to go on from."""
        values: Item = {":noted": int(cursor.history_id)}
        update = "SET recovery_history_id = :noted REMOVE recovery_page"
        if cursor.page:
            values[":page"] = cursor.page
            update = "SET recovery_history_id = :noted, recovery_page = :page"
        self._table.update_item(
            Key=connection_key(workspace_id),
            UpdateExpression=update,
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=values,
        )

    def finish_recovery(self, workspace_id: str, history_id: str) -> bool:
        """Ends a recovery: the cursor moves to the id noted before it began (forward only) and its place is
        dropped. False when the cursor was already there or beyond (only the place is dropped then)."""
        if conditional_update(
            self._table,
            connection_key(workspace_id),
            UpdateExpression="SET history_id = :new REMOVE recovery_history_id, recovery_page",
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(history_id) OR history_id < :new)",
            ExpressionAttributeValues={":new": int(history_id)},
        ):
            return True
        conditional_update(
            self._table,
            connection_key(workspace_id),
            UpdateExpression="REMOVE recovery_history_id, recovery_page",
            ConditionExpression="attribute_exists(pk)",
        )
        return False

    def resume_sending(self, workspace_id: str, until: datetime) -> bool:
        """Ends a daily-limit pause once; True for the one caller that should re-drive what waited."""
        return conditional_update(
            self._table,
            connection_key(workspace_id),
            UpdateExpression="REMOVE paused_until",
            ConditionExpression="paused_until = :until",
            ExpressionAttributeValues={":until": iso(until)},
        )

    def throttle(self, workspace_id: str, until: datetime) -> bool:
        """Google asked this mailbox to slow down: every worker holds its Gmail calls until ``until``.

        Only ever moved later, so a short wait never shortens a longer one.
        """
        return conditional_update(
            self._table,
            connection_key(workspace_id),
            UpdateExpression="SET throttled_until = :until",
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(throttled_until)"
            " OR throttled_until < :until)",
            ExpressionAttributeValues={":until": iso(until)},
        )
