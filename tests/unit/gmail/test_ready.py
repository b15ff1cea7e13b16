"""Before the mailbox's slot is stamped, the adapter makes the token valid, so the send after it is one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from google.auth.exceptions import RefreshError

from gmail_integration.gmail.gateway import GoogleGmailGateway
from gmail_integration.models.domain import Connection, ConnectionStatus
from gmail_integration.models.gmail_errors import AuthorizationLostError

CONNECTION = Connection(
    workspace_id="ws_1",
    status=ConnectionStatus.CONNECTED,
    email="sam@company.example",
    connected_at=datetime(2026, 11, 1, tzinfo=UTC),
    refresh_token_ciphertext=b"x",
)


@dataclass
class _Credentials:
    valid: bool
    error: Exception | None = None
    refreshed: list[Any] = field(default_factory=list)

    def refresh(self, request: Any) -> None:
        if self.error is not None:
            raise self.error
        self.refreshed.append(request)
        self.valid = True


@dataclass
class _Cache:
    credentials: _Credentials

    def for_connection(self, connection: Connection) -> _Credentials:
        return self.credentials


def gateway(credentials: _Credentials) -> GoogleGmailGateway:
    return GoogleGmailGateway("https://gmail.googleapis.com/", lambda: None, _Cache(credentials))  # type: ignore[arg-type,return-value]


def test_an_expired_token_is_refreshed_before_the_slot_not_during_the_send() -> None:
    credentials = _Credentials(valid=False)
    gateway(credentials).ready(CONNECTION)
    assert len(credentials.refreshed) == 1
    gateway(credentials).ready(CONNECTION)
    assert len(credentials.refreshed) == 1, "a valid token is not refreshed again"


def test_a_grant_refused_at_refresh_is_the_same_gmail_error_a_send_would_meet() -> None:
    credentials = _Credentials(
        valid=False, error=RefreshError("invalid_grant: Token has been expired or revoked.", {"error": "invalid_grant"})
    )
    with pytest.raises(AuthorizationLostError):
        gateway(credentials).ready(CONNECTION)
