"""A Gmail mailbox: messages with labels, threads, and the history log that `users.history.list` reads.

Every change (a message added, a label added or removed) takes the next history id, so the mailbox's
`historyId` only grows. History ids come from one counter shared by all mailboxes: like Gmail's they are
not contiguous within one mailbox, which catches code that assumes `+1` steps.
"""

from __future__ import annotations

import bisect
import email
import email.policy
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from functools import cached_property

from google_emulator import ids

SYSTEM_LABELS = (
    "INBOX",
    "SENT",
    "UNREAD",
    "DRAFT",
    "SPAM",
    "TRASH",
    "IMPORTANT",
    "STARRED",
    "CHAT",
    "CATEGORY_PERSONAL",
    "CATEGORY_SOCIAL",
    "CATEGORY_PROMOTIONS",
    "CATEGORY_UPDATES",
    "CATEGORY_FORUMS",
)


def parse(raw: bytes) -> Message:
    """Parse like a lenient MTA: the modern policy decodes RFC 2047 words; broken headers fall back to compat32."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for key in message:
            str(message.get(key, ""))
        return message
    except Exception:
        return email.message_from_bytes(raw, policy=email.policy.compat32)


def header_text(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    try:
        return " ".join(str(value).split())
    except Exception:
        return ""


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    raw: bytes
    labels: list[str]
    internal_date_ms: int
    history_id: int
    parsed: Message = field(repr=False, default_factory=EmailMessage)

    # A stored message never changes its headers; parsing them again at each lookup (every delivery, search and
    # threading rule walks the mailbox) made a call's cost grow with the mailbox.
    @cached_property
    def message_id(self) -> str:
        return header_text(self.parsed, "Message-ID").strip()

    @cached_property
    def subject(self) -> str:
        return header_text(self.parsed, "Subject")


@dataclass
class HistoryRecord:
    id: int
    kind: str  # messageAdded | messageDeleted | labelAdded | labelRemoved
    message_id: str
    thread_id: str
    label_ids: list[str]
    changed_labels: list[str] = field(default_factory=list)


class Mailbox:
    def __init__(self, email_address: str, next_history_id: Callable[[], int]) -> None:
        self.email = email_address
        self._next_history_id = next_history_id
        self.messages: dict[str, StoredMessage] = {}
        self.history: list[HistoryRecord] = []
        self.history_id = next_history_id()
        self.history_floor = 0  # startHistoryId below this answers 404 (expired history)

    def add(self, raw: bytes, labels: list[str], thread_id: str | None, now_ms: int) -> StoredMessage:
        message_id = ids.gmail_id()
        history_id = self._next_history_id()
        stored = StoredMessage(
            id=message_id,
            thread_id=thread_id or message_id,
            raw=raw,
            labels=list(dict.fromkeys(labels)),
            internal_date_ms=now_ms,
            history_id=history_id,
            parsed=parse(raw),
        )
        self.messages[message_id] = stored
        self.history_id = history_id
        self.history.append(
            HistoryRecord(history_id, "messageAdded", message_id, stored.thread_id, list(stored.labels))
        )
        return stored

    def modify(self, message_id: str, add: list[str], remove: list[str]) -> StoredMessage:
        stored = self.messages[message_id]
        added = [label for label in dict.fromkeys(add) if label not in stored.labels]
        removed = [label for label in dict.fromkeys(remove) if label in stored.labels and label not in added]
        for kind, changed in (("labelAdded", added), ("labelRemoved", removed)):
            if not changed:
                continue
            if kind == "labelAdded":
                stored.labels.extend(changed)
            else:
                stored.labels = [label for label in stored.labels if label not in changed]
            history_id = self._next_history_id()
            stored.history_id = self.history_id = history_id
            self.history.append(
                HistoryRecord(history_id, kind, message_id, stored.thread_id, list(stored.labels), list(changed))
            )
        return stored

    def thread(self, thread_id: str) -> list[StoredMessage]:
        return [m for m in self.messages.values() if m.thread_id == thread_id]

    def threads(self) -> dict[str, list[StoredMessage]]:
        result: dict[str, list[StoredMessage]] = {}
        for message in self.messages.values():
            result.setdefault(message.thread_id, []).append(message)
        return result

    def by_message_id(self, rfc822_id: str) -> list[StoredMessage]:
        wanted = rfc822_id.strip().lower()
        return [m for m in self.messages.values() if m.message_id.lower() == wanted]

    def history_after(self, history_id: int) -> list[HistoryRecord]:
        """The records after `history_id`, found by bisection: the log is in id order (ids only grow)."""
        return self.history[bisect.bisect_right(self.history, history_id, key=lambda record: record.id) :]

    def expire_history(self, before: int | None) -> int:
        """Forget history older than `before` (default: all of it up to now); returns the cut."""
        cut = self.history_id if before is None else before
        self.history_floor = max(self.history_floor, cut)
        self.history = [record for record in self.history if record.id > cut]
        return self.history_floor
