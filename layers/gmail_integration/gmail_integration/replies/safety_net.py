"""The poll schedule when Gmail push is on: push wakes the poll worker within seconds, the schedule is the net.

Every minute it looks at each connected mailbox's watch (one BatchGetItem per 100 mailboxes):
- a watch that is missing, expired or failed to renew: polled on this tick, and renewed (a failed renewal is
  retried hourly; until then the mailbox is polled every minute, as without push);
- a watch due for its daily renewal: renewed here (Google asks for one at least every 7 days);
- every other mailbox: polled once every ``every_minutes``, spread over the minutes by a hash of the workspace,
  so that notifications Pub/Sub dropped or delayed lose no reply for longer than that.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from gmail_integration.observability import logger
from gmail_integration.replies.ports import ConnectedMailboxes, PollJobs, Watches
from gmail_integration.replies.schedule import ShardJob, occasion

_BATCH = 100


def _offset(workspace_id: str, every_minutes: int) -> int:
    return int.from_bytes(hashlib.sha256(workspace_id.encode()).digest()[:4], "big") % every_minutes


@dataclass(frozen=True)
class SafetyNetPolls:
    mailboxes: ConnectedMailboxes
    watches: Watches
    jobs: PollJobs
    renew: Callable[[str], bool]
    every_minutes: int
    clock: Callable[[], datetime]

    def __call__(
        self,
        at: datetime | None = None,
        run: str = "",
        shards: Sequence[int] | None = None,
        time_left: Callable[[], float] = lambda: math.inf,  # noqa: ARG002 - the same call as SchedulePolls
    ) -> int:
        """As ``SchedulePolls``; never split (it enqueues about one mailbox in ``every_minutes``)."""
        moment = at or self.clock()
        tick = occasion(moment, run)
        minute = int(moment.timestamp() // 60)
        now = self.clock()
        polled = renewed = 0
        batch: list[str] = []
        for workspace_id in self._mailboxes(shards):
            batch.append(workspace_id)
            if len(batch) == _BATCH:
                p, r = self._batch(batch, tick, minute, now)
                polled, renewed, batch = polled + p, renewed + r, []
        if batch:
            p, r = self._batch(batch, tick, minute, now)
            polled, renewed = polled + p, renewed + r
        logger.info("safety-net polls scheduled", extra={"mailboxes": polled, "renewed": renewed, "tick": tick})
        return polled

    def handed_off(self, body: str, time_left: Callable[[], float] = lambda: math.inf) -> int:
        """A shard handed off before push was turned on is still done, the safety-net way."""
        job = ShardJob.model_validate_json(body)
        return self(job.at, job.run, [job.shard], time_left)

    def _mailboxes(self, shards: Sequence[int] | None) -> Iterator[str]:
        for shard in self.mailboxes.shards() if shards is None else shards:
            yield from self.mailboxes.in_shard(shard)

    def _batch(self, workspace_ids: list[str], tick: str, minute: int, now: datetime) -> tuple[int, int]:
        states = self.watches.states(workspace_ids)
        due: list[str] = []
        renewed = 0
        for workspace_id in workspace_ids:
            state = states.get(workspace_id)
            trusted = state is not None and state.active(now)
            if state is None or state.renewal_due(now):
                renewed += 1
                trusted = self.renew(workspace_id) and trusted
            if not trusted or (minute + _offset(workspace_id, self.every_minutes)) % self.every_minutes == 0:
                due.append(workspace_id)
        if due:
            self.jobs.enqueue(due, tick)
        return len(due), renewed
