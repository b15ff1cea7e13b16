"""Mail arriving in a mailbox, whether a test delivers it or another emulator account sends it."""

from __future__ import annotations

from google_emulator.compose import prepend_header
from google_emulator.conversation import thread_for_incoming
from google_emulator.mailbox import Mailbox, StoredMessage, parse


def deliver(mailbox: Mailbox, raw: bytes, now: float) -> StoredMessage:
    """File `raw` into the mailbox's INBOX, unread, in the conversation Gmail's rules give it."""
    raw = prepend_header(raw, "Delivered-To", mailbox.email)
    thread_id = thread_for_incoming(mailbox, parse(raw))
    return mailbox.add(raw, ["INBOX", "UNREAD"], thread_id, int(now * 1000))
