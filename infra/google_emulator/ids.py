"""Identifiers shaped like Google's, so code that logs, stores or pattern-matches them meets familiar values."""

from __future__ import annotations

import itertools
import os
import secrets
import threading
import time

_lock = threading.Lock()
# A distinctive string put inside every code and token the emulator issues (and the local stack's client secret), so
# a test can look for them anywhere they must not be: logs, events, metrics, answers, stored attributes.
SECRET_MARK = os.environ.get("OUTSALES_SECRET_MARK", "")
_sequence = itertools.count(1)


def gmail_id() -> str:
    """A 16-hex-digit id that grows with time, like Gmail's message ids (a thread takes its first message's id)."""
    with _lock:
        n = next(_sequence)
    return format(((int(time.time() * 1000) << 20) | (n & 0xFFFFF)) & 0xFFFFFFFFFFFFFFFF, "016x")


def auth_code() -> str:
    return "4/0A" + SECRET_MARK + secrets.token_urlsafe(48)


def access_token() -> str:
    return "ya29.a0" + SECRET_MARK + secrets.token_urlsafe(96)


def refresh_token() -> str:
    return "1//0" + SECRET_MARK + secrets.token_urlsafe(72)


def opaque() -> str:
    return secrets.token_urlsafe(16)


def gmail_message_id() -> str:
    """A Message-ID in the form Gmail gives messages it writes or re-stamps."""
    return f"<CA{secrets.token_urlsafe(30)}@mail.gmail.com>"
