"""Thread items in memory, with the recent-threads index history recovery reads (contract: test_threads_contract)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gmail_integration.models.threads import RecentThreads, ThreadEmail, TrackedThread
from gmail_integration.models.times import iso

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class _Entry:
    thread: TrackedThread
    sent_at: datetime
    last_activity: str
    indexed: bool = True

    @property
    def sort_key(self) -> str:
        return f"{iso(self.sent_at)}#{self.thread.thread_id}"


@dataclass
class FakeThreads:
    items: dict[tuple[str, str], _Entry] = field(default_factory=dict)
    queries: int = 0

    def put(self, thread: TrackedThread, sent_at: datetime, workspace_id: str = "ws_1") -> None:
        """A thread as the send path leaves it: in the index at its latest send (tests set it up this way)."""
        last = thread.emails[-1].activity_id if thread.emails else ""
        self.items[(workspace_id, thread.thread_id)] = _Entry(thread, sent_at, last)

    def append(self, workspace_id: str, thread_id: str, *, activity_id: str, message_id: str, now: datetime) -> None:
        old = self.items.get((workspace_id, thread_id))
        emails = (old.thread.emails if old else ()) + (ThreadEmail(activity_id, message_id),)
        self.items[(workspace_id, thread_id)] = _Entry(TrackedThread(thread_id, emails), now, activity_id)

    def tracked(self, workspace_id: str, thread_ids: Iterable[str]) -> dict[str, TrackedThread]:
        found = (self.items.get((workspace_id, t)) for t in set(thread_ids))
        return {entry.thread.thread_id: entry.thread for entry in found if entry is not None}

    def recent(self, workspace_id: str, since: datetime, page: str | None, limit: int) -> RecentThreads:
        self.queries += 1
        wanted = sorted(
            (e for (ws, _), e in self.items.items() if ws == workspace_id and e.indexed and e.sent_at >= since),
            key=lambda e: e.sort_key,
            reverse=True,
        )
        after = [e for e in wanted if page is None or e.sort_key < page]
        chosen = after[:limit]
        more = len(after) > limit
        return RecentThreads(tuple(e.thread for e in chosen), chosen[-1].sort_key if more else None)

    def settle(self, workspace_id: str, thread_id: str, activity_id: str) -> bool:
        entry = self.items.get((workspace_id, thread_id))
        if entry is None or not entry.indexed or entry.last_activity != activity_id:
            return False
        entry.indexed = False
        return True
