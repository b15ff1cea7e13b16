"""The poll schedule: every tick, one poll job per connected mailbox, found through the sparse index (no scan).

- The index is sharded (``MAILBOXES#<shard>``, written at connect): the shards are read in parallel, each one's
  mailboxes going out as ``SendMessageBatch`` of 10 while the others are still read, so 10,000 mailboxes take 16
  queries and 1,000 batch calls spread over the workers (bench/schedule_fanout.py).
- Jobs go to a FIFO queue with the workspace as message group: SQS hands out one message of a group at a time, so a
  mailbox is never polled twice at once. The deduplication id names the run (the schedule's event id): a retried
  invocation of the same tick enqueues duplicates SQS drops, while another run in the same minute (an on-demand
  one) is a new poll. No write per mailbox, which a lease would cost.
- A tick that cannot finish in one invocation is split rather than late: shards not started when the invocation
  runs short of time are handed off, one message per shard, and each is done by its own invocation of this same
  function with the same run, so its jobs are the same jobs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gmail_integration.observability import logger
from gmail_integration.replies.ports import ConnectedMailboxes, PollJobs, TickHandoff

_BATCH = 10
WORKERS = 16
RESERVE_S = 8.0
"""Time a shard needs at most (a few queries and ~65 batch calls at 20-30 ms); with less left, it is handed off."""


def _forever() -> float:
    return math.inf


class ShardJob(BaseModel):
    """One shard of a tick handed to another invocation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: AwareDatetime
    run: str = Field(max_length=100)
    shard: int = Field(ge=0)


def occasion(at: datetime, run: str) -> str:
    """What makes a tick's jobs one set: its minute and the run (an EventBridge event id, or any unique id)."""
    return f"tick:{at.strftime('%Y%m%dT%H%M')}:{run}"


@dataclass(frozen=True)
class SchedulePolls:
    mailboxes: ConnectedMailboxes
    jobs: PollJobs
    clock: Callable[[], datetime]
    handoff: TickHandoff | None = None
    workers: int = WORKERS
    reserve_s: float = RESERVE_S

    def __call__(
        self,
        at: datetime | None = None,
        run: str = "",
        shards: Sequence[int] | None = None,
        time_left: Callable[[], float] = _forever,
    ) -> int:
        """``at`` and ``run`` are the schedule's own (time and event id), so that a retried tick enqueues jobs SQS
        recognises as duplicates; ``shards`` limits the run to those (a handed-off part of a tick)."""
        moment = at or self.clock()
        key = occasion(moment, run)
        wanted = list(self.mailboxes.shards() if shards is None else shards)
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(wanted)))) as pool:
            done = list(pool.map(lambda shard: self._shard(shard, key, time_left), wanted))
        left = [shard for shard, count in zip(wanted, done, strict=True) if count is None]
        total = sum(count for count in done if count is not None)
        if left:
            total += self._split(left, moment, run, key)
        logger.info("poll jobs scheduled", extra={"mailboxes": total, "tick": key, "handed_off": len(left)})
        return total

    def handed_off(self, body: str, time_left: Callable[[], float] = _forever) -> int:
        job = ShardJob.model_validate_json(body)
        return self(job.at, job.run, [job.shard], time_left)

    def _shard(self, shard: int, key: str, time_left: Callable[[], float]) -> int | None:
        if time_left() < self.reserve_s:
            return None
        batch: list[str] = []
        total = 0
        for workspace_id in self.mailboxes.in_shard(shard):
            batch.append(workspace_id)
            if len(batch) == _BATCH:
                self.jobs.enqueue(batch, key)
                total, batch = total + len(batch), []
        if batch:
            self.jobs.enqueue(batch, key)
            total += len(batch)
        return total

    def _split(self, shards: list[int], at: datetime, run: str, key: str) -> int:
        if self.handoff is None:
            # Nowhere to hand them to: late is better than never.
            logger.warning("tick ran short of time with no hand-off queue; finishing it here", extra={"tick": key})
            return sum(self._shard(shard, key, _forever) or 0 for shard in shards)
        self.handoff.hand_off([ShardJob(at=at, run=run, shard=s).model_dump_json() for s in shards])
        return 0
