"""The fault-and-load soak: N approved emails through the local stack under faults, then every one accounted for.

Run: .venv/bin/python bench/soak/run.py --emails 5000 [--seed S] [--workspaces W]   (or make soak N=5000)

It starts its own local stack (short claim lease and Gmail timeout, the send queue left to outside workers), connects
W workspaces with three agents each, and puts the emails on the send queue with duplicated and reordered deliveries.
Send workers (two, four from 1,000 emails) run as separate processes, killed with SIGKILL at seeded points of the send
path and started again. While they work, a chaos loop (seeded) arms Google faults in the emulator (429 with
Retry-After, 500, 503, slow answers, answers lost after Gmail acted, invalid_grant, the daily sending limit, history
expired under the poll), closes and opens the billing and agent gates, reconnects mailboxes that lost their grant, and
has prospects reply to (or mail systems bounce) emails of their own while follow-ups to them are queued. Then every
gate opens and the run waits until the send queue is empty and no mailbox waits for a reconnect.

The count reads Gmail (the prospects' mailboxes in the emulator, by a tag the soak writes into each body), the service's
records (GET /emails) and the send DLQ, and sorts each activity: sent once, parked (with a reason), failed (with a
reason), cancelled, on the DLQ, duplicated (delivered more than once), lost (accounted for nowhere, stuck SENDING,
or SENT without a delivery). The last line is the summary; the exit status is 1 when duplicated or lost is not 0, or
when a follow-up was delivered although its thread had a reply or bounce before it was queued.
"""

from __future__ import annotations

import argparse
import base64
import email
import json
import random
import re
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from email.policy import default
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.soak.answers import Answers  # noqa: E402
from bench.soak.chaos import Chaos  # noqa: E402
from bench.soak.workers import Workers  # noqa: E402
from tests.integration.conftest import LocalStack, start_local_stack  # noqa: E402
from tests.integration.service.flows import account, approved, connect  # noqa: E402

STACK_ARGS = [
    "--parameter", "SendLeaseSeconds=12",
    "--parameter", "GmailHttpTimeoutSeconds=2",
    "--external-worker", "SendEmailFunction",
    "--no-schedule",
]  # fmt: skip
UNCONFIRMED = "delivery_unconfirmed"
SETTLED = {"SENT", "FAILED", "CANCELLED", "REPLIED", "AUTO_REPLIED", "BOUNCED"}


@dataclass
class Workspace:
    id: str
    owner: str
    prospects: list[str]
    token: str = ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=500)
    parser.add_argument("--seed", default=None)
    parser.add_argument("--workspaces", type=int, default=None)
    parser.add_argument("--kill-rate", type=float, default=0.08, help="share of batches whose worker is killed")
    parser.add_argument("--aws-fault-rate", type=float, default=0.01, help="share of DynamoDB/KMS calls throttled")
    parser.add_argument("--settle-timeout", type=float, default=None)
    parser.add_argument(
        "--workers", type=int, default=None, help="send worker processes (default: 2, and 4 from 1,000 emails)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the state dir (stack and worker logs)")
    args = parser.parse_args(argv)
    seed = args.seed or secrets.token_hex(4)
    print(f"soak seed={seed} emails={args.emails}", flush=True)
    summary = run(
        seed,
        args.emails,
        args.workspaces,
        args.kill_rate,
        args.aws_fault_rate,
        args.settle_timeout,
        args.keep,
        args.workers,
    )
    print(summary.line(), flush=True)
    return 0 if summary.holds() else 1


@dataclass
class Summary:
    seed: str
    emails: int
    counts: dict[str, int]
    wall_s: float
    sent_despite_answer: int = 0

    def line(self) -> str:
        c = self.counts
        return (
            f"soak seed={self.seed} emails={self.emails} sent_once={c['sent_once']} parked={c['parked']} "
            f"failed={c['failed']} cancelled={c['cancelled']} dlq={c['dlq']} duplicated={c['duplicated']} "
            f"lost={c['lost']}"
        )

    def holds(self) -> bool:
        c = self.counts
        return c["duplicated"] == 0 and c["lost"] == 0 and self.sent_despite_answer == 0


def run(
    seed: str,
    emails: int,
    workspaces: int | None = None,
    kill_rate: float = 0.08,
    aws_fault_rate: float = 0.01,
    settle_timeout: float | None = None,
    keep: bool = False,
    workers: int | None = None,
) -> Summary:
    rng = random.Random(seed)
    started = time.monotonic()
    count = workspaces or max(2, min(40, emails // 40))
    with (
        tempfile.TemporaryDirectory(prefix="outsales-soak-", delete=not keep) as state,
        start_local_stack(Path(state), extra_args=STACK_ARGS) as stack,
    ):
        spaces = _connect_workspaces(stack, seed, count)
        activities = _enqueue(stack, rng, spaces, emails)
        print(f"soak: {len(spaces)} workspaces connected, {emails} emails queued ({_since(started)})", flush=True)
        print(f"soak: state in {state}", flush=True)
        answers = Answers(stack, random.Random(f"{seed}:answers"), activities)
        # Each worker waits on the stack for most of a send: more of them keep the one-process stack busy.
        processes = workers or (4 if emails >= 1000 else 2)
        with Workers(Path(state), seed, kill_rate, aws_fault_rate, processes) as running:
            chaos = Chaos(stack, random.Random(f"{seed}:chaos"), spaces, answers, _tag)
            nearly_done = max(1, emails // 20)
            chaos.run_until(lambda: _queued(stack) < nearly_done, limit_s=20 + emails * 0.1)
            chaos.open_every_gate()
            print(f"soak: chaos over, every gate open ({_since(started)})", flush=True)
            _settle(stack, chaos, answers, settle_timeout or 120 + emails * 0.3)
            print(f"soak: settled ({_since(started)})", flush=True)
        print(f"soak: {processes} workers, restarted {running.restarts} times after kills", flush=True)
        print(f"soak: faults {dict(sorted(chaos.armed.items()))}", flush=True)
        depth = stack.client("sqs").get_queue_attributes(QueueUrl=stack["send_queue_url"], AttributeNames=["All"])
        print(f"soak: send queue at the end {_depth(depth['Attributes'])}", flush=True)
        counts, sent_despite_answer = _count(stack, spaces, activities, answers)
        print(f"soak: counted ({_since(started)})", flush=True)
    return Summary(seed, len(activities), counts, time.monotonic() - started, sent_despite_answer)


def _queued(stack: LocalStack) -> int:
    """Messages on the send queue, visible, in flight or delayed: what the workers still have to do."""
    sqs = stack.client("sqs")
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = sqs.get_queue_attributes(QueueUrl=stack["send_queue_url"], AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)


def _settle(stack: LocalStack, chaos: Chaos, answers: Answers, timeout: float) -> None:
    """Until nothing can move any more: the send queue empty twice in a row and no mailbox left to reconnect.

    Then every email is where it ends (sent, parked, failed, cancelled, on the DLQ), and the count reads the records
    once; a mailbox that lost its grant is reconnected here, which queues its parked emails again. A conversation
    whose first email went out only now still gets its answer and follow-up (in a big soak they queue late).
    """
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline and quiet < 2:
        reconnected = chaos.reconnect_lost_grants()
        while answers.answer_one(_tag):
            chaos.armed[f"{answers.answered[-1].kind}_then_follow_up"] += 1
        quiet = quiet + 1 if _queued(stack) == 0 and not reconnected else 0
        time.sleep(2)


def _since(started: float) -> str:
    return f"{time.monotonic() - started:.0f} s"


def _depth(attributes: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in attributes.items() if k.startswith("ApproximateNumber")}


def _connect_workspaces(stack: LocalStack, seed: str, count: int) -> list[Workspace]:
    spaces = []
    for i in range(count):
        ws = Workspace(f"ws_soak_{seed}_{i}", f"owner{i}.{seed}@company.example", [])
        ws.prospects = [account(stack, f"p{j}.ws{i}.{seed}@prospect.example", f"Pat {j}") for j in range(3)]
        ws.token = connect(stack, ws.id, account(stack, ws.owner))
        spaces.append(ws)
    return spaces


def _enqueue(stack: LocalStack, rng: random.Random, spaces: list[Workspace], emails: int) -> dict[str, Workspace]:
    """Every email once, a third of them again and some three times, in shuffled order: redelivery and reordering."""
    activities: dict[str, Workspace] = {}
    bodies = []
    for n in range(emails):
        ws = spaces[n % len(spaces)]
        activity = f"act_{n}"
        activities[activity] = ws
        prospect = rng.choice(ws.prospects)
        body = approved(
            ws.id,
            activity,
            agent_id=f"ag_{rng.randrange(3)}",
            to={"email": prospect, "name": "Pat"},
            text=f"Hi Pat,\n\nFollowing up on our call.\n\n{_tag(activity)}\n",
        )
        copies = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
        bodies += [json.dumps(body)] * copies
    rng.shuffle(bodies)
    sqs = stack.client("sqs")
    for start in range(0, len(bodies), 10):
        entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])]
        sqs.send_message_batch(QueueUrl=stack["send_queue_url"], Entries=entries)
    return activities


def _records(stack: LocalStack, ws: Workspace) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    cursor = None
    failures = 0
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = stack.api("GET", "/emails", token=ws.token, params=params)
        if page.status_code == 401:  # the session token expired during a long run
            ws.token = stack.jwt(ws.id)
            continue
        if page.status_code != 200:  # the one-process stack is saturated: ask again, the count must be whole
            failures += 1
            if failures > 20:
                raise RuntimeError(f"GET /emails keeps answering {page.status_code}: {page.text[:300]}")
            time.sleep(1)
            continue
        body = page.json()
        found.update({e["activity_id"]: e for e in body["items"]})
        cursor = body.get("cursor") or body.get("next_cursor")
        if not cursor:
            return found


_TAG = re.compile(r"\[soak (act_[a-z0-9_]+)\]")


def _tag(activity: str) -> str:
    """Written into the body by the soak itself, so the count of copies owes nothing to the service's own ids."""
    return f"[soak {activity}]"


def _delivered(stack: LocalStack, spaces: list[Workspace]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ws in spaces:
        for prospect in ws.prospects:
            for message in stack.google("GET", f"mailboxes/{prospect}/messages").json()["messages"]:
                parsed = email.message_from_bytes(base64.urlsafe_b64decode(message["raw"] + "=="), policy=default)
                text = "".join(
                    str(part.get_content()) for part in parsed.walk() if part.get_content_maintype() == "text"
                )
                for activity in set(_TAG.findall(text)):  # the text and HTML parts of one email count once
                    counts[activity] = counts.get(activity, 0) + 1
    return counts


def _dead_lettered(stack: LocalStack) -> set[str]:
    sqs = stack.client("sqs")
    found: set[str] = set()
    while True:
        answer = sqs.receive_message(QueueUrl=stack["send_dlq_url"], MaxNumberOfMessages=10, VisibilityTimeout=300)
        messages = answer.get("Messages", [])
        if not messages:
            return found
        for message in messages:
            try:
                found.add(str(json.loads(message["Body"])["activity_id"]))
            except (ValueError, KeyError, TypeError):
                continue


def _count(
    stack: LocalStack, spaces: list[Workspace], activities: dict[str, Workspace], answers: Answers
) -> tuple[dict[str, int], int]:
    """The buckets, and the follow-ups delivered although their thread had a reply or bounce before they were queued."""
    records: dict[str, dict[str, object]] = {}
    for ws in spaces:
        records.update(_records(stack, ws))
    delivered = _delivered(stack, spaces)
    dlq = _dead_lettered(stack)
    counts = dict.fromkeys(("sent_once", "parked", "failed", "cancelled", "dlq", "duplicated", "lost"), 0)
    reasons: dict[str, int] = {}
    for activity in activities:
        email, copies = records.get(activity), delivered.get(activity, 0)
        status = email["status"] if email else None
        if copies > 1:
            print(f"soak: DUPLICATED {activity}: record {email}, delivered {copies}", flush=True)
            bucket = "duplicated"
        elif copies == 1 and status in SETTLED - {"FAILED", "CANCELLED"}:
            bucket = "sent_once"
        elif copies == 0 and status == "EMAIL_READY" and email and email.get("reason"):
            bucket = "parked"
        elif copies == 0 and status == "FAILED" and email and email.get("reason"):
            bucket = "failed"
        elif copies == 1 and status == "FAILED" and email and email.get("reason") == UNCONFIRMED:
            # An interrupted send whose mailbox history expired before the retry could look: the service cannot
            # tell (the metadata scope allows no search), so it fails the email with words that send the user to
            # the Sent folder rather than risk a second copy. One copy did go out: counted failed, and named below.
            bucket = "failed"
            reasons["unconfirmed_but_delivered"] = reasons.get("unconfirmed_but_delivered", 0) + 1
        elif copies == 1 and status == "EMAIL_READY" and email and email.get("reason") and email.get("message_id"):
            # Parked behind a gate (or the daily limit) after an attempt whose answer was lost, while Gmail could not
            # be asked: the record says so (delivery_unconfirmed), and the park keeps the attempt's send cursor, so
            # the re-drive's claim looks in Gmail and records it SENT instead of sending again. One copy went out.
            # A park without that flag shows "waiting" for a delivered email: named apart, and printed.
            bucket = "parked"
            name = "parked_maybe_delivered" if email.get("delivery_unconfirmed") else "parked_but_delivered"
            reasons[name] = reasons.get(name, 0) + 1
            if name == "parked_but_delivered":
                print(f"soak: SHOWN WAITING BUT DELIVERED {activity}: record {email}", flush=True)
        elif copies == 0 and status == "CANCELLED":
            bucket = "cancelled"
        elif copies <= 1 and activity in dlq:
            # On the DLQ with its alarm, one of the allowed ends: a re-drive (docs/deploy.md) finishes it, and a
            # copy already in Gmail is found there by the claim's recovery, not sent again.
            bucket = "dlq"
        else:
            bucket = "lost"
            print(f"soak: LOST {activity}: record {email}, delivered {copies}, on DLQ {activity in dlq}", flush=True)
        counts[bucket] += 1
        if email and email.get("reason") and bucket in ("parked", "failed"):
            key = f"{bucket}:{email['reason']}"
            reasons[key] = reasons.get(key, 0) + 1
    print(f"soak: reasons {dict(sorted(reasons.items()))}", flush=True)
    held = answers.held(records, delivered)
    print(f"soak: follow-ups queued after a reply or bounce {held}", flush=True)
    return counts, held["sent_despite_answer"]


if __name__ == "__main__":
    sys.exit(main())
