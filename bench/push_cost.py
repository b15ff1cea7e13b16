"""Replies within seconds, idle mailboxes almost free: Gmail push against the minute poll, on the local stack.

Run: .venv/bin/python bench/push_cost.py [--replies 20] [--idle 10]

For push on (the local stack's default) and push off (``--parameter GmailPushTopic=``) it starts its own local stack
without its ticking schedule and ticks it itself at every real minute, as EventBridge would. Then:
- latency: connects ``--replies`` workspaces, sends one email from each, delivers the prospect's reply into each
  thread at an even spread over a minute, and measures reply delivery → ``replied_at`` (the poll worker's clock);
  printed as p50 and max;
- idle cost: connects ``--idle`` quiet mailboxes and replays one hour of schedule ticks (60 events with the times of
  the next hour, ``POST /_local/schedule {"time"}``), then counts per idle mailbox: Gmail calls (the emulator's
  call log), poll jobs put on SQS (the schedule's own count in its log) and poll-worker invocations (at most one per
  job: a batch holds up to 5). Watch renewals (one ``users.watch`` a day) are not in the replayed hour: the schedule
  renews by the wall clock, so they are added as 1/24 an hour.
Figures depend on the machine: state its cores with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.conftest import LocalStack, start_local_stack  # noqa: E402
from tests.integration.service.flows import account, approved, calls, connect, new_workspace, wait_email  # noqa: E402


@contextmanager
def minute_ticks(stack: LocalStack) -> Iterator[None]:
    """EventBridge's rate(1 minute): a tick at every wall-clock minute while the block runs."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(60 - time.time() % 60):
            stack.schedule()

    ticker = threading.Thread(target=run, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        stop.set()
        ticker.join(timeout=5)


def parse_time(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def latency(stack: LocalStack, replies: int, spread_s: float) -> list[float]:
    prospect = account(stack, "pat.bench@prospect.example", "Pat")
    sent: list[tuple[str, str, dict[str, Any]]] = []
    for _ in range(replies):
        workspace = new_workspace()
        owner = account(stack, f"bench.{workspace}@company.example")
        token = connect(stack, workspace, owner)
        stack.send(approved(workspace, "act_1", to={"email": prospect, "name": "Pat"}))
        sent.append((owner, token, {}))
    sent = [(owner, token, wait_email(stack, token, "act_1", "SENT", timeout=120)) for owner, token, _ in sent]
    delivered: list[float] = []
    with minute_ticks(stack):
        for owner, _, email in sent:
            message_id = str(email["message_id"])
            delivered.append(time.time())
            answer = stack.google(
                "POST",
                f"mailboxes/{owner}/messages",
                {
                    "from": f"Pat <{prospect}>",
                    "subject": "Re: Following up",
                    "text": "Yes, let's talk.",
                    "in_reply_to": message_id,
                    "references": message_id,
                },
            )
            assert answer.status_code < 300, answer.text
            time.sleep(spread_s / replies)
        replied = [wait_email(stack, token, "act_1", "REPLIED", timeout=150) for _, token, _ in sent]
    return [parse_time(str(r["replied_at"])) - d for r, d in zip(replied, delivered, strict=True)]


def scheduled_jobs(stack: LocalStack, since_line: int) -> int:
    total = 0
    for line in stack.functions_log().splitlines()[since_line:]:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") in ("poll jobs scheduled", "safety-net polls scheduled"):
            total += int(entry.get("mailboxes", 0))
    return total


def idle_hour(stack: LocalStack, mailboxes: int) -> dict[str, float]:
    owners = set()
    for _ in range(mailboxes):
        workspace = new_workspace()
        owner = account(stack, f"idle.{workspace}@company.example")
        connect(stack, workspace, owner)
        owners.add(owner)
    # Gmail calls are counted for these owners only; the latency run's mailboxes are idle by now too.
    mark = len(calls(stack))
    log_mark = len(stack.functions_log().splitlines())
    start = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    for minute in range(60):
        moment = (start + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert stack.api("POST", "/_local/schedule", json={"time": moment}).status_code == 200

    def idle_calls() -> list[dict[str, Any]]:
        return [c for c in calls(stack)[mark:] if c["email"] in owners and c["method"].startswith("gmail.")]

    # The poll worker drains the hour's jobs: wait until the queue is empty and the count holds for 3 s.
    seen, steady_since, deadline = -1, time.monotonic(), time.monotonic() + 300
    while time.monotonic() < deadline:
        count = len(idle_calls())
        if count != seen or stack.queue_messages("poll_queue_url"):
            seen, steady_since = count, time.monotonic()
        elif time.monotonic() - steady_since > 3:
            break
        time.sleep(0.5)
    all_jobs = scheduled_jobs(stack, log_mark)
    return {"gmail_calls": len(idle_calls()) / mailboxes, "all_jobs": all_jobs, "mailboxes": mailboxes}


def run(push: bool, replies: int, idle: int) -> dict[str, Any]:
    extra = ["--no-schedule"] + ([] if push else ["--parameter", "GmailPushTopic="])
    with (
        tempfile.TemporaryDirectory(prefix="outsales-bench-") as state,
        start_local_stack(Path(state), None, extra) as stack,
    ):
        assert stack["push_enabled"] is push
        latencies = latency(stack, replies, spread_s=30 if push else 60)
        # The idle hour counts every connected mailbox the schedule looks at: the latency run's included.
        connected = replies + idle
        cost = idle_hour(stack, idle)
        jobs_per_mailbox = cost["all_jobs"] / connected
        return {
            "push": push,
            "p50_s": statistics.median(latencies),
            "max_s": max(latencies),
            "gmail_calls_per_idle_mailbox_hour": cost["gmail_calls"] + (1 / 24 if push else 0),
            "sqs_messages_per_idle_mailbox_hour": jobs_per_mailbox,
            "poll_invocations_per_idle_mailbox_hour_at_most": jobs_per_mailbox,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=20)
    parser.add_argument("--idle", type=int, default=10)
    args = parser.parse_args()
    results = [run(True, args.replies, args.idle), run(False, args.replies, args.idle)]
    print(f"machine: {os.cpu_count()} cores; {args.replies} replies, {args.idle} idle mailboxes, one replayed hour")
    print("push | reply->REPLIED p50 | max     | per idle mailbox and hour: Gmail calls | SQS messages | invocations")
    for r in results:
        print(
            f"{'on ' if r['push'] else 'off'}  | {r['p50_s']:17.2f}s | {r['max_s']:6.2f}s |"
            f" {r['gmail_calls_per_idle_mailbox_hour']:37.2f} | {r['sqs_messages_per_idle_mailbox_hour']:12.2f} |"
            f" {r['poll_invocations_per_idle_mailbox_hour_at_most']:11.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
