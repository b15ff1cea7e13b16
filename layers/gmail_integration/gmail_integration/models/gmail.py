"""What the Gmail port hands back: plain values, so no Google type leaks above the ``gmail`` adapter."""

from __future__ import annotations

from dataclasses import dataclass, field


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
