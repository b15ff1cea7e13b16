"""The OAuth ``state``: random, single use, short-lived, and bound server-side to the workspace and the caller.

The browser only ever holds the random nonce. Everything it stands for (workspace, user, PKCE verifier, redirect
URI) stays in the table under the nonce's SHA-256, and the callback consumes it with one atomic delete: a forged,
tampered, replayed or expired state finds nothing, and no request can point a callback at another workspace.

The state alone proves which workspace started a flow, not which browser finishes it: a link sent to someone else
would connect *their* Gmail to the sender's workspace (login CSRF). So the flow is also bound to the browser that
started it, by a random value in an HttpOnly cookie; the table keeps only its hash, and the callback refuses a
browser that does not present it before anything is exchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

STATE_TTL = timedelta(minutes=10)


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


BINDING_COOKIE_PREFIX = "outsales_gmail_flow_"


def binding_cookie_name(nonce: str) -> str:
    """One cookie per flow, so two flows started in one browser (two tabs, two workspaces) do not evict each other."""
    return BINDING_COOKIE_PREFIX + nonce_hash(nonce)[:16]


def new_binding() -> str:
    return secrets.token_urlsafe(32)


def binding_hash(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()


def binding_matches(binding: str | None, expected_hash: str) -> bool:
    if not binding or not expected_hash:
        return False
    return hmac.compare_digest(binding_hash(binding), expected_hash)


@dataclass(frozen=True)
class PendingAuthorization:
    """What the callback needs and must not take from the browser."""

    workspace_id: str
    user_id: str
    code_verifier: str
    redirect_uri: str
    expires_at: datetime
    browser_binding_hash: str


class ConnectErrorCode(StrEnum):
    """What the popup tells the web app; each maps to words on the Settings card."""

    ACCESS_DENIED = "access_denied"
    SCOPE_MISSING = "scope_missing"
    STATE_INVALID = "state_invalid"
    EXCHANGE_FAILED = "exchange_failed"
    BROWSER_MISMATCH = "browser_mismatch"
    GMAIL_UNAVAILABLE = "gmail_unavailable"


class ConnectError(Exception):
    def __init__(self, code: ConnectErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


@dataclass(frozen=True)
class Connected:
    """A finished connect: the workspace and the Gmail address it now sends from."""

    workspace_id: str
    email: str


@dataclass(frozen=True)
class BrowserBinding:
    """The cookie that ties a flow to the browser that started it: set on the API's origin, sent back only to the
    callback (its path), for as long as the state lives. Plain http is only tolerated on loopback, where a
    Secure cookie would not be stored."""

    name: str
    value: str
    path: str
    max_age_s: int
    secure: bool


@dataclass(frozen=True)
class StartedFlow:
    authorization_url: str
    binding: BrowserBinding
