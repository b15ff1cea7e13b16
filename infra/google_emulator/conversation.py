"""Gmail's threading rules.

Gmail puts a message into an existing conversation only when it refers to a message of that conversation
(`In-Reply-To` / `References`) and its subject, without reply prefixes, is the conversation's subject:
- an incoming message joins such a thread on its own;
- a sent message joins the `threadId` it names only when both rules hold there (Gmail's guide, and the
  `threadId` field's text in the discovery document); otherwise, or without a `threadId`, it starts a thread.
Delivery-status reports are the exception: Gmail files a bounce that refers to the sent message into its
conversation although the bounce's subject differs ("Delivery Status Notification (Failure)").
"""

from __future__ import annotations

import re
from email.message import Message

from google_emulator.mailbox import Mailbox, StoredMessage, header_text

# Reply, forward and automatic-answer prefixes as mail clients and responders write them, localised ones included.
# Gmail's own list is not published; this one models what it is seen to group. It is kept apart from the service's
# classifier on purpose: the two model different systems, and a test of each guards its own list.
_PREFIXES: tuple[str, ...] = (
    "re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "antwort", "rif", "tr", "réf", "ref", "odp", "odg", "r",
    "res", "rv", "enc", "ynt", "vá", "atb", "απ", "σχετ", "на", "отв", "回复", "答复", "回覆", "返信", "답장",
    "auto", "autoreply", "auto reply", "auto-reply", "automatic reply", "automatic response", "auto response",
    "autosvar", "out of office", "out of office autoreply", "abwesenheitsnotiz", "automatische antwort",
    "réponse automatique", "respuesta automática", "risposta automatica", "resposta automática",
    "automatisch antwoord", "automatiskt svar", "automatisk svar", "automaattinen vastaus",
    "automatyczna odpowiedź", "automatická odpověď", "automatikus válasz", "автоматический ответ", "自動返信",
    "自动回复",
)  # fmt: skip
_PREFIX = re.compile(
    r"^\s*(?:(?:"
    + "|".join(re.escape(prefix).replace("\\ ", r"\s+") for prefix in sorted(_PREFIXES, key=len, reverse=True))
    + r")\s*(?:\[\d+\]|\(\d+\))?\s*[:\uff1a]|\[fwd?\])\s*",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def normalise_subject(subject: str) -> str:
    text = " ".join(subject.split())
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return text.strip().lower()


def referenced_ids(message: Message) -> list[str]:
    """Message-IDs the message refers to, nearest parent first."""
    found: list[str] = []
    for name in ("In-Reply-To", "References"):
        values = _MESSAGE_ID.findall(header_text(message, name))
        found.extend(reversed(values) if name == "References" else values)
    return list(dict.fromkeys(value.lower() for value in found))


def is_delivery_report(message: Message) -> bool:
    content_type = header_text(message, "Content-Type").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return True
    sender = header_text(message, "From").lower()
    return "mailer-daemon@" in sender or "postmaster@" in sender


def _fits(message: Message, thread: list[StoredMessage]) -> bool:
    thread_ids = {m.message_id.lower() for m in thread if m.message_id}
    if not thread_ids.intersection(referenced_ids(message)):
        return False
    if is_delivery_report(message):
        return True
    subject = normalise_subject(header_text(message, "Subject"))
    return any(normalise_subject(m.subject) == subject for m in thread)


def thread_for_incoming(mailbox: Mailbox, message: Message) -> str | None:
    """The thread an arriving message joins, or None for a new conversation."""
    for rfc822_id in referenced_ids(message):
        for candidate in mailbox.by_message_id(rfc822_id):
            if _fits(message, mailbox.thread(candidate.thread_id)):
                return candidate.thread_id
    return None


def thread_for_sent(mailbox: Mailbox, message: Message, thread_id: str | None) -> str | None:
    """The thread a sent message joins: the requested one when the rules hold, else None (a new thread)."""
    if not thread_id:
        return None
    thread = mailbox.thread(thread_id)
    return thread_id if thread and _fits(message, thread) else None
