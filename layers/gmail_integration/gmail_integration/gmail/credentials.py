"""Per-workspace Google credentials, kept for the warm container's life.

A ``Credentials`` object holds the access token and its expiry; google-auth refreshes it only when it has expired
(or on a 401), and keeps the stored refresh token when Google's answer carries none. Keeping the object across
invocations means one token refresh per workspace per hour, not one per email, and one KMS decrypt per container.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import TYPE_CHECKING

from google.oauth2.credentials import Credentials

from gmail_integration.gmail.client import user_credentials
from gmail_integration.models.domain import Connection
from gmail_integration.oauth.google import OAuthClient

if TYPE_CHECKING:
    from gmail_integration.mailbox.ports import TokenVault

_CACHE_SIZE = 2048


class CredentialsCache:
    def __init__(self, vault: TokenVault, oauth_client: Callable[[], OAuthClient]) -> None:
        self._vault = vault
        self._oauth_client = oauth_client
        self._cache: OrderedDict[tuple[str, str], Credentials] = OrderedDict()
        self._lock = Lock()

    def for_connection(self, connection: Connection) -> Credentials:
        ciphertext = connection.refresh_token_ciphertext
        if ciphertext is None:
            raise ValueError("the connection holds no token")
        key = (connection.workspace_id, hashlib.sha256(ciphertext).hexdigest())
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        refresh_token = self._vault.open(connection.workspace_id, ciphertext)
        credentials = user_credentials(self._oauth_client(), refresh_token.get_secret_value())
        with self._lock:
            self._cache[key] = credentials
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return credentials

    def forget(self, workspace_id: str) -> None:
        with self._lock:
            for key in [k for k in self._cache if k[0] == workspace_id]:
                del self._cache[key]
