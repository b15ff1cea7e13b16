"""The OAuth ``state``: random, single use, short-lived, and bound server-side to the workspace and the caller.

The browser only ever holds the random nonce. Everything it stands for (workspace, user, PKCE verifier, redirect
URI) stays in the table under the nonce's SHA-256, and the callback consumes it with one atomic delete: a forged,
tampered, replayed or expired state finds nothing, and no request can point a callback at another workspace.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

STATE_TTL = timedelta(minutes=10)


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


@dataclass(frozen=True)
class PendingAuthorization:
    """What the callback needs and must not take from the browser."""

    workspace_id: str
    user_id: str
    code_verifier: str
    redirect_uri: str
    expires_at: datetime


class ConnectErrorCode(StrEnum):
    """What the popup tells the web app; each maps to words on the Settings card."""

    ACCESS_DENIED = "access_denied"
    SCOPE_MISSING = "scope_missing"
    STATE_INVALID = "state_invalid"
    EXCHANGE_FAILED = "exchange_failed"
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
