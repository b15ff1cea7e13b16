"""The thread store's promises to history recovery, held by FakeThreads and by DynamoDB (moto) alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from gmail_integration.dal.threads import DynamoThreads, thread_append
from gmail_integration.replies.ports import Threads
from tests.unit.contracts.conftest import TABLE
from tests.unit.fake_threads import FakeThreads

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@dataclass
class Side:
    threads: Threads
    fake: FakeThreads | None = None
    table: Any = None

    def send(self, thread_id: str, activity_id: str, at: datetime, workspace_id: str = "ws_1") -> None:
        """What the send path does when an email joins its thread."""
        if self.fake is not None:
            self.fake.append(workspace_id, thread_id, activity_id=activity_id, message_id=f"<{activity_id}@x>", now=at)
            return
        part = thread_append(
            TABLE, workspace_id, thread_id, activity_id=activity_id, message_id=f"<{activity_id}@x>", now=at
        )
        part.pop("TableName")
        self.table.update_item(**part)

    def all_recent(self, since: datetime, limit: int, workspace_id: str = "ws_1") -> list[str]:
        seen: list[str] = []
        page: str | None = None
        while True:
            answer = self.threads.recent(workspace_id, since, page, limit)
            seen.extend(t.thread_id for t in answer.threads)
            if answer.next_page is None:
                return seen
            page = answer.next_page


@pytest.fixture(params=["fake", "dynamodb"])
def side(request: pytest.FixtureRequest) -> Side:
    if request.param == "fake":
        fake = FakeThreads()
        return Side(fake, fake=fake)
    table: Any = request.getfixturevalue("dynamodb_table")
    return Side(DynamoThreads(boto3.resource("dynamodb", region_name="us-east-1"), table), table=table)


def test_recent_threads_come_newest_first_in_pages_down_to_the_window(side: Side) -> None:
    for day in range(12):  # one thread a day, t0 sent 0 days ago ... t11 sent 11 days ago
        side.send(f"t{day}", f"act_{day}", NOW - timedelta(days=day))
    side.send("t_other_ws", "act_x", NOW, workspace_id="ws_2")
    assert side.all_recent(NOW - timedelta(days=7, hours=1), limit=3) == [f"t{d}" for d in range(8)]


def test_a_follow_up_brings_the_thread_forward(side: Side) -> None:
    side.send("t_old", "act_1", NOW - timedelta(days=40))
    side.send("t_new", "act_2", NOW - timedelta(days=1))
    assert side.all_recent(NOW - timedelta(days=30), limit=10) == ["t_new"]
    side.send("t_old", "act_3", NOW)
    assert side.all_recent(NOW - timedelta(days=30), limit=10) == ["t_old", "t_new"]
    found = side.threads.tracked("ws_1", ["t_old"])["t_old"]
    assert [e.activity_id for e in found.emails] == ["act_1", "act_3"]


def test_an_answered_latest_email_takes_the_thread_out_until_the_next_send(side: Side) -> None:
    side.send("t1", "act_1", NOW - timedelta(days=2))
    side.send("t1", "act_2", NOW - timedelta(days=1))
    assert not side.threads.settle("ws_1", "t1", "act_1"), "an answer to an earlier email leaves the thread in"
    assert side.all_recent(NOW - timedelta(days=30), limit=10) == ["t1"]
    assert side.threads.settle("ws_1", "t1", "act_2")
    assert not side.threads.settle("ws_1", "t1", "act_2"), "settling twice changes nothing"
    assert side.all_recent(NOW - timedelta(days=30), limit=10) == []
    assert "t1" in side.threads.tracked("ws_1", ["t1"]), "the thread itself stays for history's lookups"
    side.send("t1", "act_3", NOW)
    assert side.all_recent(NOW - timedelta(days=30), limit=10) == ["t1"]


def test_settling_an_unknown_thread_is_refused(side: Side) -> None:
    assert not side.threads.settle("ws_1", "t_nobody", "act_1")
