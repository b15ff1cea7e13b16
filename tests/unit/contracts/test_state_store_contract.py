"""The OAuth state store's promises, held by FakeStates and by DynamoDB (moto) alike: at most once, never late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gmail_integration.dal.states import DynamoStateStore
from gmail_integration.mailbox.ports import StateStore
from gmail_integration.models.authorization import PendingAuthorization
from tests.unit.fakes import FakeStates

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PENDING = PendingAuthorization(
    workspace_id="ws_1",
    user_id="u1",
    code_verifier="v" * 43,
    redirect_uri="https://api.example/gmail/oauth/callback",
    expires_at=NOW + timedelta(minutes=10),
    browser_binding_hash="b" * 64,
)


@pytest.fixture(params=["fake", "dynamodb"])
def states(request: pytest.FixtureRequest) -> StateStore:
    if request.param == "fake":
        return FakeStates()
    table: Any = request.getfixturevalue("dynamodb_table")
    return DynamoStateStore(table)


def test_a_state_is_consumed_once(states: StateStore) -> None:
    states.save("nonce-1", PENDING)
    assert states.consume("nonce-1", NOW) == PENDING
    assert states.consume("nonce-1", NOW) is None


def test_an_unknown_state_finds_nothing(states: StateStore) -> None:
    states.save("nonce-1", PENDING)
    assert states.consume("nonce-2", NOW) is None
    assert states.consume("nonce-1", NOW) == PENDING


def test_an_expired_state_is_refused_and_gone(states: StateStore) -> None:
    states.save("nonce-1", PENDING)
    assert states.consume("nonce-1", PENDING.expires_at) is None
    assert states.consume("nonce-1", NOW) is None
