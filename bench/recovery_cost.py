"""What history recovery costs after Gmail's 404, as the mailbox's history grows: calls, quota units and time.

Run: make bench   (or .venv/bin/python bench/recovery_cost.py [--sizes 10 100 1000 10000])

For each size N it builds a mailbox with N tracked threads, of which 20 were sent into in the last days and the rest
two months ago (outside the 30-day RecoveryWindowDays), then runs one poll whose history.list answers 404. The poll
is the real use case (PollMailbox and RecoverHistory) on the real DynamoDB adapters over moto; Gmail is a counting
fake (no network), which also places a reply in one recent thread. Printed per size:
- Gmail calls by method and the quota units they cost (Google's units: threads.get 10, history.list 2,
  getProfile 1), and the same for the old algorithm, which read every tracked thread;
- DynamoDB calls by operation (what recovery reads and writes: thread pages, the reply, the cursor);
- wall time here (moto in-process, so mostly moto's own CPU), the time the quota pacing asked to wait, and the time
  projected on Lambda from per-call latencies stated below.
"""

from __future__ import annotations

# ruff: noqa: ARG002 - the fakes keep the ports' signatures
import argparse
import contextlib
import io
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The figures are printed here; the service's metric and log lines would only drown them.
os.environ.update(POWERTOOLS_METRICS_NAMESPACE="bench", POWERTOOLS_LOG_LEVEL="ERROR")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from gmail_integration.dal.connections import DynamoConnectionRepository  # noqa: E402
from gmail_integration.dal.replies import DynamoReplies  # noqa: E402
from gmail_integration.dal.threads import DynamoThreads  # noqa: E402
from gmail_integration.models.domain import Connection, ConnectionStatus  # noqa: E402
from gmail_integration.models.gmail import HistoryPage  # noqa: E402
from gmail_integration.models.gmail_errors import GmailNotFoundError  # noqa: E402
from gmail_integration.models.times import iso  # noqa: E402
from gmail_integration.replies.poll_mailbox import PollMailbox  # noqa: E402
from tests.unit.contracts.conftest import create_table  # noqa: E402

RECENT = 20
UNITS = {"history.list": 2, "getProfile": 1, "threads.get": 10, "messages.get": 5}
# Assumed latencies from Lambda in the same region as the table, and to Gmail's API (p50-ish, warm connection).
LATENCY_S = {"gmail": 0.12, "dynamodb": 0.008}
OWNER = "sam@company.example"


class CountingGmail:
    """Gmail for one mailbox whose history Google no longer keeps; one recent thread holds the prospect's reply."""

    def __init__(self, replied_thread: str) -> None:
        self.calls: Counter[str] = Counter()
        self.replied_thread = replied_thread

    def history_page(
        self, connection: Connection, start_history_id: str, page_token: str | None, label_id: str | None = None
    ) -> HistoryPage:
        self.calls["history.list"] += 1
        raise GmailNotFoundError("Requested entity was not found.")

    def current_history_id(self, connection: Connection) -> str:
        self.calls["getProfile"] += 1
        return "90000"

    def thread_metadata(self, connection: Connection, thread_id: str, names: Sequence[str]) -> list[dict[str, Any]]:
        self.calls["threads.get"] += 1
        ours = {"id": f"{thread_id}-0", "threadId": thread_id, "labelIds": ["SENT"], "payload": {"headers": []}}
        if thread_id != self.replied_thread:
            return [ours]
        headers = [
            {"name": "From", "value": "Pat Lee <pat@prospect.example>"},
            {"name": "Subject", "value": "Re: Following up"},
            {"name": "In-Reply-To", "value": f"<{thread_id}@mail.outsales.app>"},
        ]
        return [
            ours,
            {"id": f"{thread_id}-1", "threadId": thread_id, "labelIds": ["INBOX"], "payload": {"headers": headers}},
        ]

    def message_metadata(self, connection: Connection, message_id: str, names: Sequence[str]) -> dict[str, Any]:
        self.calls["messages.get"] += 1
        raise AssertionError("recovery reads threads, not messages")


class Events:
    def __init__(self) -> None:
        self.published: list[Any] = []

    def publish(self, *events: Any) -> None:
        self.published.extend(events)


class NoAuthority:
    def authorization_lost(self, workspace_id: str, reason: str) -> None:
        raise AssertionError(reason)


def _fill(table: Any, workspace_id: str, size: int, now: datetime) -> list[str]:
    recent = []
    with table.batch_writer() as batch:
        for i in range(size):
            is_recent = i < RECENT
            sent = now - (timedelta(hours=6 * i + 1) if is_recent else timedelta(days=60, minutes=i))
            thread_id = f"t{i:05}"
            if is_recent:
                recent.append(thread_id)
            batch.put_item(
                Item={
                    "pk": f"WS#{workspace_id}",
                    "sk": f"THREAD#{thread_id}",
                    "workspace_id": workspace_id,
                    "thread_id": thread_id,
                    "emails": [{"a": f"act_{thread_id}", "m": f"<{thread_id}@mail.outsales.app>", "t": iso(sent)}],
                    "last_activity": f"act_{thread_id}",
                    "gsi1pk": f"THREADS#{workspace_id}",
                    "gsi1sk": f"{iso(sent)}#{thread_id}",
                }
            )
            batch.put_item(
                Item={
                    "pk": f"WS#{workspace_id}",
                    "sk": f"EMAIL#act_{thread_id}",
                    "status": "SENT",
                    "activity_id": f"act_{thread_id}",
                }
            )
    return recent


def run(size: int) -> dict[str, Any]:
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        table = create_table(resource)
        now = datetime.now(UTC)
        workspace_id = f"ws_bench_{size}"
        connections = DynamoConnectionRepository(table)
        connections.replace(
            Connection(
                workspace_id=workspace_id,
                status=ConnectionStatus.CONNECTED,
                email=OWNER,
                connected_at=now - timedelta(days=120),
                refresh_token_ciphertext=b"sealed",
                scopes=("https://www.googleapis.com/auth/gmail.metadata",),
                history_id="100",
            )
        )
        recent = _fill(table, workspace_id, size, now)
        gmail = CountingGmail(replied_thread=recent[len(recent) // 2])
        dynamodb: Counter[str] = Counter()
        resource.meta.client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: dynamodb.update([model.name])
        )
        waited: list[float] = []
        events = Events()
        poll = PollMailbox(
            connections=connections,
            threads=DynamoThreads(resource, table),
            replies=DynamoReplies(table),
            gmail=gmail,  # type: ignore[arg-type]
            authority=NoAuthority(),
            daily_limit_resume=lambda _connection: False,
            events=events,
            clock=lambda: datetime.now(UTC),
            sleep=waited.append,
        )
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the service's metric lines
            poll(workspace_id)
        wall = time.perf_counter() - started
        after = connections.get(workspace_id)
        assert after is not None
        assert (after.history_id, after.recovery) == ("90000", None), "recovery did not finish"
        assert len(events.published) == 1, "the reply is recorded once"
    gmail_calls = sum(gmail.calls.values())
    dynamodb_calls = sum(dynamodb.values())
    paced = sum(waited)
    return {
        "size": size,
        "gmail": dict(gmail.calls),
        "gmail_calls": gmail_calls,
        "units": sum(UNITS[m] * n for m, n in gmail.calls.items()),
        "old_calls": 2 + size,
        "old_units": UNITS["history.list"] + UNITS["getProfile"] + UNITS["threads.get"] * size,
        "dynamodb": dict(dynamodb),
        "wall_s": wall,
        "paced_s": paced,
        "lambda_s": gmail_calls * LATENCY_S["gmail"] + dynamodb_calls * LATENCY_S["dynamodb"] + paced,
        # One call after the other, and never faster than the user's whole quota (250 units/s) allows.
        "old_lambda_s": max((2 + size) * LATENCY_S["gmail"], (3 + 10 * size) / 250),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    args = parser.parse_args()
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(key, "bench")
    os.environ.pop("AWS_PROFILE", None)
    print(f"history recovery after a 404: N tracked threads, {RECENT} of them recent (RecoveryWindowDays 30)")
    print("Gmail: counting fake; DynamoDB: moto in-process; real PollMailbox/RecoverHistory and DynamoDB adapters")
    gmail_ms, dynamodb_ms = LATENCY_S["gmail"] * 1000, LATENCY_S["dynamodb"] * 1000
    print(f"projection: Gmail call {gmail_ms:.0f} ms, DynamoDB call {dynamodb_ms:.0f} ms, plus pacing")
    print(
        "old = the previous algorithm (threads.get for every tracked thread, unpaced), computed from the same latency"
    )
    print(
        f"{'threads':>8} {'gmail calls':>11} {'units':>6} {'dynamodb calls':>30} {'wall here':>10} {'paced':>6}"
        f" {'lambda':>7} | {'old calls':>9} {'old units':>9} {'old lambda':>10}"
    )
    for size in args.sizes:
        r = run(size)
        dyn = ", ".join(f"{k} {v}" for k, v in sorted(r["dynamodb"].items()))
        print(
            f"{r['size']:>8} {r['gmail_calls']:>11} {r['units']:>6} {dyn:>30} {r['wall_s']:>9.3f}s"
            f" {r['paced_s']:>5.1f}s {r['lambda_s']:>6.2f}s"
            f" | {r['old_calls']:>9} {r['old_units']:>9} {r['old_lambda_s']:>9.1f}s"
        )
        print(f"{'':>8} by method: {r['gmail']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
