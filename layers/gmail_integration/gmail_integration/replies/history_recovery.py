"""History recovery: Google forgot our history cursor (404), so the poll checks every tracked thread directly.

The profile's current ``historyId`` is noted first and becomes the new cursor, so nothing that arrives while the
threads are read falls in a gap; a thread the user deleted is simply skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gmail_integration.models.domain import Connection
from gmail_integration.models.gmail_errors import GmailNotFoundError
from gmail_integration.models.threads import TrackedThread
from gmail_integration.replies.arrival import OWN_LABELS, POLL_HEADERS, Arrival
from gmail_integration.replies.ports import PollingGmail, Threads


@dataclass(frozen=True)
class RecoverHistory:
    gmail: PollingGmail
    threads: Threads

    def __call__(self, connection: Connection) -> tuple[list[Arrival], str]:
        resume_from = self.gmail.current_history_id(connection)
        arrivals = [
            Arrival(thread, message)
            for thread in self.threads.all_tracked(connection.workspace_id)
            for message in self._thread_messages(connection, thread)
            if not set(message.get("labelIds", []) or []) & OWN_LABELS
        ]
        return arrivals, resume_from

    def _thread_messages(self, connection: Connection, thread: TrackedThread) -> Iterable[dict[str, Any]]:
        try:
            return self.gmail.thread_metadata(connection, thread.thread_id, POLL_HEADERS)
        except GmailNotFoundError:
            return []  # the user deleted the conversation
