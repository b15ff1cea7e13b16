"""The pre-send look at one thread: did the prospect answer since our last email, even if no poll has seen it yet?

One ``threads.get`` (metadata, the classifier's headers only). Messages after our latest one in the thread are
classified and recorded exactly as the poll would record them, so the poll that sees them later changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gmail_integration.models.domain import Connection
from gmail_integration.models.gmail import message_headers
from gmail_integration.models.gmail_errors import GmailNotFoundError
from gmail_integration.models.threads import ThreadLook
from gmail_integration.replies.arrival import OWN_LABELS, POLL_HEADERS, Arrival
from gmail_integration.replies.ports import PollingGmail, Threads
from gmail_integration.replies.recording import RecordArrivals, sender_is

LOOK_HEADERS: tuple[str, ...] = (*POLL_HEADERS, "Message-ID")
"""The classifier's headers, and the Message-ID of our own messages for the follow-up's In-Reply-To."""


def _at(message: dict[str, Any]) -> int:
    return int(message.get("internalDate") or 0)


@dataclass(frozen=True)
class CheckThreadForReplies:
    gmail: PollingGmail
    threads: Threads
    record: RecordArrivals

    def __call__(self, connection: Connection, thread_id: str) -> ThreadLook:
        """The reply kinds (``reply``, ``auto_reply``, ``bounce``) that arrived after our latest email."""
        tracked = self.threads.tracked(connection.workspace_id, [thread_id]).get(thread_id)
        if tracked is None:
            return ThreadLook()
        try:
            messages = self.gmail.thread_metadata(connection, thread_id, LOOK_HEADERS)
        except GmailNotFoundError:
            return ThreadLook()  # the user deleted the conversation: nothing to answer
        ours = [m for m in messages if self._is_ours(connection, m)]
        since = max((_at(m) for m in ours), default=0)
        arrivals = [Arrival(tracked, m) for m in messages if m not in ours and _at(m) >= since]
        message_ids = {str(m.get("id")): message_headers(m).get("message-id", "") for m in ours}
        return ThreadLook(
            kinds=frozenset(self.record(connection, arrivals)),
            message_ids={gmail_id: rfc_id for gmail_id, rfc_id in message_ids.items() if rfc_id},
        )

    @staticmethod
    def _is_ours(connection: Connection, message: dict[str, Any]) -> bool:
        labels = set(message.get("labelIds", []) or [])
        return bool(labels & OWN_LABELS) or sender_is(connection, message_headers(message))
