"""The part of Gmail's search language (`q`) worth having locally: from:, to:, subject:, rfc822msgid:, in:/label:,
is:unread|read|starred, quoted phrases, negation, and plain words (matched in subject and text)."""

from __future__ import annotations

import re
import shlex

from google_emulator.conversation import normalise_subject
from google_emulator.gmail.render import body_text
from google_emulator.mailbox import StoredMessage, header_text


def _terms(query: str) -> list[str]:
    try:
        return shlex.split(query)
    except ValueError:
        return query.split()


def _match(message: StoredMessage, term: str) -> bool:
    key, _, value = term.partition(":")
    key, value = key.lower(), value.lower()
    if value and key in ("from", "to", "cc", "bcc", "subject"):
        field = "Subject" if key == "subject" else key.capitalize()
        return value in header_text(message.parsed, field).lower()
    if value and key == "rfc822msgid":
        return message.message_id.lower().strip("<>") == value.strip("<>")
    if value and key in ("in", "label"):
        return value.upper() in message.labels or value in {label.lower() for label in message.labels}
    if value and key == "is":
        labels = set(message.labels)
        return {"unread": "UNREAD" in labels, "read": "UNREAD" not in labels, "starred": "STARRED" in labels}.get(
            value, False
        )
    haystack = f"{normalise_subject(message.subject)} {body_text(message.parsed)}".lower()
    return re.sub(r"\s+", " ", term.lower()) in re.sub(r"\s+", " ", haystack)


def matches(message: StoredMessage, query: str) -> bool:
    for term in _terms(query):
        negate = term.startswith("-") and len(term) > 1
        if _match(message, term[1:] if negate else term) == negate:
            return False
    return True
