"""The connection repository's promises, held by FakeConnections and by DynamoDB (moto) alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gmail_integration.dal.connections import DynamoConnectionRepository
from gmail_integration.mailbox.ports import ConnectionRepository
from gmail_integration.models.domain import Connection, ConnectionStatus, RecoveryCursor
from tests.unit.fakes import FakeConnections

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CONNECTED = Connection(
    workspace_id="ws_1",
    status=ConnectionStatus.CONNECTED,
    email="sam@company.example",
    connected_at=NOW,
    refresh_token_ciphertext=b"sealed",
    scopes=("https://www.googleapis.com/auth/gmail.metadata", "https://www.googleapis.com/auth/gmail.send"),
    history_id="100",
    user_id="u1",
)


@pytest.fixture(params=["fake", "dynamodb"])
def connections(request: pytest.FixtureRequest) -> ConnectionRepository:
    if request.param == "fake":
        return FakeConnections()
    table: Any = request.getfixturevalue("dynamodb_table")
    return DynamoConnectionRepository(table)


def test_replace_stores_and_answers_the_connection_it_replaced(connections: ConnectionRepository) -> None:
    assert connections.replace(CONNECTED) is None
    second = CONNECTED.model_copy(update={"email": "pat@company.example", "history_id": "200"})
    assert connections.replace(second) == CONNECTED
    assert connections.get("ws_1") == second


def test_needs_reconnect_is_set_once_with_words_for_the_card(connections: ConnectionRepository) -> None:
    connections.replace(CONNECTED)
    assert connections.mark_needs_reconnect("ws_1", "token_revoked", NOW)
    assert not connections.mark_needs_reconnect("ws_1", "token_revoked", NOW)
    lost = connections.get("ws_1")
    assert lost is not None
    assert (lost.status, lost.reason) == (ConnectionStatus.NEEDS_RECONNECT, "token_revoked")
    assert lost.last_error
    assert lost.refresh_token_ciphertext == b"sealed", "the token stays until the user disconnects or reconnects"


def test_a_missing_mailbox_is_never_marked(connections: ConnectionRepository) -> None:
    assert not connections.mark_needs_reconnect("ws_nobody", "token_revoked", NOW)
    assert connections.get("ws_nobody") is None


def test_tombstone_forgets_the_account_and_keeps_the_last_error(connections: ConnectionRepository) -> None:
    connections.replace(CONNECTED)
    connections.tombstone("ws_1", NOW, "revoke_failed")
    gone = connections.get("ws_1")
    assert gone == Connection(workspace_id="ws_1", status=ConnectionStatus.DISCONNECTED, last_error="revoke_failed")


def test_a_recovery_keeps_its_place_and_ends_on_the_noted_id(connections: Any) -> None:
    connections.replace(CONNECTED)
    connections.save_recovery("ws_1", RecoveryCursor(history_id="500", page='{"k": "page 2"}'))
    paused = connections.get("ws_1")
    assert paused.recovery == RecoveryCursor(history_id="500", page='{"k": "page 2"}')
    assert paused.history_id == "100", "the cursor stays until the recovery is complete"
    connections.save_recovery("ws_1", RecoveryCursor(history_id="500", page=None))
    assert connections.get("ws_1").recovery == RecoveryCursor(history_id="500", page=None)
    assert connections.finish_recovery("ws_1", "500")
    done = connections.get("ws_1")
    assert (done.history_id, done.recovery) == ("500", None)


def test_finishing_a_recovery_never_moves_the_cursor_back(connections: Any) -> None:
    connections.replace(CONNECTED.model_copy(update={"history_id": "900"}))
    connections.save_recovery("ws_1", RecoveryCursor(history_id="500"))
    assert not connections.finish_recovery("ws_1", "500")
    done = connections.get("ws_1")
    assert (done.history_id, done.recovery) == ("900", None), "the place is dropped all the same"


def test_a_reconnect_drops_an_unfinished_recovery(connections: Any) -> None:
    connections.replace(CONNECTED)
    connections.save_recovery("ws_1", RecoveryCursor(history_id="500", page="p"))
    connections.replace(CONNECTED.model_copy(update={"history_id": "700"}))
    assert connections.get("ws_1").recovery is None
