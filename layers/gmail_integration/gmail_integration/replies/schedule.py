"""The poll schedule: every tick, one poll job per connected mailbox, found through the sparse index (no scan).

Jobs go to a FIFO queue with the workspace as message group: SQS hands out one message of a group at a time, so a
mailbox is never polled twice at once, and the tick in the deduplication id keeps a slow mailbox from piling up
jobs. This costs no write per mailbox, which a lease would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gmail_integration.observability import logger
from gmail_integration.replies.ports import ConnectedMailboxes, PollJobs

_BATCH = 10


@dataclass(frozen=True)
class SchedulePolls:
    mailboxes: ConnectedMailboxes
    jobs: PollJobs
    clock: Callable[[], datetime]

    def __call__(self, at: datetime | None = None) -> int:
        """``at`` is the schedule's own time, so that a retried tick enqueues jobs SQS recognises as duplicates."""
        tick = (at or self.clock()).strftime("%Y%m%dT%H%M")
        batch: list[str] = []
        total = 0
        for workspace_id in self.mailboxes.connected():
            batch.append(workspace_id)
            if len(batch) == _BATCH:
                self.jobs.enqueue(batch, tick)
                total += len(batch)
                batch = []
        if batch:
            self.jobs.enqueue(batch, tick)
            total += len(batch)
        logger.info("poll jobs scheduled", extra={"mailboxes": total, "tick": tick})
        return total
