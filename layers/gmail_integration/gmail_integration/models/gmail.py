"""What the Gmail port hands back: plain values, so no Google type leaks above the ``gmail`` adapter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ACTIVITY_HEADER = "X-OutSales-Activity"
"""Our own header on every sent email: it survives Gmail re-stamping the Message-ID, so sending (recovery of an
interrupted send) and replies (a re-stamped In-Reply-To) both recognise our messages by it."""


def activity_marker(message_id: str) -> str:
    """The header value that identifies our message when Gmail replaced its Message-ID: the random part of our
    own Message-ID, so the header names no workspace or activity id either."""
    return message_id.strip("<>").split("@", 1)[0]


@dataclass(frozen=True)
class GmailAccount:
    """The Gmail account a grant belongs to (not the sender profile a workspace writes emails as)."""

    email: str
    history_id: str


@dataclass(frozen=True)
class SentMessage:
    gmail_message_id: str
    gmail_thread_id: str


@dataclass(frozen=True)
class MessageHeaders:
    gmail_message_id: str
    gmail_thread_id: str
    label_ids: frozenset[str]
    headers: dict[str, str]


@dataclass(frozen=True)
class AddedMessage:
    gmail_message_id: str
    gmail_thread_id: str
    label_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class HistoryPage:
    added: list[AddedMessage]
    history_id: str
    next_page_token: str | None


def message_headers(message: Mapping[str, Any]) -> dict[str, str]:
    """A Gmail message resource's headers by lower-case name (the first of a repeated header wins)."""
    return payload_headers(message.get("payload") or {})


def payload_headers(payload: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in payload.get("headers", []) or []:
        found.setdefault(str(header.get("name", "")).lower(), str(header.get("value", "")))
    return found
