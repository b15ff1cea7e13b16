"""The roles reply detection needs; ``dal``, ``gmail``, ``queues`` and ``events`` provide them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from gmail_integration.models.authorization import Connected
from gmail_integration.models.domain import Connection, RecoveryCursor
from gmail_integration.models.gmail import HistoryPage
from gmail_integration.models.threads import RecentThreads, TrackedThread
from gmail_integration.models.watch import WatchState


class PollConnections(Protocol):
    def get(self, workspace_id: str) -> Connection | None: ...

    def advance_cursor(self, workspace_id: str, history_id: str) -> bool: ...

    def resume_sending(self, workspace_id: str, until: datetime) -> bool: ...

    def save_recovery(self, workspace_id: str, cursor: RecoveryCursor) -> None: ...

    def finish_recovery(self, workspace_id: str, history_id: str) -> bool: ...


class Threads(Protocol):
    def tracked(self, workspace_id: str, thread_ids: Iterable[str]) -> dict[str, TrackedThread]: ...

    def recent(self, workspace_id: str, since: datetime, page: str | None, limit: int) -> RecentThreads:
        """Threads sent into at or after ``since`` whose latest email is not answered, newest first, one page."""
        ...

    def settle(self, workspace_id: str, thread_id: str, activity_id: str) -> bool:
        """``activity_id`` was answered: if it is the thread's latest email, recovery need not look there again."""
        ...


class Replies(Protocol):
    def record_reply(self, workspace_id: str, activity_id: str, kind: str, at: datetime) -> bool: ...


class PollingGmail(Protocol):
    def history_page(
        self, connection: Connection, start_history_id: str, page_token: str | None, label_id: str | None = None
    ) -> HistoryPage: ...

    def message_metadata(self, connection: Connection, message_id: str, names: Sequence[str]) -> dict[str, Any]: ...

    def thread_metadata(self, connection: Connection, thread_id: str, names: Sequence[str]) -> list[dict[str, Any]]: ...

    def current_history_id(self, connection: Connection) -> str: ...


class AuthorizationLoss(Protocol):
    def authorization_lost(self, workspace_id: str, reason: str) -> None: ...


class ConnectedMailboxes(Protocol):
    def connected(self) -> Iterator[str]: ...

    def shards(self) -> Sequence[int]:
        """The index partitions to read; together they hold every connected mailbox exactly once."""
        ...

    def in_shard(self, shard: int) -> Iterator[str]: ...


class PollJobs(Protocol):
    def enqueue(self, workspace_ids: Sequence[str], occasion: str) -> None:
        """``occasion`` names why and which run (a tick's run, a push's historyId): jobs of the same mailbox and
        occasion are one job (FIFO deduplication), of another occasion a new one."""
        ...


class TickHandoff(Protocol):
    def hand_off(self, bodies: Sequence[str]) -> None:
        """Parts of a tick for other invocations of the scheduler."""
        ...


class DailyLimitResume(Protocol):
    def __call__(self, connection: Connection) -> bool: ...


class WatchingGmail(Protocol):
    def watch(self, connection: Connection, topic: str, label_ids: Sequence[str]) -> int: ...

    def stop_watch(self, connection: Connection) -> None: ...


class Watches(Protocol):
    def record(self, workspace_id: str, email: str, expiration_ms: int, at: datetime) -> None: ...

    def record_failure(self, workspace_id: str, at: datetime) -> None: ...

    def remove(self, workspace_id: str, email: str | None) -> None: ...

    def workspace_for(self, email: str) -> str | None: ...

    def states(self, workspace_ids: Sequence[str]) -> dict[str, WatchState]: ...


class PushTokens(Protocol):
    def verify(self, token: str) -> None:
        """Raises ``PushRejectedError`` unless the token is a valid Pub/Sub push token for this service."""


class CompletesConnect(Protocol):
    """The mailbox's connect use case, which a push watch follows."""

    def __call__(
        self, state: str | None, code: str | None, error: str | None, cookies: Mapping[str, str]
    ) -> Connected: ...


class Disconnects(Protocol):
    """The mailbox's disconnect use case, which a push watch's stop precedes."""

    def __call__(self, workspace_id: str) -> None: ...


class BouncedRecipients(Protocol):
    def suppress_bounced(self, workspace_id: str, activity_id: str, now: datetime) -> bool: ...
