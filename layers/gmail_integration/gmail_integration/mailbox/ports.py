"""The roles the connection use cases need; ``oauth``, ``gmail``, ``dal`` and ``sending`` provide them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from pydantic import SecretStr

from gmail_integration.gmail.gateway import Profile
from gmail_integration.models.domain import Connection, ParkReason
from gmail_integration.oauth.google import RevokeOutcome, TokenGrant


class OAuthProvider(Protocol):
    def authorization_url(self, state: str, redirect_uri: str) -> tuple[str, str]: ...

    def exchange(self, code: str, code_verifier: str, redirect_uri: str) -> TokenGrant: ...

    def revoke(self, token: SecretStr) -> RevokeOutcome: ...


class ProfileReader(Protocol):
    def read_profile(self, refresh_token: SecretStr, access_token: SecretStr) -> Profile: ...


class TokenVault(Protocol):
    def seal(self, workspace_id: str, token: SecretStr) -> bytes: ...

    def open(self, workspace_id: str, ciphertext: bytes) -> SecretStr: ...

    def forget(self, workspace_id: str) -> None: ...


class ConnectionRepository(Protocol):
    def get(self, workspace_id: str) -> Connection | None: ...

    def replace(self, connection: Connection) -> Connection | None: ...

    def mark_needs_reconnect(self, workspace_id: str, reason: str, now: datetime) -> bool: ...

    def tombstone(self, workspace_id: str, now: datetime, last_error: str | None) -> None: ...


class GrantHolders(Protocol):
    """Workspaces holding a grant of a Google account: revoking one token at Google revokes the account's grant."""

    def hold(self, email: str, workspace_id: str) -> None: ...

    def release(self, email: str, workspace_id: str) -> None: ...

    def held_elsewhere(self, email: str, workspace_id: str) -> bool: ...


class Redrive(Protocol):
    def __call__(self, workspace_id: str, reasons: Sequence[ParkReason], agent_id: str | None = None) -> int: ...
