"""Reply detection through the schedule, the FIFO poll queue and the Gmail emulator's history.

These run on a stack without Gmail push (as deployed with an empty GmailPushTopic), where every tick polls every
connected mailbox; test_push.py covers push and the safety-net schedule.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gmail_integration.dal import keys
from tests.integration.conftest import LocalStack, start_local_stack
from tests.integration.service.flows import (
    account,
    approved,
    calls,
    connect,
    mailbox,
    new_workspace,
    wait_email,
)

PROSPECT = "pat.replies@prospect.example"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    """The whole service with push off: its own stack, so that ticks alone drive reply detection."""
    with (
        tempfile.TemporaryDirectory(prefix="outsales-poll-") as state_dir,
        start_local_stack(Path(state_dir), extra_args=["--parameter", "GmailPushTopic="]) as running,
    ):
        assert running["push_enabled"] is False
        yield running


@pytest.fixture
def sent(stack: LocalStack) -> tuple[str, str, str, dict[str, object]]:
    """A connected workspace with one email sent to the prospect: (workspace, token, owner, email)."""
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example", "Sam Seller")
    account(stack, PROSPECT, "Pat Lee")
    token = connect(stack, workspace, owner)
    stack.send(approved(workspace, "act_1", to={"email": PROSPECT, "name": "Pat Lee"}))
    email = wait_email(stack, token, "act_1", "SENT")
    return workspace, token, owner, email


def _deliver(stack: LocalStack, owner: str, **message: object) -> None:
    answer = stack.google("POST", f"mailboxes/{owner}/messages", message)
    assert answer.status_code < 300, answer.text


def _tick(stack: LocalStack) -> None:
    assert stack.schedule().status_code == 200


def _our_message_id(stack: LocalStack, owner: str, email: dict[str, object]) -> str:
    raw = [m for m in mailbox(stack, owner) if m["id"] == email["gmail_message_id"]]
    assert raw
    return str(email["message_id"])


def test_a_reply_in_the_thread_turns_the_email_replied_within_one_tick(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, object]]
) -> None:
    workspace, token, owner, email = sent
    message_id = _our_message_id(stack, owner, email)
    _deliver(
        stack,
        owner,
        **{"from": f"Pat Lee <{PROSPECT}>", "subject": "Re: Following up", "text": "Sounds good, let's talk."},
        in_reply_to=message_id,
        references=message_id,
    )
    _tick(stack)
    replied = wait_email(stack, token, "act_1", "REPLIED")
    assert replied["replied_at"]
    detected = stack.events("ReplyDetected", where={"workspace_id": workspace, "activity_id": "act_1"})
    assert [e["detail"]["kind"] for e in detected] == ["reply"]
    _tick(stack)
    assert len(stack.events("ReplyDetected", where={"workspace_id": workspace}, count=2, timeout=2)) == 1


def test_a_reply_as_a_new_separate_email_is_not_matched(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, object]]
) -> None:
    workspace, token, owner, _ = sent
    _deliver(stack, owner, **{"from": f"Pat Lee <{PROSPECT}>", "subject": "Another topic", "text": "Hello again"})
    _tick(stack)
    assert wait_email(stack, token, "act_1", "SENT")["status"] == "SENT"
    assert stack.events("ReplyDetected", where={"workspace_id": workspace}, count=0) == []


def test_out_of_office_and_bounce_are_classified(stack: LocalStack) -> None:
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example")
    account(stack, PROSPECT, "Pat Lee")
    token = connect(stack, workspace, owner)
    for activity in ("act_ooo", "act_bounce"):
        stack.send(approved(workspace, activity, subject=f"Intro {activity}", to={"email": PROSPECT, "name": "Pat"}))
    ooo, bounce = (wait_email(stack, token, a, "SENT") for a in ("act_ooo", "act_bounce"))
    _deliver(
        stack,
        owner,
        **{"from": f"Pat Lee <{PROSPECT}>", "subject": "Automatic reply: Intro act_ooo", "text": "I am away."},
        in_reply_to=ooo["message_id"],
        headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
    )
    _deliver(
        stack,
        owner,
        **{
            "from": "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "subject": "Delivery Status Notification (Failure)",
            "text": "Address not found",
        },
        in_reply_to=bounce["message_id"],
        references=bounce["message_id"],
        headers={"X-Failed-Recipients": PROSPECT, "Auto-Submitted": "auto-replied"},
    )
    _tick(stack)
    assert wait_email(stack, token, "act_ooo", "AUTO_REPLIED")["auto_replied_at"]
    assert wait_email(stack, token, "act_bounce", "BOUNCED")["bounced_at"]


def _connected_mailboxes(stack: LocalStack) -> int:
    table = stack.table()
    return sum(
        table.query(
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": f"MAILBOXES#{shard}"},
        )["Count"]
        for shard in range(16)
    )


def _settled_tick(stack: LocalStack) -> list[dict[str, object]]:
    """Runs one tick and waits until its poll jobs are done; returns the Gmail calls it caused."""
    before = len(calls(stack))
    _tick(stack)
    expected = _connected_mailboxes(stack)

    def done() -> list[dict[str, object]] | None:
        made = [c for c in calls(stack)[before:] if str(c["method"]).startswith("gmail.")]
        history = [c for c in made if c["method"] == "gmail.users.history.list"]
        return made if len(history) >= expected and not stack.queue_messages("poll_queue_url") else None

    return stack.wait_for(done, timeout=20, message="the tick's poll jobs did not finish")


def test_an_idle_mailbox_costs_one_gmail_call_per_poll_and_no_write(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, object]]
) -> None:
    workspace = sent[0]
    key = {"pk": f"WS#{workspace}", "sk": "CONNECTION"}
    _settled_tick(stack)  # the first poll catches up with our own sent message
    before = stack.table().get_item(Key=key)["Item"]
    made = _settled_tick(stack)
    assert [c["method"] for c in made] == ["gmail.users.history.list"] * _connected_mailboxes(stack)
    assert stack.table().get_item(Key=key)["Item"] == before, "an idle poll writes nothing"


def test_after_a_history_404_only_recent_unanswered_threads_are_read_and_the_reply_is_recorded_once(
    stack: LocalStack,
) -> None:
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example")
    account(stack, PROSPECT, "Pat Lee")
    token = connect(stack, workspace, owner)
    recent = [f"act_recent_{i}" for i in range(3)]
    for activity in recent:
        stack.send(approved(workspace, activity, subject=f"Intro {activity}", to={"email": PROSPECT, "name": "Pat"}))
    sent = {activity: wait_email(stack, token, activity, "SENT") for activity in recent}
    # Many threads from two months ago, as the send path left them (and their Gmail threads are long gone).
    old = (datetime.now(UTC) - timedelta(days=60)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    with stack.table().batch_writer() as batch:
        for i in range(60):
            batch.put_item(
                Item={
                    "pk": f"WS#{workspace}",
                    "sk": f"THREAD#old{i}",
                    "workspace_id": workspace,
                    "thread_id": f"old{i}",
                    "emails": [{"a": f"act_old_{i}", "m": f"<old{i}@mail.outsales.app>", "t": old}],
                    "last_activity": f"act_old_{i}",
                    "gsi1pk": f"THREADS#{workspace}",
                    "gsi1sk": f"{old}#old{i}",
                }
            )
    mark = len(calls(stack))
    assert stack.google("POST", f"mailboxes/{owner}/history/expire", {}).status_code == 200
    answered = sent["act_recent_1"]
    _deliver(
        stack,
        owner,
        **{"from": f"Pat Lee <{PROSPECT}>", "subject": "Re: Intro act_recent_1", "text": "Yes, Tuesday works."},
        in_reply_to=answered["message_id"],
        references=answered["message_id"],
    )
    _tick(stack)
    wait_email(stack, token, "act_recent_1", "REPLIED")
    reads = [
        c["path"].rsplit("/", 1)[-1]
        for c in calls(stack)[mark:]
        if c["method"] == "gmail.users.threads.get" and c["email"] == owner
    ]
    assert sorted(reads) == sorted(str(email["gmail_thread_id"]) for email in sent.values()), (
        "the three recent threads, none of the sixty old ones"
    )
    _settled_tick(stack)
    detected = stack.events("ReplyDetected", where={"workspace_id": workspace}, count=2, timeout=2)
    assert [(e["detail"]["activity_id"], e["detail"]["kind"]) for e in detected] == [("act_recent_1", "reply")]
    connection = stack.table().get_item(Key={"pk": f"WS#{workspace}", "sk": "CONNECTION"})["Item"]
    assert "recovery_history_id" not in connection, "the recovery finished and left no place behind"


def test_a_shard_handed_off_by_a_tick_short_of_time_is_polled_from_the_schedulers_queue(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, object]]
) -> None:
    workspace, _, owner, _ = sent
    sqs = stack.client("sqs")
    (url,) = [u for u in sqs.list_queues().get("QueueUrls", []) if "ScheduleShardQueue" in u]
    mark = len(calls(stack))
    at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    body = json.dumps({"at": at, "run": f"handoff-{uuid.uuid4()}", "shard": keys.mailbox_shard(workspace)})
    sqs.send_message(QueueUrl=url, MessageBody=body)

    def polled() -> bool:
        return any(c["method"] == "gmail.users.history.list" and c["email"] == owner for c in calls(stack)[mark:])

    stack.wait_for(polled, timeout=20, message="the handed-off shard's mailbox was not polled")

    def consumed() -> bool:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return all(int(counts[name]) == 0 for name in names)

    stack.wait_for(consumed, timeout=10, message="the shard message was not consumed")
