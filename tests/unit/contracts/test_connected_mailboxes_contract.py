"""The connected-mailbox index's promises to the schedule, held by the fake and by DynamoDB (moto) alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gmail_integration.dal.connections import DynamoConnectionRepository
from gmail_integration.dal.mailboxes import DynamoConnectedMailboxes
from gmail_integration.models.domain import Connection, ConnectionStatus
from gmail_integration.replies.ports import ConnectedMailboxes
from tests.unit.fake_mailboxes import FakeConnectedMailboxes

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CONNECTED = [f"ws_{i:03}" for i in range(120)]
LOST = ["ws_lost_1", "ws_lost_2"]


def _connection(workspace_id: str) -> Connection:
    return Connection(
        workspace_id=workspace_id,
        status=ConnectionStatus.CONNECTED,
        email=f"{workspace_id}@company.example",
        connected_at=NOW,
        refresh_token_ciphertext=b"sealed",
        scopes=("https://www.googleapis.com/auth/gmail.metadata",),
        history_id="100",
    )


@pytest.fixture(params=["fake", "dynamodb"])
def mailboxes(request: pytest.FixtureRequest) -> ConnectedMailboxes:
    if request.param == "fake":
        return FakeConnectedMailboxes(CONNECTED)
    table: Any = request.getfixturevalue("dynamodb_table")
    connections = DynamoConnectionRepository(table)
    for workspace_id in CONNECTED + LOST:
        connections.replace(_connection(workspace_id))
    for workspace_id in LOST:
        connections.mark_needs_reconnect(workspace_id, "token_revoked", NOW)
    return DynamoConnectedMailboxes(table)


def test_the_shards_together_hold_every_connected_mailbox_once(mailboxes: ConnectedMailboxes) -> None:
    found = [ws for shard in mailboxes.shards() for ws in mailboxes.in_shard(shard)]
    assert sorted(found) == CONNECTED
    assert len({shard for shard in mailboxes.shards() if list(mailboxes.in_shard(shard))}) > 1, "spread over shards"
    assert sorted(mailboxes.connected()) == CONNECTED
