"""What one poll costs in a warm poll container, and what that makes of 10,000 mailboxes polled every minute.

Run: make bench   (or .venv/bin/python bench/poll_cost.py [--mailboxes 300])   --mailboxes 2500 passes any old
fixed bound of 2,048 entries per cache.

It starts its own local stack, leaves the poll queue to this process (``--external-worker``), and connects M
mailboxes through the popup flow. This process is then ONE poll container: the real handler (functions/poll_mailbox)
loaded once with its Container, fed as Lambda's event source feeds it (batches of up to 10 received from the FIFO
poll queue, deleted after). Each round is one run of the real schedule (every mailbox one job) drained to the end:
- cold: the container's first sight of each mailbox (a KMS decrypt and a token refresh each are expected);
- warm: the same mailboxes again, within the token's lifetime (target: no decrypt, no refresh);
- expired: the container's clock (google-auth's) and the emulator's moved an hour on, so every access token has
  expired: one refresh per mailbox is due, still no decrypt;
- memory: the caches emptied and filled again under tracemalloc, then emptied: what they held, per entry.
Per poll: AWS calls by operation (counted in this process's botocore, the event source's receives and deletes
apart), Google calls by method from the emulator's call log (``oauth.token`` is a refresh here), wall time and this
process's CPU time. Then the projection for 10,000 mailboxes at the template's concurrency, from the local wall time
and from the call counts at typical AWS/Google latencies plus the measured CPU at Lambda's share of a core.
Local wall times include moto and the emulator answering over loopback from another process on the same 2 cores.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.conftest import LocalStack, start_local_stack  # noqa: E402
from tests.integration.service.flows import connect, new_workspace  # noqa: E402

MAILBOX_TARGET = 10_000
INTERVAL_S = 60
ACCESS_TOKEN_S = 3600  # Google's access token lifetime
REFRESH_EARLY_S = 225  # google-auth treats a token as expired 3 min 45 s early
LAMBDA_FULL_CORE_MB = 1769  # Lambda gives a function one vCPU at 1,769 MB, and CPU in proportion below it
# Typical latencies from a Lambda in the region (low, high), seconds: DynamoDB single-item reads and writes; KMS
# Decrypt; Google's token endpoint; Gmail's history.list on an idle mailbox, and its other reads.
LATENCY_S: dict[str, tuple[float, float]] = {
    "dynamodb": (0.005, 0.010),
    "kms": (0.010, 0.015),
    "sqs": (0.010, 0.030),
    "secretsmanager": (0.020, 0.040),
    "oauth.token": (0.050, 0.150),
    "gmail.users.history.list": (0.100, 0.200),
    "gmail": (0.100, 0.200),
}


@dataclass
class Poll:
    workspace: str
    wall_s: float
    cpu_s: float
    aws: Counter[str] = field(default_factory=Counter)


@dataclass
class Round:
    name: str
    polls: list[Poll] = field(default_factory=list)
    invoke_s: float = 0.0
    event_source: Counter[str] = field(default_factory=Counter)
    google: Counter[str] = field(default_factory=Counter)
    failed: int = 0


class Container:
    """The poll function as one warm Lambda container: the handler loaded once, every call it makes counted."""

    def __init__(self, stack: LocalStack, owners: set[str]) -> None:
        os.environ.update(json.loads(Path(stack["functions_env"]).read_text()))
        os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(_function_memory_mb())
        import boto3
        import botocore.client
        from google.auth import _helpers

        from local_stack.lambda_runtime import LocalFunction

        self.stack = stack
        self.owners = owners
        self.clock_offset = timedelta()
        self.current: Poll | None = None
        self.outside: Counter[str] = Counter()
        original_call = botocore.client.BaseClient._make_api_call
        container = self

        def counted_call(client: Any, operation: str, params: Any) -> Any:
            name = f"{client.meta.service_model.service_name}.{operation}"
            (container.current.aws if container.current else container.outside)[name] += 1
            return original_call(client, operation, params)

        botocore.client.BaseClient._make_api_call = counted_call  # type: ignore[method-assign]
        real_utcnow = _helpers.utcnow
        _helpers.utcnow = lambda: real_utcnow() + container.clock_offset  # google-auth's clock, for token expiry

        self.sqs = boto3.client("sqs", endpoint_url=stack["aws_endpoint"], region_name=stack["aws_region"])
        self.queue_url = stack["poll_queue_url"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])
        self.queue_arn = attributes["Attributes"]["QueueArn"]
        self.function = LocalFunction.from_handler_setting(
            "PollMailboxFunction", "poll-mailbox-bench", ROOT / "functions" / "poll_mailbox", "handler.lambda_handler",
            _function_memory_mb(), 30, stack["aws_region"],
        )  # fmt: skip
        self.function.load()
        module = sys.modules["local_stack_functions.PollMailboxFunction"]
        inner = module.record_handler

        def timed_record_handler(record: Any, lambda_context: Any = None) -> None:
            poll = Poll(json.loads(record.body)["workspace_id"], 0.0, 0.0)
            container.current = poll
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                inner(record, lambda_context)
            finally:
                poll.wall_s, poll.cpu_s = time.perf_counter() - wall, time.process_time() - cpu
                container.current = None
                container.round.polls.append(poll)

        module.record_handler = timed_record_handler
        self.round = Round("none")

    def caches(self) -> list[Any]:
        from gmail_integration.bootstrap import bootstrap

        container = bootstrap()
        return [container.vault._cache, container.gmail._credentials._cache]

    def run_round(self, name: str, expected: set[str]) -> Round:
        """One schedule run drained: every job received in batches of 10, handed to the handler, then deleted."""
        from local_stack.pollers import sqs_record, to_delete

        self.round = Round(name)
        google_mark = self.stack.google("GET", "calls?since=999999999").json()["next"]
        answer = self.stack.schedule()
        assert answer.status_code < 300, answer.text
        seen: set[str] = set()
        idle_since = time.monotonic()
        while seen < expected and time.monotonic() - idle_since < 20:
            before = Counter(self.outside)
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageSystemAttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                self.round.event_source += Counter(self.outside) - before
                continue
            idle_since = time.monotonic()
            records = [sqs_record(m, self.queue_arn, self.stack["aws_region"]) for m in messages]
            started = time.perf_counter()
            result = self.function.invoke({"Records": records})
            self.round.invoke_s += time.perf_counter() - started
            done = to_delete(records, result, report_item_failures=True)
            self.round.failed += len(records) - len(done)
            if done:
                entries = [{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done)]
                self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
            seen.update(json.loads(r["body"])["workspace_id"] for r in records)
            self.round.event_source += Counter(self.outside) - before
        if seen < expected:
            raise SystemExit(f"{name}: {len(expected - seen)} mailboxes never polled")
        for call in self.stack.google("GET", f"calls?since={google_mark}").json()["calls"]:
            if call["email"] in self.owners:
                self.round.google[call["method"]] += 1
        return self.round


def _function_memory_mb() -> int:
    template = _template()
    props = template["Resources"]["PollMailboxFunction"]["Properties"]
    return int(props.get("MemorySize", template["Globals"]["Function"]["MemorySize"]))


def _template() -> dict[str, Any]:
    from cfnlint.decode import decode_str

    decoded, matches = decode_str((ROOT / "template.yaml").read_text(encoding="utf-8"))
    assert not matches, matches
    assert decoded is not None
    return dict(decoded)


def chosen_concurrency() -> tuple[int, int]:
    """The poll worker's concurrent invocations (its reservation, capped by the event source) and batch size."""
    props = _template()["Resources"]["PollMailboxFunction"]["Properties"]
    (event,) = [e["Properties"] for e in props["Events"].values() if e["Type"] == "SQS"]
    reserved = int(props["ReservedConcurrentExecutions"]["Fn::If"][1])
    return min(reserved, int(event["ScalingConfig"]["MaximumConcurrency"])), int(event["BatchSize"])


@contextmanager
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def cache_bytes_held(container: Container, expected: set[str]) -> tuple[float, int]:
    """The caches emptied, refilled by a round under tracemalloc, emptied again: what the freeing gave back."""
    for cache in container.caches():
        cache.clear()
    gc.collect()
    with traced():
        container.run_round("memory (caches refilled under tracemalloc)", expected)
        entries = sum(len(cache) for cache in container.caches())
        gc.collect()
        full = tracemalloc.get_traced_memory()[0]
        for cache in container.caches():
            cache.clear()
        gc.collect()
        empty = tracemalloc.get_traced_memory()[0]
    return full - empty, entries


def per_poll(counter: Counter[str], n: int) -> str:
    return ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(counter.items())) or "none"


def latency_s(service_or_method: str, which: int) -> float:
    if service_or_method in LATENCY_S:
        return LATENCY_S[service_or_method][which]
    return LATENCY_S[service_or_method.split(".", 1)[0]][which]


def report(round_: Round, mailboxes: int) -> dict[str, float]:
    polls = round_.polls
    n = len(polls)
    aws: Counter[str] = Counter()
    for poll in polls:
        aws.update(poll.aws)
    walls = sorted(p.wall_s for p in polls)
    p95 = walls[min(n - 1, int(0.95 * n))]
    cpu = statistics.median(p.cpu_s for p in polls)
    overhead = (round_.invoke_s - sum(walls)) / n
    dynamo = {k: v for k, v in aws.items() if k.startswith("dynamodb.")}
    print(f"{round_.name}: {n} polls of {mailboxes} mailboxes ({round_.failed} failed)")
    print(f"  DynamoDB per poll {sum(dynamo.values()) / n:.2f} ({per_poll(Counter(dynamo), n)})")
    print(f"  KMS Decrypt per poll {aws['kms.Decrypt'] / n:.2f}; token refreshes per poll"
          f" {round_.google['oauth.token'] / n:.2f}")  # fmt: skip
    print(f"  other AWS per poll: {per_poll(Counter({k: v for k, v in aws.items() if k not in dynamo}), n)}")
    gmail = Counter({k: v for k, v in round_.google.items() if k.startswith("gmail.")})
    print(f"  Gmail per poll {sum(gmail.values()) / n:.2f} ({per_poll(gmail, n)})")
    print(f"  event source (receive/delete, not the function's): {per_poll(round_.event_source, n)}")
    median = statistics.median(walls)
    print(f"  wall per poll median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms; CPU per poll (median)"
          f" {cpu * 1000:.1f} ms; invocation overhead per poll {overhead * 1000:.1f} ms")  # fmt: skip
    calls: Counter[str] = Counter({k.split(".", 1)[0]: v for k, v in aws.items()})
    calls.update({k: v for k, v in round_.google.items() if k == "oauth.token" or k.startswith("gmail.")})
    return {
        "median_s": statistics.median(walls),
        "mean_s": statistics.mean(walls) + overhead,
        "p95_s": p95,
        "cpu_s": cpu,
        **{f"io_{w}": sum(latency_s(k, i) * v for k, v in calls.items()) / n for i, w in enumerate(("low", "high"))},
    }


def fleet_refresh_share(containers: int, lifetime_s: float = ACCESS_TOKEN_S - REFRESH_EARLY_S) -> float:
    """The share of polls that find their container's access token for the mailbox expired, in steady state.

    A mailbox is polled every interval by whichever of ``containers`` takes the job; one container sees it again only
    after a geometric number of polls, and refreshes when that gap outlasts the token (google-auth renews early).
    """
    polls_within_lifetime = int(lifetime_s // INTERVAL_S)
    return float((1 - 1 / containers) ** polls_within_lifetime)


def projection(warm: dict[str, float], expired: dict[str, float], concurrency: int, batch: int) -> None:
    """The whole fleet is warm: the schedule puts every job on the queue at the minute's start, so the event source
    scales to its maximum each minute, and a mailbox's jobs land on any of ``concurrency`` containers."""
    memory_mb = _function_memory_mb()
    print(f"projection: {MAILBOX_TARGET:,} mailboxes, {concurrency} invocations x batch {batch}, every {INTERVAL_S} s")
    local = warm["mean_s"]
    local_s = MAILBOX_TARGET * local / concurrency
    print(f"  local (warm round): {local * 1000:.1f} ms per poll (mean, invocation overhead included) ->"
          f" {MAILBOX_TARGET:,} x {local:.4f} s / {concurrency} = {local_s:.1f} s")  # fmt: skip
    share = fleet_refresh_share(concurrency)
    cpu = warm["cpu_s"] * LAMBDA_FULL_CORE_MB / memory_mb
    for which in ("low", "high"):
        waiting = warm[f"io_{which}"] + share * (expired[f"io_{which}"] - warm[f"io_{which}"])
        per_poll = waiting + cpu
        interval_s = MAILBOX_TARGET * per_poll / concurrency
        print(
            f"  on AWS, {which} latencies: {waiting * 1000:.0f} ms waiting ({share:.0%} of polls refreshing their"
            f" container's token) + {cpu * 1000:.0f} ms CPU at {memory_mb} MB = {per_poll * 1000:.0f} ms per poll"
            f" -> {MAILBOX_TARGET:,} x {per_poll:.3f} s / {concurrency} = {interval_s:.0f} s"
        )
    refreshes = MAILBOX_TARGET * (3600 // INTERVAL_S) * share
    print(f"  fleet: {refreshes:,.0f} token refreshes an hour across {concurrency} containers (one token shared by all"
          f" containers: {MAILBOX_TARGET:,})")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=300)
    args = parser.parse_args()
    concurrency, batch = chosen_concurrency()
    # Push off: the schedule then polls every mailbox every minute, the case the capacity is sized for.
    extra = ["--external-worker", "PollMailboxFunction", "--no-schedule", "--parameter", "GmailPushTopic="]
    with (
        tempfile.TemporaryDirectory(prefix="outsales-bench-") as state,
        start_local_stack(Path(state), extra_args=extra) as stack,
    ):
        owners: set[str] = set()
        workspaces: set[str] = set()
        started = time.monotonic()
        for i in range(args.mailboxes):
            workspace = new_workspace()
            owner = f"poll.{workspace}@company.example"
            connect(stack, workspace, owner)
            owners.add(owner)
            workspaces.add(workspace)
            if (i + 1) % 100 == 0:
                print(f"connected {i + 1} mailboxes in {time.monotonic() - started:.0f} s", file=sys.stderr)
        container = Container(stack, owners)
        print(f"one warm poll container on this machine (2 cores, shared with the local stack); template:"
              f" {concurrency} concurrent invocations, batch {batch}")  # fmt: skip
        report(container.run_round("cold", workspaces), args.mailboxes)
        warm = report(container.run_round("warm", workspaces), args.mailboxes)
        assert stack.google("POST", "clock", {"advance_s": 3600}).status_code < 300
        container.clock_offset = timedelta(hours=1)
        expired = report(container.run_round("expired tokens (clocks +1 h)", workspaces), args.mailboxes)
        projection(warm, expired, concurrency, batch)
        held, entries = cache_bytes_held(container, workspaces)
        from gmail_integration.cache import memory_bound_size

        per_mailbox = held / len(workspaces)
        print(
            f"caches: {per_mailbox:.0f} bytes per mailbox ({entries} entries, {held / entries:.0f} bytes each: its"
            f" decrypted refresh token and its Google credentials); {MAILBOX_TARGET:,} mailboxes ="
            f" {per_mailbox * MAILBOX_TARGET / 2**20:.1f} MiB; bound at {_function_memory_mb()} MB:"
            f" {memory_bound_size():,} entries per cache"
        )
        print(f"measured at {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
