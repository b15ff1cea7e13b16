"""Which of our emails a reply answers when Gmail re-stamped that email's Message-ID.

Gmail may replace the Message-ID of a message it sends, and a reply's ``In-Reply-To`` then names Gmail's id,
which the thread item does not hold (it keeps ours, the only one known at send time). Our own header
``X-OutSales-Activity`` survives the re-stamp, so the sent message that carries the named Message-ID tells the
activity. Reading it costs one ``threads.get`` (metadata, two headers), and only for a reply whose ``In-Reply-To``
is unknown in a thread with more than one of our emails: with one email there is nothing to choose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gmail_integration.models.gmail import ACTIVITY_HEADER, activity_marker, message_headers
from gmail_integration.models.threads import TrackedThread

RESTAMP_HEADERS: tuple[str, ...] = ("Message-ID", ACTIVITY_HEADER)
"""Asked for on the thread's messages, ours included (SENT): nothing else of them is read."""


def worth_a_lookup(thread: TrackedThread, in_reply_to: str | None) -> bool:
    named = (in_reply_to or "").strip()
    return bool(named) and len(thread.emails) > 1 and named not in {email.message_id for email in thread.emails}


def restamped_activity(messages: Iterable[Mapping[str, Any]], in_reply_to: str, thread: TrackedThread) -> str | None:
    """The activity whose sent message now carries ``in_reply_to``; None when no message of ours does. Our header
    holds the random part of the Message-ID we gave the email, which the thread item keeps."""
    named = in_reply_to.strip().lower()
    ours = {activity_marker(email.message_id): email.activity_id for email in thread.emails if email.message_id}
    for message in messages:
        headers = message_headers(message)
        if headers.get("message-id", "").strip().lower() != named:
            continue
        activity = ours.get(headers.get(ACTIVITY_HEADER.lower(), "").strip())
        if activity is not None:
            return activity
    return None
