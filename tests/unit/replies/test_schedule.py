"""The poll schedule's fan-out: every connected mailbox once per run, shards in parallel, split when short of time."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from gmail_integration.replies.schedule import SchedulePolls, occasion
from gmail_integration.sqs.queues import SqsPollJobs, deduplication_id
from tests.unit.fake_mailboxes import FakeConnectedMailboxes
from tests.unit.fakes import FakeClock

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
FLEET = [f"ws_{i:04}" for i in range(1000)]


@dataclass
class FakeJobs:
    sent: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    threads: set[str] = field(default_factory=set)

    def enqueue(self, workspace_ids: Sequence[str], occasion: str) -> None:
        self.threads.add(threading.current_thread().name)
        self.sent.append((tuple(workspace_ids), occasion))

    def mailboxes(self) -> list[str]:
        return [ws for ids, _ in self.sent for ws in ids]


@dataclass
class FakeHandoff:
    bodies: list[str] = field(default_factory=list)

    def hand_off(self, bodies: Sequence[str]) -> None:
        self.bodies.extend(bodies)


def scheduler(jobs: FakeJobs, handoff: FakeHandoff | None = None, **extra: Any) -> SchedulePolls:
    return SchedulePolls(FakeConnectedMailboxes(FLEET), jobs, FakeClock(AT), handoff, **extra)


def test_every_mailbox_gets_one_job_in_batches_of_ten_from_shards_read_in_parallel() -> None:
    jobs = FakeJobs()
    assert scheduler(jobs)(AT, "run-1") == len(FLEET)
    assert sorted(jobs.mailboxes()) == FLEET
    assert all(1 <= len(ids) <= 10 for ids, _ in jobs.sent)
    assert len(jobs.sent) <= len(FLEET) // 10 + 16, "at most one short batch per shard"
    assert len(jobs.threads) > 1, "the shards go out from several workers"
    assert {o for _, o in jobs.sent} == {occasion(AT, "run-1")}


def test_another_run_in_the_same_minute_is_a_new_poll_and_a_retry_is_not() -> None:
    assert occasion(AT, "run-1") == occasion(AT, "run-1")
    assert occasion(AT, "run-1") != occasion(AT.replace(second=30), "run-2")
    push = "push-12345"
    ids = {deduplication_id("ws_1", o) for o in (occasion(AT, "run-1"), occasion(AT, "run-2"), push)}
    assert len(ids) == 3


def test_a_long_deduplication_id_is_hashed_within_sqs_limit() -> None:
    long_ws = "w" * 120
    first, second = deduplication_id(long_ws, "tick:a"), deduplication_id(long_ws, "tick:b")
    assert len(first) <= 128
    assert first != second


def test_short_of_time_the_unstarted_shards_are_handed_off_and_finish_as_the_same_run() -> None:
    jobs, handoff = FakeJobs(), FakeHandoff()
    budget = iter([30.0] * 5 + [1.0] * 100)  # five shards start, then the invocation runs short
    lock = threading.Lock()

    def time_left() -> float:
        with lock:
            return next(budget)

    first = scheduler(jobs, handoff, workers=1)(AT, "run-1", time_left=time_left)
    assert len(handoff.bodies) == 11
    assert first == len(jobs.mailboxes()) < len(FLEET)
    for body in handoff.bodies:  # each handed-off shard in its own invocation
        scheduler(jobs, handoff, workers=1).handed_off(body)
    assert sorted(jobs.mailboxes()) == FLEET, "every mailbox once"
    assert {o for _, o in jobs.sent} == {occasion(AT, "run-1")}, "the same jobs as if one invocation did it"
    assert len(handoff.bodies) == 11, "nothing handed off twice"


def test_without_a_hand_off_queue_a_slow_tick_finishes_late_rather_than_not() -> None:
    jobs = FakeJobs()
    assert scheduler(jobs)(AT, "run-1", time_left=lambda: 0.0) == len(FLEET)
    assert sorted(jobs.mailboxes()) == FLEET


@pytest.fixture
def fifo(monkeypatch: pytest.MonkeyPatch) -> Any:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "test")
    with mock_aws():
        client = boto3.client("sqs", region_name="us-east-1")
        url = client.create_queue(
            QueueName="poll.fifo",
            Attributes={
                "FifoQueue": "true",
                "DeduplicationScope": "messageGroup",
                "FifoThroughputLimit": "perMessageGroupId",
            },
        )["QueueUrl"]
        yield client, url


def _bodies(client: Any, url: str) -> int:
    return int(
        client.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
    )


def test_on_a_fifo_queue_a_retried_tick_is_dropped_and_another_run_is_not(fifo: Any) -> None:
    client, url = fifo
    jobs = SqsPollJobs(client, url)
    jobs.enqueue(["ws_1", "ws_2"], occasion(AT, "run-1"))
    jobs.enqueue(["ws_1", "ws_2"], occasion(AT, "run-1"))  # Lambda's retry of the same event
    assert _bodies(client, url) == 2
    jobs.enqueue(["ws_1"], occasion(AT, "run-on-demand"))  # an on-demand run in the same minute
    jobs.enqueue(["ws_1"], "push-777")
    assert _bodies(client, url) == 4
