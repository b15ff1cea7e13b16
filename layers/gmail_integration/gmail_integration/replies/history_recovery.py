"""History recovery: Google forgot our history cursor (404), so the poll reads the threads that can still matter.

- Which: threads we sent into within the retention window (``RecoveryWindowDays``) whose latest email is not yet
  answered (a reply or bounce takes the thread out of the index when it is recorded), read from the store newest
  first, a page at a time. The cost follows the recent threads, never the mailbox's whole history.
- The profile's ``historyId`` is noted before the first read and becomes the cursor at the end, so what arrives while
  the threads are read comes through history on the next poll; a thread the user deleted is simply skipped.
- Each page's arrivals are recorded before the next page is read; recording is conditional, so a page read twice
  (after a crash or a 429 in its middle) records nothing twice.
- Quota: reads are paced to a share of the user's units (quota.py); a 429 stops the recovery at once and the job
  comes back after Google's Retry-After.
- Resumable: when the invocation runs short of time, or on that 429, the noted id and the page to read next are kept
  on the mailbox (``RecoveryCursor``), and the next poll goes on from there before it reads history again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gmail_integration.models.domain import Connection, RecoveryCursor
from gmail_integration.models.gmail_errors import GmailNotFoundError, RateLimitedError
from gmail_integration.models.threads import TrackedThread
from gmail_integration.observability import count, logger
from gmail_integration.replies.arrival import OWN_LABELS, POLL_HEADERS, Arrival
from gmail_integration.replies.ports import PollConnections, PollingGmail, Threads
from gmail_integration.replies.quota import THREADS_GET_UNITS, QuotaPacer

PAGE_SIZE = 10
RESERVE_S = 10.0
"""Time kept back for one more page (10 reads of ~0.2 s, more when Gmail is slow) and the writes after it."""


@dataclass(frozen=True)
class RecoverHistory:
    gmail: PollingGmail
    threads: Threads
    connections: PollConnections
    record: Callable[[Connection, list[Arrival]], object]
    clock: Callable[[], datetime]
    window: timedelta
    pacer: QuotaPacer
    time_left: Callable[[], float]
    page_size: int = PAGE_SIZE
    reserve_s: float = RESERVE_S

    def __call__(self, connection: Connection) -> bool:
        """True when the recovery is complete and the cursor moved; False when it stopped to go on next poll."""
        workspace_id = connection.workspace_id
        cursor = connection.recovery or RecoveryCursor(history_id=self.gmail.current_history_id(connection))
        since = self.clock() - self.window
        page = cursor.page
        while True:
            if self.time_left() < self.reserve_s:
                self._pause(workspace_id, cursor.history_id, page, "time")
                return False
            recent = self.threads.recent(workspace_id, since, page, self.page_size)
            arrivals: list[Arrival] = []
            try:
                for thread in recent.threads:
                    arrivals.extend(self._arrivals(connection, thread))
            except RateLimitedError:
                self.record(connection, arrivals)
                self._pause(workspace_id, cursor.history_id, page, "quota")
                raise
            self.record(connection, arrivals)
            if recent.next_page is None:
                break
            page = recent.next_page
        self.connections.finish_recovery(workspace_id, cursor.history_id)
        return True

    def _arrivals(self, connection: Connection, thread: TrackedThread) -> Iterable[Arrival]:
        return (
            Arrival(thread, message)
            for message in self._thread_messages(connection, thread)
            if not set(message.get("labelIds", []) or []) & OWN_LABELS
        )

    def _thread_messages(self, connection: Connection, thread: TrackedThread) -> list[dict[str, Any]]:
        self.pacer.take(THREADS_GET_UNITS)
        try:
            return self.gmail.thread_metadata(connection, thread.thread_id, POLL_HEADERS)
        except GmailNotFoundError:
            return []  # the user deleted the conversation

    def _pause(self, workspace_id: str, noted: str, page: str | None, why: str) -> None:
        self.connections.save_recovery(workspace_id, RecoveryCursor(history_id=noted, page=page))
        count("HistoryRecoveryPaused", reason=why)
        logger.info("history recovery paused; the next poll goes on", extra={"reason": why})
