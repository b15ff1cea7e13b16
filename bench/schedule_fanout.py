"""One poll tick's fan-out at 200, 2,000 and 10,000 connected mailboxes: SQS and DynamoDB calls, time here and Lambda's.

Run: make bench   (or .venv/bin/python bench/schedule_fanout.py [--sizes 200 2000 10000])

The tick is the real use case (SchedulePolls, 16 shard workers) with the real adapters (DynamoConnectedMailboxes,
SqsPollJobs). DynamoDB is moto in-process, the connection items written by the connection repository as a connect
writes them. SQS is a counting fake client: moto's FIFO queue checks deduplication against every message it holds,
so at 1,000 mailboxes moto alone took 23 s of this machine's CPU and it, not the service, became what was measured.
The fake keeps FIFO's rules that matter here (at most 10 entries, deduplication per group and id) and counts every
message back. Printed per size: SendMessageBatch calls, DynamoDB Query calls, DynamoDB writes (the target is 0),
wall time here (moto's CPU included: reading 10,000 index items takes moto about 4 s of this machine alone), and
the projected tick on Lambda: the same tick again, the shards served from what moto answered (each query page
costing the latency below as a sleep) and each SendMessageBatch sleeping its latency, so the wall time is the
service's own CPU plus the latencies as its 16 workers overlap them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(POWERTOOLS_METRICS_NAMESPACE="bench", POWERTOOLS_LOG_LEVEL="ERROR")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from gmail_integration.dal import keys  # noqa: E402
from gmail_integration.dal.connections import DynamoConnectionRepository  # noqa: E402
from gmail_integration.dal.mailboxes import DynamoConnectedMailboxes  # noqa: E402
from gmail_integration.models.domain import Connection, ConnectionStatus  # noqa: E402
from gmail_integration.replies.schedule import WORKERS, SchedulePolls  # noqa: E402
from gmail_integration.sqs.queues import SqsPollJobs  # noqa: E402
from tests.unit.contracts.conftest import create_table  # noqa: E402

# Assumed latencies from Lambda to services in its region: a Query page of ~600 index items, and a FIFO
# SendMessageBatch of 10 (SQS FIFO answers in 10-30 ms; the upper half is taken).
LATENCY_S = {"Query": 0.015, "SendMessageBatch": 0.025}
AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/poll.fifo"


class ReplayedMailboxes:
    """The shards as moto answered them, each query page served after the Query latency (DynamoDB's, not moto's)."""

    def __init__(self, shards: dict[int, list[str]], pages: dict[int, int]) -> None:
        self._shards, self._pages = shards, pages

    def shards(self) -> range:
        return range(keys.MAILBOX_SHARDS)

    def connected(self) -> Iterator[str]:
        raise AssertionError("the schedule reads shard by shard")

    def in_shard(self, shard: int) -> Iterator[str]:
        time.sleep(LATENCY_S["Query"] * self._pages.get(shard, 1))
        yield from self._shards.get(shard, [])


class CountingSqs:
    """The SQS client's SendMessageBatch, FIFO rules kept (10 entries at most, dedup per group and id), counted."""

    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s
        self.calls = 0
        self.seen: set[tuple[str, str]] = set()
        self.messages = 0
        self._lock = threading.Lock()

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: ARG002
        assert 1 <= len(Entries) <= 10, len(Entries)
        time.sleep(self.latency_s)
        with self._lock:
            self.calls += 1
            for entry in Entries:
                key = (entry["MessageGroupId"], entry["MessageDeduplicationId"])
                if key not in self.seen:
                    self.seen.add(key)
                    self.messages += 1
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}


def _connect(table: Any, size: int) -> None:
    repository = DynamoConnectionRepository(table)
    for i in range(size):
        repository.replace(
            Connection(
                workspace_id=f"ws_{i:05}",
                status=ConnectionStatus.CONNECTED,
                email=f"owner{i}@company.example",
                connected_at=AT,
                refresh_token_ciphertext=b"x" * 400,  # a sealed refresh token's size
                scopes=("https://www.googleapis.com/auth/gmail.metadata",),
                history_id="100",
            )
        )


def run(size: int) -> dict[str, Any]:
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        table = create_table(resource)
        with contextlib.redirect_stdout(io.StringIO()):
            _connect(table, size)
        sqs = CountingSqs(0.0)
        calls: Counter[str] = Counter()
        resource.meta.client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
        )
        jobs = SqsPollJobs(sqs, QUEUE_URL)  # type: ignore[arg-type]
        tick = SchedulePolls(DynamoConnectedMailboxes(table), jobs, lambda: AT)
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            scheduled = tick(AT, "bench-run")
        wall = time.perf_counter() - started
        queries = calls["Query"]
        mailboxes = DynamoConnectedMailboxes(table)
        shards = {shard: list(mailboxes.in_shard(shard)) for shard in mailboxes.shards()}
    assert scheduled == size == sqs.messages, (scheduled, size, sqs.messages)
    writes = sum(
        n
        for op, n in calls.items()
        if op in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
    )
    pages = dict.fromkeys(shards, 1)  # one page each at these sizes: the Query count says so
    slow_sqs = CountingSqs(LATENCY_S["SendMessageBatch"])
    projected = SchedulePolls(ReplayedMailboxes(shards, pages), SqsPollJobs(slow_sqs, QUEUE_URL), lambda: AT)  # type: ignore[arg-type]
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        projected(AT, "bench-run")
    lambda_s = time.perf_counter() - started
    assert slow_sqs.messages == size
    return {
        "size": size,
        "batches": sqs.calls,
        "queries": queries,
        "writes": writes,
        "wall_s": wall,
        "lambda_s": lambda_s,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 10000])
    args = parser.parse_args()
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(key, "bench")
    os.environ.pop("AWS_PROFILE", None)
    shards = keys.MAILBOX_SHARDS
    print(f"one poll tick: SchedulePolls ({shards} shards, {WORKERS} workers); DynamoDB on moto, SQS a counting fake")
    query_ms, batch_ms = LATENCY_S["Query"] * 1000, LATENCY_S["SendMessageBatch"] * 1000
    print(f"latency injected: Query {query_ms:.0f} ms, SendMessageBatch {batch_ms:.0f} ms")
    print(
        f"{'mailboxes':>9} {'SendMessageBatch':>16} {'Query':>6} {'writes':>6} {'wall here':>10}"
        f" {'projected on Lambda':>22}"
    )
    for size in args.sizes:
        r = run(size)
        assert r["queries"] == keys.MAILBOX_SHARDS, "more than one page per shard: the projection's pages are wrong"
        print(
            f"{size:>9} {r['batches']:>16} {r['queries']:>6} {r['writes']:>6} {r['wall_s']:>9.2f}s"
            f" {r['lambda_s']:>21.2f}s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
