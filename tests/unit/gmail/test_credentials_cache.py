"""A warm poll container asks KMS and Google nothing for a mailbox it has seen, past the old 2,048-workspace bound.

The poll worker keeps one ``Credentials`` per workspace (its access token and expiry inside), so a second poll of the
same mailbox reuses the token: no decrypt and no refresh. bench/poll_cost.py measures the same on the local stack.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from pydantic import SecretStr

from gmail_integration.gmail.credentials import CredentialsCache
from gmail_integration.models.domain import Connection, ConnectionStatus
from gmail_integration.oauth.google import OAuthClient

MAILBOXES = 2_100  # the fleet size at which the old fixed cache of 2,048 decrypted and refreshed on every poll


class CountingVault:
    def __init__(self) -> None:
        self.opened: Counter[str] = Counter()

    def open(self, workspace_id: str, ciphertext: bytes) -> SecretStr:
        self.opened[workspace_id] += 1
        return SecretStr(f"refresh-{workspace_id}-{ciphertext.hex()}")


def _client() -> OAuthClient:
    return OAuthClient("client", SecretStr("secret"), "https://auth.example", "https://token.example", "https://r")


def _connection(n: int, ciphertext: bytes = b"sealed") -> Connection:
    return Connection(
        workspace_id=f"ws_{n:05}",
        status=ConnectionStatus.CONNECTED,
        email=f"owner{n}@company.example",
        connected_at=datetime(2026, 11, 28, tzinfo=UTC),
        refresh_token_ciphertext=ciphertext,
        history_id="100",
    )


def test_a_second_round_over_more_than_2048_mailboxes_decrypts_nothing_and_keeps_each_token() -> None:
    # Given a container that has polled 2,100 mailboxes once, each holding a refreshed access token
    vault = CountingVault()
    cache = CredentialsCache(vault, _client)  # type: ignore[arg-type]
    first = {n: cache.for_connection(_connection(n)) for n in range(MAILBOXES)}
    for n, credentials in first.items():
        credentials.token = f"access-{n}"
    # When every mailbox is polled again
    second = {n: cache.for_connection(_connection(n)) for n in range(MAILBOXES)}
    # Then no refresh token is decrypted again and each poll gets the credentials with its access token
    assert sum(vault.opened.values()) == MAILBOXES
    assert all(second[n] is first[n] and second[n].token == f"access-{n}" for n in range(MAILBOXES))


def test_a_reconnect_is_a_new_token_decrypted_once() -> None:
    # Given a mailbox seen once
    vault = CountingVault()
    cache = CredentialsCache(vault, _client)  # type: ignore[arg-type]
    old = cache.for_connection(_connection(1))
    # When it is reconnected (a new sealed refresh token) and polled twice
    new = cache.for_connection(_connection(1, b"resealed"))
    again = cache.for_connection(_connection(1, b"resealed"))
    # Then the new token is decrypted once and the old credentials are not reused
    assert vault.opened["ws_00001"] == 2
    assert new is again
    assert new is not old
    assert new.refresh_token != old.refresh_token
