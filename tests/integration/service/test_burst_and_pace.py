"""Bursts and pacing through SQS, the real send handler in several worker processes, and the Google emulator.

The stack leaves the send queue to workers outside it (send_worker.py), as several Lambda containers would take it.
The emulator's per-user quota is Google's (250 units a second, a send costs 100). Waiting must never use up the send
queue's receives: every wait is a new delayed message, so nothing here may end on the dead-letter queue.
"""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import LocalStack, _die_with_parent, start_local_stack
from tests.integration.service.flows import account, approved, calls, connect, new_workspace

WORKER = Path(__file__).with_name("send_worker.py")
HOUR = 3600


@pytest.fixture(scope="module")
def paced_stack() -> Iterator[LocalStack]:
    args = ["--external-worker", "SendEmailFunction", "--no-schedule"]
    with (
        tempfile.TemporaryDirectory(prefix="outsales-paced-") as state,
        start_local_stack(Path(state), extra_args=args) as running,
    ):
        yield running


@contextmanager
def workers(stack: LocalStack, count: int, **options: Any) -> Iterator[Path]:
    """``count`` send workers; yields the log of what they received (one JSON line per record)."""
    log = stack.state_dir / f"received-{time.monotonic_ns()}.jsonl"
    log.touch()
    command = [sys.executable, str(WORKER), str(stack.state_dir), str(log)]
    for name, value in options.items():
        command += [f"--{name.replace('_', '-')}", str(value)]
    stderr = (stack.state_dir / "workers.stderr.log").open("ab")
    processes = [
        subprocess.Popen(command, stdout=stderr, stderr=stderr, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        for _ in range(count)
    ]
    try:
        yield log
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        stderr.close()


def received(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def all_emails(stack: LocalStack, token: str) -> dict[str, dict[str, Any]]:
    """Every page of GET /emails."""
    found: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        answer = stack.api("GET", "/emails", token=token, params=params)
        for _ in range(3):  # the one-process local stack may answer 5xx for a moment under a burst
            if answer.status_code < 500:
                break
            time.sleep(1)
            answer = stack.api("GET", "/emails", token=token, params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found.update({e["activity_id"]: e for e in page["items"]})
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def enqueue(stack: LocalStack, messages: list[dict[str, Any]]) -> None:
    sqs = stack.client("sqs")
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        entries = [{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(chunk)]
        assert not sqs.send_message_batch(QueueUrl=stack["send_queue_url"], Entries=entries).get("Failed")


def dead_letters(stack: LocalStack) -> list[dict[str, Any]]:
    return stack.queue_messages("send_dlq_url", wait_s=1)


def mailbox_setup(stack: LocalStack, **pace: float) -> tuple[str, str, str]:
    """A connected workspace with its own pace; answers (workspace, token, its Gmail address)."""
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example")
    account(stack, f"pat.{workspace}@prospect.example", "Pat")
    token = connect(stack, workspace, owner)
    answer = stack.signed("PUT", f"/internal/workspaces/{workspace}/sending", pace)
    assert answer.status_code == 200, answer.text
    return workspace, token, owner


def emails_for(workspace: str, count: int, prefix: str = "act") -> list[dict[str, Any]]:
    to = {"email": f"pat.{workspace}@prospect.example", "name": "Pat"}
    return [approved(workspace, f"{prefix}_{i}", to=to, subject=f"Hello {i}") for i in range(count)]


def sends_of(stack: LocalStack, owner: str, since: int) -> list[dict[str, Any]]:
    return [c for c in calls(stack, "gmail.users.messages.send")[since:] if c["email"] == owner and c["status"] == 200]


def test_a_burst_of_300_to_one_mailbox_all_goes_out_once_at_gmails_pace(paced_stack: LocalStack) -> None:
    stack = paced_stack
    workspace, token, owner = mailbox_setup(stack, min_gap_s=0, max_per_hour=0)
    mark = len(calls(stack, "gmail.users.messages.send"))
    burst = emails_for(workspace, 300)
    wanted = {m["activity_id"] for m in burst}
    with workers(stack, 2) as log:
        started = time.monotonic()
        enqueue(stack, burst)
        checks, all_visible_after = 0, None
        while True:
            looked_at = {r["activity_id"] for r in received(log)}
            visible = all_emails(stack, token)
            # Every email a worker has taken is in GET /emails, whatever it waits for.
            assert looked_at <= set(visible), sorted(looked_at - set(visible))[:5]
            checks += 1
            if all_visible_after is None and wanted <= set(visible):
                all_visible_after = time.monotonic() - started
            if sum(1 for a in wanted if visible.get(a, {}).get("status") == "SENT") == len(wanted):
                break
            assert time.monotonic() - started < 420, f"{Counter(e['status'] for e in visible.values())}"
            time.sleep(2)
        elapsed = time.monotonic() - started
        records = received(log)
    per_email = Counter(r["activity_id"] for r in records)
    print(
        f"\nburst 300: all visible after {all_visible_after:.0f} s, drained in {elapsed:.0f} s,"
        f" {len(records) / len(wanted):.2f} receives per email (most {max(per_email.values())}), {checks} checks"
    )
    assert all_visible_after is not None
    assert all_visible_after < elapsed / 2, "every approved email is listed long before the mailbox drains"
    assert set(per_email) == wanted
    assert max(r["receive_count"] for r in records) == 1, "no wait used up a receive"
    sent = sends_of(stack, owner, mark)
    assert len(sent) == 300, "each email reached Gmail exactly once"
    prospect = stack.google("GET", f"mailboxes/pat.{workspace}@prospect.example/messages").json()["messages"]
    assert len(prospect) == 300
    refused = [c for c in calls(stack, "gmail.users.messages.send")[mark:] if c["status"] == 429]
    assert len(refused) <= 3, "the workers knew the mailbox's next slot instead of hammering it"
    assert dead_letters(stack) == []


def test_twenty_emails_with_a_two_second_gap_under_five_workers_go_out_at_least_two_seconds_apart(
    paced_stack: LocalStack,
) -> None:
    stack = paced_stack
    workspace, token, owner = mailbox_setup(stack, min_gap_s=2, max_per_hour=0)
    mark = len(calls(stack, "gmail.users.messages.send"))
    burst = emails_for(workspace, 20)
    with workers(stack, 5) as log:
        enqueue(stack, burst)

        def all_sent() -> bool:
            visible = all_emails(stack, token)
            return sum(1 for e in visible.values() if e["status"] == "SENT") == 20

        stack.wait_for(all_sent, timeout=150, interval=1, message="not every paced email was sent")
        records = received(log)
    times = sorted(c["time"] for c in sends_of(stack, owner, mark))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    print(f"\n20 emails, 2 s gap, 5 workers: smallest gap {min(gaps):.3f} s, largest {max(gaps):.3f} s")
    assert len(times) == 20, "each email once"
    assert min(gaps) >= 1.9, "Gmail saw two sends of the mailbox closer than the gap"
    assert len({r["worker"] for r in records}) > 1, "several workers shared the mailbox"
    visible = all_emails(stack, token)
    assert all(e["reason"] is None for e in visible.values()), "none parked"
    assert dead_letters(stack) == []


def _clock_at(clock_file: Path, moment: float) -> None:
    clock_file.write_text(str(moment - time.time()))


def test_an_email_waiting_an_hour_goes_round_without_dead_lettering_and_the_hourly_cap_holds(
    paced_stack: LocalStack,
) -> None:
    stack = paced_stack
    workspace, token, owner = mailbox_setup(stack, min_gap_s=0, max_per_hour=3)
    clock_file = stack.state_dir / f"clock-{workspace}"
    hour = math.floor(time.time() / HOUR) + 10  # an hour of the service's clock, ten hours on
    start = hour * HOUR + 60  # a minute into it

    def sent(count: int, message: str) -> dict[str, dict[str, Any]]:
        def reached() -> dict[str, dict[str, Any]] | None:
            emails = all_emails(stack, token)
            return emails if sum(1 for e in emails.values() if e["status"] == "SENT") == count else None

        return stack.wait_for(reached, timeout=40, interval=0.5, message=message)

    _clock_at(clock_file, start)
    with workers(stack, 3, clock_file=clock_file, longest_delay_s=1) as log:
        enqueue(stack, emails_for(workspace, 5))
        # A queue under a cap of 3 an hour is spread over the hour: slots 20 minutes apart, the first two at once.
        emails = sent(2, "the first two were not sent")
        time.sleep(12)
        waiting = [e for e in all_emails(stack, token).values() if e["status"] != "SENT"]
        assert len(waiting) == 3
        assert all(e["status"] == "EMAIL_READY" and e["reason"] is None for e in waiting), "waiting, not parked"
        assert all(datetime.fromisoformat(e["not_before"]).timestamp() >= start + 1200 for e in waiting)
        hops = Counter(r["activity_id"] for r in received(log) if r["not_before"])
        assert min(hops[e["activity_id"]] for e in waiting) > 8, "more hops than the queue's maxReceiveCount"
        assert dead_letters(stack) == []
        _clock_at(clock_file, start + 1300)
        sent(3, "the third did not go out at its slot")
        # The fourth slot (40 minutes in) finds the hour's three spent: it goes in the next hour.
        _clock_at(clock_file, start + 2500)

        def over_the_cap() -> dict[str, Any] | None:
            found = [e for e in all_emails(stack, token).values() if e["wait_reason"] == "hourly_limit"]
            return found[0] if found else None

        capped = stack.wait_for(over_the_cap, timeout=40, interval=0.5, message="no email waited for the next hour")
        assert datetime.fromisoformat(capped["not_before"]).timestamp() >= (hour + 1) * HOUR
        assert sum(1 for e in all_emails(stack, token).values() if e["status"] == "SENT") == 3
        _clock_at(clock_file, (hour + 1) * HOUR + 100)
        sent(4, "the fifth did not go out at its slot in the next hour")
        _clock_at(clock_file, (hour + 1) * HOUR + 1300)
        emails = sent(5, "the capped email did not go out in the next hour")
        records = received(log)
    sent_hours = Counter(math.floor(datetime.fromisoformat(e["sent_at"]).timestamp() / HOUR) for e in emails.values())
    assert sent_hours == {hour: 3, hour + 1: 2}, sent_hours
    assert max(r["receive_count"] for r in records) == 1, "no wait used up a receive"
    assert len(sends_of(stack, owner, 0)) == 5, "each once"
    assert dead_letters(stack) == []
