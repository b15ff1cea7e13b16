"""Per-workspace Google credentials, kept for the warm container's life.

A ``Credentials`` object holds the access token and its expiry; google-auth refreshes it only when it has expired
(or on a 401), and keeps the stored refresh token when Google's answer carries none. Keeping the object across
invocations means one token refresh per workspace per hour, not one per email, and one KMS decrypt per container.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from google.oauth2.credentials import Credentials

from gmail_integration.cache import WorkspaceCache, secret_key
from gmail_integration.gmail.client import user_credentials
from gmail_integration.models.domain import Connection
from gmail_integration.oauth.google import OAuthClient

if TYPE_CHECKING:
    from gmail_integration.mailbox.ports import TokenVault


class CredentialsCache:
    def __init__(self, vault: TokenVault, oauth_client: Callable[[], OAuthClient]) -> None:
        self._vault = vault
        self._oauth_client = oauth_client
        self._cache: WorkspaceCache[Credentials] = WorkspaceCache()

    def for_connection(self, connection: Connection) -> Credentials:
        ciphertext = connection.refresh_token_ciphertext
        if ciphertext is None:
            raise ValueError("the connection holds no token")
        key = secret_key(connection.workspace_id, ciphertext)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        refresh_token = self._vault.open(connection.workspace_id, ciphertext)
        credentials = user_credentials(self._oauth_client(), refresh_token.get_secret_value())
        self._cache.put(key, credentials)
        return credentials

    def forget(self, workspace_id: str) -> None:
        self._cache.forget(workspace_id)

    def forget_all(self) -> None:
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)
