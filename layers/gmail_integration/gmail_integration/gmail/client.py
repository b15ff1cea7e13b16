"""Builds the Gmail API client once per warm container and authorizes each call for its workspace.

The discovery document is parsed once (``build`` with the static copy shipped in google-api-python-client); each
request then runs on an ``AuthorizedHttp`` of the workspace's credentials, which refreshes the access token only
when it has expired and, on a 401, refreshes once and retries once. Opening a TLS connection per call cost a
handshake per Gmail call, so the ``Http`` (httplib2's connection pool, keyed by host) is kept per container and
reused across calls and workspaces; the credentials add their header per request, so sharing it leaks nothing.
httplib2 is not thread-safe, so "per container" means one per thread of the container.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from gmail_integration.models.scopes import REQUIRED_SCOPES
from gmail_integration.oauth.google import OAuthClient

HTTP_TIMEOUT_S = 20.0
"""Well inside the functions' 30 s timeout, so a hung Google call fails here, not as a Lambda timeout."""


@lru_cache(maxsize=4)
def gmail_service(api_url: str) -> Any:
    """The Gmail ``Resource``; ``http`` is given so that building it never looks for default credentials."""
    return build(
        "gmail",
        "v1",
        http=httplib2.Http(timeout=HTTP_TIMEOUT_S),
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": api_url},
    )


def user_credentials(client: OAuthClient, refresh_token: str, access_token: str | None = None) -> Credentials:
    return Credentials(  # type: ignore[no-untyped-call]
        token=access_token,
        refresh_token=refresh_token,
        token_uri=client.token_uri,
        client_id=client.client_id,
        client_secret=client.client_secret.get_secret_value(),
        scopes=list(REQUIRED_SCOPES),
    )


class _Pools(threading.local):
    def __init__(self) -> None:
        self.by_timeout: dict[float, httplib2.Http] = {}


_pools = _Pools()


def shared_http(timeout_s: float = HTTP_TIMEOUT_S) -> httplib2.Http:
    pools = _pools.by_timeout
    http = pools.get(timeout_s)
    if http is None:
        http = pools[timeout_s] = httplib2.Http(timeout=timeout_s)
    return http


def drop_pools() -> None:
    """Closes and forgets this thread's connections: after a SnapStart restore, every socket of the snapshot is dead."""
    pools = _pools.by_timeout
    for http in pools.values():
        http.close()
    pools.clear()


def pooled_connections() -> int:
    return len(_pools.by_timeout)


def authorized_http(credentials: Credentials, timeout_s: float = HTTP_TIMEOUT_S) -> google_auth_httplib2.AuthorizedHttp:
    return google_auth_httplib2.AuthorizedHttp(credentials, http=shared_http(timeout_s), max_refresh_attempts=1)
