"""What sending costs, measured on the local stack with the real send handler: every AWS and Google call, by kind.

Run: .venv/bin/python bench/send_cost.py [--bursts 100,300,1000] [--workers 2] [--emails 20]   (make bench runs it)

It starts its own local stack and leaves the send queue to worker processes outside it
(tests/integration/service/send_worker.py), as Lambda's containers take it; each worker counts every AWS call it makes
(the handler's and the event source's receives and deletes) and logs every record it receives. Phases:
- steady: N first emails, then N follow-ups (one into each thread), the mailbox's gap off: Gmail calls per first
  email (target 1) and per follow-up (target 2: the thread check and the send), AWS calls per email by operation;
- bursts: B emails enqueued at once for one mailbox, for each B, with the emulator's per-user quota as Google's: time
  to drain, messages received per email (target <= 3), DynamoDB and SQS calls per email (target DynamoDB <= 4), the
  429s met; a burst is done when every page of GET /emails shows all of them SENT;
- pace: 20 emails with a 2 s gap under 5 workers: the smallest gap Gmail saw between two sends, DynamoDB calls per
  email with pacing on;
- idle poll: the poll schedule on a quiet mailbox, in a minute of its own (the poll queue is FIFO and the tick is in
  the deduplication id, so a second tick in the same minute would be dropped by AWS): Gmail calls per idle poll.
Times are wall-clock on this machine: one process runs moto, the emulator and the front door, so they are upper
bounds of what the service itself takes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.conftest import LocalStack, start_local_stack  # noqa: E402
from tests.integration.service.flows import calls  # noqa: E402
from tests.integration.service.test_burst_and_pace import (  # noqa: E402
    all_emails,
    dead_letters,
    emails_for,
    enqueue,
    mailbox_setup,
    received,
    workers,
)


def aws_counts(stack: LocalStack, tag: str) -> Counter[str]:
    total: Counter[str] = Counter()
    for path in stack.state_dir.glob(f"counts-{tag}-*.json"):
        total.update(json.loads(path.read_text()))
    return total


def by_service(counts: Counter[str], service: str) -> dict[str, int]:
    return {k.split(".", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith(f"{service}.")}


def per(counts: dict[str, int], n: int) -> str:
    return ", ".join(f"{op} {v / n:.2f}" for op, v in counts.items()) or "none"


class _counted_workers:
    """Workers whose AWS calls are counted, one counts file each (the options of send_worker.py)."""

    def __init__(self, stack: LocalStack, files: list[Path]) -> None:
        self._contexts = [workers(stack, 1, counts_file=f) for f in files]
        self._logs: list[Path] = []

    def __enter__(self) -> Path:
        self._logs = [c.__enter__() for c in self._contexts]
        merged = self._logs[0].with_name(self._logs[0].stem + "-all.jsonl")
        self._merged = merged
        return merged

    def __exit__(self, *exc: object) -> None:
        for context in self._contexts:
            context.__exit__(None, None, None)
        self._merge()

    def _merge(self) -> None:
        self._merged.write_text("".join(log.read_text() for log in self._logs))


def aws_line(label: str, counted: Counter[str], n: int) -> str:
    dynamo, sqs = by_service(counted, "dynamodb"), by_service(counted, "sqs")
    kms, events = by_service(counted, "kms"), by_service(counted, "events")
    return (
        f"  {label}: DynamoDB {sum(dynamo.values()) / n:.2f} ({per(dynamo, n)}); SQS {sum(sqs.values()) / n:.2f}"
        f" ({per(sqs, n)}); KMS {per(kms, n)}; EventBridge {per(events, n)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", default="100,300,1000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--emails", type=int, default=20)
    args = parser.parse_args()
    bursts = [int(b) for b in args.bursts.split(",") if b]
    lines: list[str] = []

    def say(text: str) -> None:
        lines.append(text)
        print(text, flush=True)

    with (
        tempfile.TemporaryDirectory(prefix="outsales-bench-") as state,
        start_local_stack(Path(state), extra_args=["--external-worker", "SendEmailFunction"]) as stack,
    ):
        # ---- steady: first emails and follow-ups ----
        workspace, token, owner = mailbox_setup(stack, min_gap_s=0, max_per_hour=0)
        firsts = emails_for(workspace, args.emails, "first")
        mark = len(calls(stack))
        _, _, firsts_aws, _ = _phase(stack, "first", firsts, token, args.workers)
        first_calls = Counter(c["method"] for c in calls(stack)[mark:] if c["email"] == owner)
        follow_ups = [
            {**m, "activity_id": f"follow_{i}", "in_reply_to_activity_id": m["activity_id"], "subject": "Checking in"}
            for i, m in enumerate(firsts)
        ]
        mark = len(calls(stack))
        _, _, follow_aws, _ = _phase(stack, "follow", follow_ups, token, args.workers)
        follow_calls = Counter(c["method"] for c in calls(stack)[mark:] if c["email"] == owner)
        n = args.emails
        say(f"steady ({n} first emails, then {n} follow-ups; gap off; {args.workers} workers)")
        say(f"  Gmail calls per first email   {sum(first_calls.values()) / n:.2f}   {dict(first_calls)}")
        say(f"  Gmail calls per follow-up     {sum(follow_calls.values()) / n:.2f}   {dict(follow_calls)}")
        for label, counted in (("first email", firsts_aws), ("follow-up", follow_aws)):
            say(aws_line(f"per {label}", counted, n))

        # ---- bursts to one mailbox ----
        for size in bursts:
            workspace, token, owner = mailbox_setup(stack, min_gap_s=0, max_per_hour=0)
            mark = len(calls(stack))
            elapsed, records, counted, visible_after = _phase(
                stack, f"burst{size}", emails_for(workspace, size), token, args.workers, timeout_s=60 + size * 1.5
            )
            made = [c for c in calls(stack)[mark:] if c["email"] == owner]
            sends = [c for c in made if c["method"] == "gmail.users.messages.send"]
            accepted = sum(1 for c in sends if c["status"] == 200)
            per_email = Counter(r["activity_id"] for r in records)
            dynamo, sqs = by_service(counted, "dynamodb"), by_service(counted, "sqs")
            say(f"burst of {size} to one mailbox ({args.workers} workers, Gmail's per-user quota)")
            say(f"  drained in {elapsed:.0f} s ({size / elapsed:.2f} sends/s); all listed in GET /emails after"
                f" {visible_after:.0f} s; accepted sends {accepted} (429s: {len(sends) - accepted})")  # fmt: skip
            say(f"  messages received per email {len(records) / size:.2f} (most {max(per_email.values())});"
                f" DLQ {len(dead_letters(stack))}")  # fmt: skip
            say(f"  DynamoDB calls per email {sum(dynamo.values()) / size:.2f} ({per(dynamo, size)})")
            say(f"  SQS calls per email {sum(sqs.values()) / size:.2f} ({per(sqs, size)})")
            say(
                f"  KMS {per(by_service(counted, 'kms'), size)}; EventBridge {per(by_service(counted, 'events'), size)}"
            )

        # ---- pacing on: 20 emails, 2 s gap, 5 workers ----
        workspace, token, owner = mailbox_setup(stack, min_gap_s=2, max_per_hour=0)
        mark = len(calls(stack))
        _, records, counted, _ = _phase(stack, "pace", emails_for(workspace, 20), token, 5)
        times = sorted(c["time"] for c in calls(stack)[mark:] if c["email"] == owner and c["status"] == 200
                       and c["method"] == "gmail.users.messages.send")  # fmt: skip
        gaps = [b - a for a, b in itertools.pairwise(times)]
        dynamo = by_service(counted, "dynamodb")
        say("pace (20 emails, min_gap_s 2, 5 workers)")
        say(f"  smallest gap between two sends at Gmail {min(gaps):.3f} s (largest {max(gaps):.3f} s)")
        say(f"  messages received per email {len(records) / 20:.2f}; DynamoDB calls per email"
            f" {sum(dynamo.values()) / 20:.2f} ({per(dynamo, 20)})")  # fmt: skip

        # ---- idle poll, in a minute of its own ----
        stack.schedule()  # catch up with what was sent
        time.sleep(61 - time.time() % 60)
        idle_mark = len(calls(stack))
        stack.schedule()
        time.sleep(5)
        idle = Counter(c["method"] for c in calls(stack)[idle_mark:] if c["email"] == owner)
        say(f"idle poll of a quiet mailbox: Gmail calls {sum(idle.values())} ({dict(idle)})")
    return 0


def _phase(
    stack: LocalStack,
    tag: str,
    messages: list[dict[str, Any]],
    token: str,
    workers_n: int,
    timeout_s: float = 300,
) -> tuple[float, list[dict[str, Any]], Counter[str], float | None]:
    files = [stack.state_dir / f"counts-{tag}-{i}.json" for i in range(workers_n)]
    wanted = {m["activity_id"] for m in messages}
    context = _counted_workers(stack, files)
    log = context.__enter__()
    try:
        started = time.monotonic()
        enqueue(stack, messages)
        all_visible_after = None
        while True:
            visible = all_emails(stack, token)
            if all_visible_after is None and wanted <= set(visible):
                all_visible_after = time.monotonic() - started
            if all(visible.get(a, {}).get("status") == "SENT" for a in wanted):
                break
            if time.monotonic() - started > timeout_s:
                raise SystemExit(
                    f"{tag}: not drained in {timeout_s:.0f} s: {Counter(e['status'] for e in visible.values())}"
                )
            time.sleep(2)
        elapsed = time.monotonic() - started
    finally:
        context.__exit__(None, None, None)
    records = [r for r in received(log) if r["activity_id"] in wanted]
    return elapsed, records, aws_counts(stack, tag), all_visible_after


if __name__ == "__main__":
    sys.exit(main())
