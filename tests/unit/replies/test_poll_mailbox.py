"""The poll use case on an in-memory mailbox: what it reads, what it records, where the cursor goes."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gmail_integration.bootstrap import Container
from gmail_integration.models.domain import Connection, ConnectionStatus, ParkReason, RecoveryCursor
from gmail_integration.models.events import DetailType
from gmail_integration.models.gmail import AddedMessage, HistoryPage
from gmail_integration.models.gmail_errors import AuthorizationLostError, GmailNotFoundError, RateLimitedError
from gmail_integration.models.threads import RecentThreads, ThreadEmail, TrackedThread
from gmail_integration.replies.poll_mailbox import PollLaterError, PollOutcome
from gmail_integration.settings import get_settings
from tests.unit.fake_suppressions import FakeSuppressions
from tests.unit.fake_threads import FakeThreads
from tests.unit.fakes import FakeClock, FakeEvents, FakeRedrive

OWNER = "sam@company.example"
SENT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
"""When the tracked threads were last sent into: four days before the fake clock's start, within any window."""


def message(mid: str, thread: str, sender: str = "Pat Lee <pat@prospect.example>", **headers: str) -> dict[str, Any]:
    values = {"From": sender, "Subject": "Re: Following up", **headers}
    return {
        "id": mid,
        "threadId": thread,
        "labelIds": ["INBOX", "UNREAD"],
        "payload": {
            "mimeType": "multipart/alternative",
            "headers": [{"name": k, "value": v} for k, v in values.items()],
        },
    }


@dataclass
class FakeMailbox:
    """Gmail's history and messages for one mailbox; counts every call."""

    history_id: int = 100
    added: list[tuple[int, AddedMessage]] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    expired_before: int = 0
    page_size: int = 2
    calls: list[str] = field(default_factory=list)
    error: Exception | None = None
    thread_errors: dict[str, Exception] = field(default_factory=dict)

    def deliver(self, msg: dict[str, Any], labels: Iterable[str] = ("INBOX", "UNREAD")) -> None:
        self.history_id += 1
        msg["labelIds"] = list(labels)
        self.messages[msg["id"]] = msg
        self.added.append((self.history_id, AddedMessage(msg["id"], msg["threadId"], frozenset(labels))))

    def history_page(
        self, connection: Connection, start_history_id: str, page_token: str | None, label_id: str | None = None
    ) -> HistoryPage:
        self.calls.append("history.list")
        if self.error:
            raise self.error
        if int(start_history_id) < self.expired_before:
            raise GmailNotFoundError("404")
        newer = [m for hid, m in self.added if hid > int(start_history_id)]
        offset = int(page_token or 0)
        page = newer[offset : offset + self.page_size]
        more = offset + self.page_size < len(newer)
        return HistoryPage(page, str(self.history_id), str(offset + self.page_size) if more else None)

    def message_metadata(self, connection: Connection, message_id: str, names: Sequence[str]) -> dict[str, Any]:
        self.calls.append(f"messages.get {message_id}")
        return self.messages[message_id]

    def thread_metadata(self, connection: Connection, thread_id: str, names: Sequence[str]) -> list[dict[str, Any]]:
        self.calls.append(f"threads.get {thread_id}")
        if thread_id in self.thread_errors:
            raise self.thread_errors.pop(thread_id)
        return [m for m in self.messages.values() if m["threadId"] == thread_id]

    def current_history_id(self, connection: Connection) -> str:
        self.calls.append("getProfile")
        return str(self.history_id)


@dataclass
class FakeStore:
    connection: Connection
    threads: FakeThreads = field(default_factory=FakeThreads)
    replies: set[tuple[str, str]] = field(default_factory=set)
    writes: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    def get(self, workspace_id: str) -> Connection | None:
        return self.connection

    def advance_cursor(self, workspace_id: str, history_id: str) -> bool:
        self.writes.append(f"cursor {history_id}")
        if int(history_id) <= int(self.connection.history_id or 0):
            return False
        self.connection = self.connection.model_copy(update={"history_id": history_id})
        return True

    def resume_sending(self, workspace_id: str, until: datetime) -> bool:
        self.writes.append("resume")
        self.connection = self.connection.model_copy(update={"paused_until": None})
        return True

    def tracked(self, workspace_id: str, thread_ids: Iterable[str]) -> dict[str, TrackedThread]:
        return self.threads.tracked(workspace_id, thread_ids)

    def recent(self, workspace_id: str, since: datetime, page: str | None, limit: int) -> RecentThreads:
        return self.threads.recent(workspace_id, since, page, limit)

    def settle(self, workspace_id: str, thread_id: str, activity_id: str) -> bool:
        self.writes.append(f"settle {thread_id} {activity_id}")
        return self.threads.settle(workspace_id, thread_id, activity_id)

    def save_recovery(self, workspace_id: str, cursor: RecoveryCursor) -> None:
        self.writes.append(f"recovery {cursor.history_id} {cursor.page}")
        self.connection = self.connection.model_copy(update={"recovery": cursor})

    def finish_recovery(self, workspace_id: str, history_id: str) -> bool:
        self.writes.append(f"recovered {history_id}")
        moved = int(history_id) > int(self.connection.history_id or 0)
        update: dict[str, object] = {"recovery": None}
        if moved:
            update["history_id"] = history_id
        self.connection = self.connection.model_copy(update=update)
        return moved

    def record_reply(self, workspace_id: str, activity_id: str, kind: str, at: datetime) -> bool:
        self.writes.append(f"reply {activity_id} {kind}")
        if (activity_id, kind) in self.replies:
            return False
        self.replies.add((activity_id, kind))
        return True

    def authorization_lost(self, workspace_id: str, reason: str) -> None:
        self.lost.append(reason)


@dataclass
class World:
    gmail: FakeMailbox
    store: FakeStore
    events: FakeEvents
    redrive: FakeRedrive
    clock: FakeClock
    suppressions: FakeSuppressions = field(default_factory=FakeSuppressions)
    time_left: Callable[[], float] = lambda: math.inf
    overrides: dict[str, Any] = field(default_factory=dict)

    def poll(self) -> PollOutcome:
        # The composition root, its adapters replaced by fakes: the poll runs as bootstrap wires it.
        container = Container(settings=get_settings(), clock=self.clock)
        container.connections = self.store  # type: ignore[assignment]
        container.threads = self.store  # type: ignore[assignment]
        container.replies = self.store  # type: ignore[assignment]
        container.gmail = self.gmail  # type: ignore[assignment]
        container.mailbox_authority = self.store  # type: ignore[assignment]
        container.redrive = self.redrive  # type: ignore[assignment]
        container.events = self.events  # type: ignore[assignment]
        container.suppressions = self.suppressions  # type: ignore[assignment]
        # Pacing waits on the fake clock, so a test sees how long the quota made recovery wait without waiting.
        poll = dataclasses.replace(container.poll_mailbox, sleep=self.clock.advance, **self.overrides)
        return poll("ws_1", self.time_left)

    def detected(self) -> list[tuple[str | None, str | None]]:
        return [(e.activity_id, e.kind) for e in self.events.published if e.detail_type is DetailType.REPLY_DETECTED]


@pytest.fixture
def world() -> World:
    connection = Connection(
        workspace_id="ws_1",
        status=ConnectionStatus.CONNECTED,
        email=OWNER,
        connected_at=datetime(2026, 11, 1, tzinfo=UTC),
        refresh_token_ciphertext=b"x",
        history_id="100",
    )
    store = FakeStore(connection)
    store.threads.put(TrackedThread("t1", (ThreadEmail("act_1", "<act_1@mail.outsales.app>"),)), SENT)
    return World(FakeMailbox(), store, FakeEvents(), FakeRedrive(), FakeClock())


def test_an_idle_mailbox_costs_one_call_and_no_write(world: World) -> None:
    assert world.poll() is PollOutcome.POLLED
    assert world.gmail.calls == ["history.list"]
    assert world.store.writes == []


def test_a_reply_in_our_thread_marks_the_email_replied_once(world: World) -> None:
    world.gmail.deliver(message("m1", "t1"))
    world.poll()
    assert world.detected() == [("act_1", "reply")]
    assert world.store.connection.history_id == "101"
    world.store.connection = world.store.connection.model_copy(update={"history_id": "100"})  # a repeated poll
    world.poll()
    assert world.detected() == [("act_1", "reply")], "one ReplyDetected per email and kind"


def test_mail_outside_our_threads_is_never_read(world: World) -> None:
    world.gmail.deliver(message("m_other", "t_other", Subject="Lunch?"))
    world.poll()
    assert [c for c in world.gmail.calls if c.startswith("messages.get")] == []
    assert world.detected() == []
    assert world.store.connection.history_id == "101", "the cursor moves past it all the same"


def test_the_users_own_messages_are_ignored(world: World) -> None:
    world.gmail.deliver(message("m_sent", "t1", sender=f"Sam <{OWNER}>"), labels=("SENT",))
    world.gmail.deliver(message("m_other_client", "t1", sender=f"Sam <{OWNER}>"))
    world.poll()
    assert world.detected() == []
    assert "messages.get m_sent" not in world.gmail.calls


def test_auto_replies_and_bounces_are_told_apart(world: World) -> None:
    world.store.threads.put(TrackedThread("t2", (ThreadEmail("act_2", "<act_2@x>"),)), SENT)
    world.gmail.deliver(
        message("m1", "t1", Subject="Automatic reply: Following up", **{"Auto-Submitted": "auto-replied"})
    )
    world.gmail.deliver(
        message(
            "m2",
            "t2",
            sender="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            Subject="Delivery Status Notification (Failure)",
            **{"Content-Type": 'multipart/report; report-type=delivery-status; boundary="x"'},
        )
    )
    world.suppressions.recipients[("ws_1", "act_1")] = "pat@prospect.com"
    world.suppressions.recipients[("ws_1", "act_2")] = "lee@prospect.com"
    world.poll()
    assert sorted(world.detected()) == [("act_1", "auto_reply"), ("act_2", "bounce")]
    assert [s.address for s in world.suppressions.suppressions("ws_1")] == ["lee@prospect.com"], (
        "a bounce suppresses its recipient; an auto-reply does not"
    )


def test_a_reply_to_a_follow_up_marks_the_email_it_answers(world: World) -> None:
    world.store.threads.put(
        TrackedThread("t1", (ThreadEmail("act_1", "<act_1@x>"), ThreadEmail("act_2", "<act_2@x>"))), SENT
    )
    world.gmail.deliver(message("m1", "t1", **{"In-Reply-To": "<act_1@x>"}))
    world.gmail.deliver(message("m2", "t1"))
    world.poll()
    assert sorted(world.detected()) == [("act_1", "reply"), ("act_2", "reply")]


def test_paging_reads_every_page_and_ends_on_the_last_history_id(world: World) -> None:
    for i in range(5):
        world.gmail.deliver(message(f"m{i}", "t_other"))
    world.gmail.deliver(message("m_reply", "t1"))
    world.poll()
    assert world.gmail.calls.count("history.list") == 3
    assert world.detected() == [("act_1", "reply")]
    assert world.store.connection.history_id == "106"


def test_an_expired_cursor_checks_tracked_threads_then_resumes_from_the_profile(world: World) -> None:
    world.gmail.deliver(message("m1", "t1"))
    world.gmail.expired_before = 1000
    world.poll()
    assert world.detected() == [("act_1", "reply")]
    assert world.gmail.calls[:2] == ["history.list", "getProfile"], "the resume point is noted before the check"
    assert "threads.get t1" in world.gmail.calls
    assert world.store.connection.history_id == "101"


def test_authorization_lost_during_a_poll(world: World) -> None:
    world.gmail.error = AuthorizationLostError("token_revoked")
    assert world.poll() is PollOutcome.AUTHORIZATION_LOST
    assert world.store.lost == ["token_revoked"]


def test_a_rate_limit_retries_this_mailbox_later(world: World) -> None:
    world.gmail.error = RateLimitedError(12)
    with pytest.raises(PollLaterError) as later:
        world.poll()
    assert later.value.delay_s == 12
    assert world.store.writes == []


def test_a_disconnected_mailbox_is_not_polled(world: World) -> None:
    world.store.connection = world.store.connection.model_copy(update={"status": ConnectionStatus.NEEDS_RECONNECT})
    assert world.poll() is PollOutcome.SKIPPED
    assert world.gmail.calls == []


def test_a_daily_limit_pause_ends_with_a_redrive(world: World) -> None:
    world.store.connection = world.store.connection.model_copy(
        update={"paused_until": world.clock() - timedelta(minutes=1)}
    )
    world.poll()
    assert world.redrive.calls == [("ws_1", (ParkReason.DAILY_LIMIT_REACHED.value,), None)]


def test_the_reply_latency_is_measured_from_gmails_receipt(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    received_ms = int((world.clock() - timedelta(seconds=75)).timestamp() * 1000)
    world.gmail.deliver({**message("m1", "t1"), "internalDate": str(received_ms)})
    capsys.readouterr()
    world.poll()
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"ReplyLatency"' in line]
    assert [(e["ReplyLatency"], e["kind"]) for e in emitted] == [([75.0], "reply")]
    assert emitted[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "ReplyLatency", "Unit": "Seconds"}]


def test_the_deciding_signal_is_logged_with_the_ids_and_never_a_header_value(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.gmail.deliver(
        message("m1", "t1", sender="Kim <kim@prospect.example>", Subject="Automatische Antwort: Following up")
    )
    with caplog.at_level("INFO"):
        world.poll()
    [record] = [r for r in caplog.records if r.getMessage() == "reply detected"]
    fields = {key: getattr(record, key) for key in ("activity_id", "gmail_message_id", "kind", "signal")}
    assert fields == {"activity_id": "act_1", "gmail_message_id": "m1", "kind": "auto_reply", "signal": "auto_subject"}
    assert not any("Automatische" in str(value) or "kim@" in str(value) for value in vars(record).values())


def _ours(mid: str, thread: str, marker: str, gmail_id: str) -> dict[str, Any]:
    """One of our sent messages as Gmail keeps it: its Message-ID re-stamped, our marker header intact (the random
    part of the Message-ID we gave it)."""
    return message(mid, thread, sender=f"Sam <{OWNER}>", **{"Message-ID": gmail_id, "X-OutSales-Activity": marker})


def test_a_reply_naming_the_message_id_gmail_gave_our_email_is_attributed_to_that_email(world: World) -> None:
    world.store.threads.put(
        TrackedThread("t1", (ThreadEmail("act_1", "<9f1c0ffee1@x>"), ThreadEmail("act_2", "<9f1c0ffee2@x>"))), SENT
    )
    world.gmail.deliver(_ours("s1", "t1", "9f1c0ffee1", "<CAgmail1@mail.gmail.com>"), labels=("SENT",))
    world.gmail.deliver(_ours("s2", "t1", "9f1c0ffee2", "<CAgmail2@mail.gmail.com>"), labels=("SENT",))
    world.gmail.deliver(message("m1", "t1", **{"In-Reply-To": "<CAgmail1@mail.gmail.com>"}))
    world.poll()
    assert world.detected() == [("act_1", "reply")], "not the thread's latest email"
    assert world.gmail.calls.count("threads.get t1") == 1


def test_an_unknown_in_reply_to_falls_back_to_the_latest_email_and_a_known_one_costs_no_lookup(world: World) -> None:
    world.store.threads.put(
        TrackedThread("t1", (ThreadEmail("act_1", "<act_1@x>"), ThreadEmail("act_2", "<act_2@x>"))), SENT
    )
    world.gmail.deliver(_ours("s1", "t1", "5e1dc0de", "<CAgmail1@mail.gmail.com>"), labels=("SENT",))
    world.gmail.deliver(message("m1", "t1", **{"In-Reply-To": "<CAgmail1@mail.gmail.com>"}))
    world.gmail.deliver(message("m2", "t1", **{"In-Reply-To": "<act_1@x>"}, Subject="Re: again"))
    world.poll()
    assert sorted(world.detected()) == [("act_1", "reply"), ("act_2", "reply")]
    assert world.gmail.calls.count("threads.get t1") == 1, (
        "a marker none of our emails carries is not ours; m2 needs none"
    )


def test_a_throttled_mailbox_is_not_polled_until_its_wait_is_over(world: World) -> None:
    world.gmail.deliver(message("m1", "t1"))
    world.store.connection = world.store.connection.model_copy(
        update={"throttled_until": world.clock() + timedelta(seconds=40)}
    )
    with pytest.raises(PollLaterError) as later:
        world.poll()
    assert later.value.delay_s == 40
    assert world.gmail.calls == []
    assert world.store.writes == []
    world.clock.advance(41)
    assert world.poll() is PollOutcome.POLLED
    assert world.detected() == [("act_1", "reply")]
