"""The roles the connection use cases need; ``oauth``, ``gmail``, ``dal`` and ``sending`` provide them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import SecretStr

from gmail_integration.models.authorization import PendingAuthorization
from gmail_integration.models.domain import Connection
from gmail_integration.models.gmail import GmailAccount
from gmail_integration.models.oauth import RevokeOutcome, TokenGrant


class OAuthProvider(Protocol):
    def authorization_url(self, state: str, redirect_uri: str) -> tuple[str, str]: ...

    def exchange(self, code: str, code_verifier: str, redirect_uri: str) -> TokenGrant: ...

    def revoke(self, token: SecretStr) -> RevokeOutcome: ...


class AccountReader(Protocol):
    def read_account(self, refresh_token: SecretStr, access_token: SecretStr) -> GmailAccount: ...


class TokenVault(Protocol):
    def seal(self, workspace_id: str, token: SecretStr) -> bytes: ...

    def open(self, workspace_id: str, ciphertext: bytes) -> SecretStr: ...

    def forget(self, workspace_id: str) -> None: ...


class ConnectionRepository(Protocol):
    def get(self, workspace_id: str) -> Connection | None: ...

    def replace(self, connection: Connection) -> Connection | None: ...

    def mark_needs_reconnect(self, workspace_id: str, reason: str, now: datetime) -> bool: ...

    def tombstone(self, workspace_id: str, now: datetime, last_error: str | None) -> None: ...


class StateStore(Protocol):
    def save(self, nonce: str, pending: PendingAuthorization) -> None: ...

    def consume(self, nonce: str, now: datetime) -> PendingAuthorization | None:
        """The pending authorization, at most once, and only before it expires."""
        ...


class CredentialsForgetter(Protocol):
    def forget(self, workspace_id: str) -> None: ...


class ConnectionReader(Protocol):
    def get(self, workspace_id: str) -> Connection | None: ...


class GrantHolders(Protocol):
    """Workspaces holding a grant of a Google account: revoking one token at Google revokes the account's grant."""

    def hold(self, email: str, workspace_id: str) -> None: ...

    def release(self, email: str, workspace_id: str) -> None: ...

    def held_elsewhere(self, email: str, workspace_id: str) -> bool: ...
