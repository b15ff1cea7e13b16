"""One poll of one mailbox: what arrived in Gmail since the cursor, and which of it answers our emails.

- ``history.list`` from the stored ``historyId`` (``messageAdded``, every page). An idle mailbox costs that one
  call and no write: Google omits ``history`` and returns the same ``historyId``.
- Only messages in threads the service sent into, and not the user's own (SENT, DRAFT, or from the connected
  address), are read, and only their classification headers (``format=metadata``): nothing else in the mailbox is
  ever opened.
- Each is classified (reply, auto-reply, bounce) and recorded on the email it answers (``RecordArrivals``,
  recording.py); ``ReplyDetected`` goes out once per email and kind however often a poll repeats, because the
  record is conditional. A bounce also suppresses its recipient.
- The cursor moves after the replies are recorded, forward only, also when ``history`` was absent but the id
  moved. A crash in between repeats work, never loses it.
- A mailbox whose ``throttled_until`` (set when Gmail answered 429 to a send) lies ahead is not asked anything: its
  job comes back when the wait is over, as the sender's do.
- Google's 404 for a cursor it no longer keeps: ``RecoverHistory`` (history_recovery.py), bounded by the recovery
  window, paced within the user's quota and resumed by the next poll when it had to stop (the mailbox's
  ``recovery`` cursor: while it is set, the poll goes on with the recovery instead of reading history).
- Before reading, the end of a daily-limit pause re-drives what it held: ``ResumeAfterDailyLimit``
  (sending/daily_limit.py), handed in by bootstrap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gmail_integration.events.ports import EventPublisher
from gmail_integration.models.domain import Connection, ConnectionStatus
from gmail_integration.models.gmail_errors import AuthorizationLostError, GmailNotFoundError, RateLimitedError
from gmail_integration.observability import count, logger
from gmail_integration.replies.arrival import OWN_LABELS, POLL_HEADERS, Arrival
from gmail_integration.replies.history_recovery import RecoverHistory
from gmail_integration.replies.ports import (
    AuthorizationLoss,
    BouncedRecipients,
    DailyLimitResume,
    PollConnections,
    PollingGmail,
    Replies,
    Threads,
)
from gmail_integration.replies.quota import GMAIL_USER_UNITS_PER_S, QuotaPacer
from gmail_integration.replies.recording import RecordArrivals

RECOVERY_WINDOW = timedelta(days=30)
RECOVERY_UNITS_PER_S = 100
"""Recovery's share of the user's 250 units/s (10 threads.get a second), leaving the rest to sends and polls."""


def _forever() -> float:
    return math.inf


class PollOutcome(StrEnum):
    POLLED = "polled"
    SKIPPED = "skipped"
    AUTHORIZATION_LOST = "authorization_lost"


class PollLaterError(Exception):
    """Google asked us to slow down: this mailbox's job comes back after ``delay_s``; the others go on."""

    def __init__(self, delay_s: float) -> None:
        super().__init__(f"retry in {delay_s:.0f}s")
        self.delay_s = delay_s


@dataclass(frozen=True)
class PollMailbox:
    connections: PollConnections
    threads: Threads
    replies: Replies
    gmail: PollingGmail
    authority: AuthorizationLoss
    daily_limit_resume: DailyLimitResume
    events: EventPublisher
    clock: Callable[[], datetime]
    bounces: BouncedRecipients | None = None
    recovery_window: timedelta = RECOVERY_WINDOW
    sleep: Callable[[float], None] = time.sleep

    def __call__(self, workspace_id: str, time_left: Callable[[], float] = _forever) -> PollOutcome:
        """``time_left``: seconds the invocation has left, so that a long history recovery stops in time."""
        connection = self.connections.get(workspace_id)
        if connection is None or connection.status is not ConnectionStatus.CONNECTED or not connection.history_id:
            return PollOutcome.SKIPPED
        self.daily_limit_resume(connection)
        now = self.clock()
        if connection.throttled_until is not None and connection.throttled_until > now:
            # A send just heard "slow down" for this mailbox: polling now would only earn more 429s.
            count("PollsHeldByThrottle")
            raise PollLaterError((connection.throttled_until - now).total_seconds())
        try:
            if connection.recovery is not None:
                self._recover(connection, time_left)
                return PollOutcome.POLLED
            try:
                arrivals, cursor = self._from_history(connection, connection.history_id)
            except GmailNotFoundError:
                logger.warning("history cursor expired at Google; checking recent tracked threads directly")
                count("HistoryCursorExpired")
                self._recover(connection, time_left)
                return PollOutcome.POLLED
            self._record(connection, arrivals)
        except AuthorizationLostError as error:
            self.authority.authorization_lost(workspace_id, error.reason)
            return PollOutcome.AUTHORIZATION_LOST
        except RateLimitedError as error:
            count("GmailRateLimited")
            raise PollLaterError(error.retry_after_s) from error
        if int(cursor) > int(connection.history_id):
            self.connections.advance_cursor(workspace_id, cursor)
        return PollOutcome.POLLED

    # ---- reading Gmail ----
    def _recover(self, connection: Connection, time_left: Callable[[], float]) -> bool:
        pacer = QuotaPacer(RECOVERY_UNITS_PER_S, GMAIL_USER_UNITS_PER_S, self.clock, self.sleep)
        return RecoverHistory(
            gmail=self.gmail,
            threads=self.threads,
            connections=self.connections,
            record=self._record,
            clock=self.clock,
            window=self.recovery_window,
            pacer=pacer,
            time_left=time_left,
        )(connection)

    def _from_history(self, connection: Connection, start: str) -> tuple[list[Arrival], str]:
        added: dict[str, tuple[str, frozenset[str]]] = {}
        token: str | None = None
        cursor = start
        while True:
            page = self.gmail.history_page(connection, start, token)
            for message in page.added:
                added.setdefault(message.gmail_message_id, (message.gmail_thread_id, message.label_ids))
            cursor = page.history_id
            token = page.next_page_token
            if not token:
                break
        candidates = {mid: thread for mid, (thread, labels) in added.items() if not labels & OWN_LABELS}
        if not candidates:
            return [], cursor
        ours = self.threads.tracked(connection.workspace_id, set(candidates.values()))
        arrivals = [
            Arrival(ours[thread], self.gmail.message_metadata(connection, mid, POLL_HEADERS))
            for mid, thread in candidates.items()
            if thread in ours
        ]
        return arrivals, cursor

    # ---- recording ----
    def _record(self, connection: Connection, arrivals: list[Arrival]) -> None:
        record = RecordArrivals(self.replies, self.events, self.clock, self.bounces, self.gmail, self.threads)
        record(connection, arrivals)
