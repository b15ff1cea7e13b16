"""Gmail push: a notification becomes one poll job; the safety net polls what push may have missed."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from gmail_integration.models.domain import Connection, ConnectionStatus
from gmail_integration.models.gmail_errors import TransientError
from gmail_integration.models.push import PushRejectedError
from gmail_integration.models.watch import WatchState
from gmail_integration.replies.push import PushOutcome, ReceivePush
from gmail_integration.replies.safety_net import SafetyNetPolls
from gmail_integration.replies.watch import WatchMailbox
from tests.unit.fake_mailboxes import FakeConnectedMailboxes
from tests.unit.fakes import FakeClock, FakeConnections

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
OWNER = "sam@company.example"


@dataclass
class FakeWatches:
    addresses: dict[str, str] = field(default_factory=dict)
    watch_states: dict[str, WatchState] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def record(self, workspace_id: str, email: str, expiration_ms: int, at: datetime) -> None:
        self.addresses[email] = workspace_id
        expires = datetime.fromtimestamp(expiration_ms / 1000, UTC)
        self.watch_states[workspace_id] = WatchState(workspace_id, email, expires, at)

    def record_failure(self, workspace_id: str, at: datetime) -> None:
        self.failures.append(workspace_id)
        old = self.watch_states.get(workspace_id)
        self.watch_states[workspace_id] = WatchState(workspace_id, old.email if old else None, None, None, at)

    def remove(self, workspace_id: str, email: str | None) -> None:
        self.addresses.pop(email or "", None)
        self.watch_states.pop(workspace_id, None)

    def workspace_for(self, email: str) -> str | None:
        return self.addresses.get(email)

    def states(self, workspace_ids: Sequence[str]) -> dict[str, WatchState]:
        return {ws: self.watch_states[ws] for ws in workspace_ids if ws in self.watch_states}


@dataclass
class FakeJobs:
    sent: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    def enqueue(self, workspace_ids: Sequence[str], tick: str) -> None:
        self.sent.append((tuple(workspace_ids), tick))


class FakeTokens:
    def __init__(self, refusal: PushRejectedError | None = None) -> None:
        self.refusal = refusal
        self.seen: list[str] = []

    def verify(self, token: str) -> None:
        self.seen.append(token)
        if self.refusal is not None:
            raise self.refusal


@dataclass
class FakeWatchingGmail:
    fail: bool = False
    watched: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)

    def watch(self, connection: Connection, topic: str, label_ids: Sequence[str]) -> int:
        if self.fail:
            raise TransientError("backend error")
        self.watched.append((connection.workspace_id, topic, tuple(label_ids)))
        return int((NOW + timedelta(days=7)).timestamp() * 1000)

    def stop_watch(self, connection: Connection) -> None:
        self.stopped.append(connection.workspace_id)


def connection(workspace_id: str = "ws_1", email: str = OWNER, history_id: str | None = "100") -> Connection:
    return Connection(
        workspace_id=workspace_id,
        status=ConnectionStatus.CONNECTED,
        email=email,
        connected_at=NOW,
        refresh_token_ciphertext=b"sealed",
        history_id=history_id,
    )


def body(email: str = OWNER, history_id: int = 200) -> str:
    data = base64.b64encode(json.dumps({"emailAddress": email, "historyId": history_id}).encode()).decode()
    return json.dumps({"message": {"data": data, "messageId": "1", "publishTime": "x"}, "subscription": "s"})


def receive(tokens: FakeTokens | None = None) -> tuple[ReceivePush, FakeJobs, FakeWatches, FakeConnections]:
    jobs, watches = FakeJobs(), FakeWatches(addresses={OWNER: "ws_1"})
    connections = FakeConnections(items={"ws_1": connection()})
    return ReceivePush(tokens or FakeTokens(), watches, connections, jobs), jobs, watches, connections


def test_a_valid_notification_enqueues_one_poll_job_keyed_by_history_id() -> None:
    # Given a watched, connected mailbox whose cursor is behind the notification
    push, jobs, _, _ = receive()
    # When Pub/Sub pushes it
    outcome = push("Bearer abc", body(history_id=200))
    # Then one job for the workspace, deduplicated by the historyId
    assert outcome is PushOutcome.ENQUEUED
    assert jobs.sent == [(("ws_1",), "push-200")]


@pytest.mark.parametrize(
    ("authorization", "refusal", "status"),
    [
        (None, None, 401),
        ("Basic abc", None, 401),
        ("Bearer abc", PushRejectedError(401, "invalid token"), 401),
        ("Bearer abc", PushRejectedError(403, "wrong issuer"), 403),
    ],
)
def test_a_push_without_a_valid_token_changes_nothing(
    authorization: str | None, refusal: PushRejectedError | None, status: int
) -> None:
    push, jobs, _, _ = receive(FakeTokens(refusal))
    with pytest.raises(PushRejectedError) as refused:
        push(authorization, body())
    assert refused.value.status == status
    assert jobs.sent == []


@pytest.mark.parametrize(
    "raw",
    [
        "{",
        json.dumps({"message": {"data": "not base64!", "messageId": "1"}, "subscription": "s"}),
        json.dumps({"message": {"data": base64.b64encode(b"[1]").decode(), "messageId": "1"}, "subscription": "s"}),
        body(email="not-an-address"),
        body(history_id=0),
    ],
)
def test_a_malformed_body_is_refused_with_400(raw: str) -> None:
    push, jobs, _, _ = receive()
    with pytest.raises(PushRejectedError) as refused:
        push("Bearer abc", raw)
    assert refused.value.status == 400
    assert jobs.sent == []


def test_unknown_disconnected_or_replaced_addresses_are_acknowledged_and_dropped() -> None:
    push, jobs, watches, connections = receive()
    assert push("Bearer abc", body(email="stranger@company.example")) is PushOutcome.DROPPED
    connections.items["ws_1"] = connection(email="other@company.example")
    assert push("Bearer abc", body()) is PushOutcome.DROPPED
    connections.tombstone("ws_1", NOW, None)
    assert push("Bearer abc", body()) is PushOutcome.DROPPED
    assert jobs.sent == []
    assert watches.addresses == {OWNER: "ws_1"}


def test_a_notification_the_cursor_already_passed_polls_nothing() -> None:
    push, jobs, _, _ = receive()
    assert push("Bearer abc", body(history_id=100)) is PushOutcome.STALE
    assert jobs.sent == []


def _net(states: dict[str, WatchState], gmail: FakeWatchingGmail, every: int = 15) -> tuple[SafetyNetPolls, FakeJobs]:
    workspaces = ["ws_a", "ws_b", "ws_c"]
    connections = FakeConnections(items={ws: connection(ws, f"{ws}@company.example") for ws in workspaces})
    watches = FakeWatches(watch_states=dict(states))
    watch = WatchMailbox(connections, gmail, watches, "projects/p/topics/t", FakeClock(NOW))
    jobs = FakeJobs()
    return SafetyNetPolls(FakeConnectedMailboxes(workspaces), watches, jobs, watch, every, FakeClock(NOW)), jobs


def healthy(ws: str) -> WatchState:
    return WatchState(ws, f"{ws}@company.example", NOW + timedelta(days=6), NOW - timedelta(hours=1))


def test_healthy_watches_are_polled_once_every_interval_spread_over_the_minutes() -> None:
    gmail = FakeWatchingGmail()
    net, jobs = _net({ws: healthy(ws) for ws in ("ws_a", "ws_b", "ws_c")}, gmail)
    polled: list[str] = []
    for minute in range(15):
        net(NOW + timedelta(minutes=minute))
    for workspace_ids, _ in jobs.sent:
        polled.extend(workspace_ids)
    assert sorted(polled) == ["ws_a", "ws_b", "ws_c"]
    assert gmail.watched == []


def test_expired_missing_or_failed_watches_are_polled_now_and_renewed() -> None:
    gmail = FakeWatchingGmail()
    expired = WatchState("ws_a", "ws_a@company.example", NOW - timedelta(minutes=1), NOW - timedelta(days=8))
    failed = WatchState("ws_c", "ws_c@company.example", None, None, NOW - timedelta(hours=2))
    net, jobs = _net({"ws_a": expired, "ws_c": failed}, gmail, every=10_000)
    net(NOW)
    assert sorted(ws for ids, _ in jobs.sent for ws in ids) == ["ws_a", "ws_b", "ws_c"]
    assert sorted(ws for ws, _, _ in gmail.watched) == ["ws_a", "ws_b", "ws_c"]
    assert {labels for _, _, labels in gmail.watched} == {("INBOX",)}


def test_a_day_old_renewal_is_renewed_and_a_failed_renewal_keeps_minute_polls() -> None:
    gmail = FakeWatchingGmail(fail=True)
    old = WatchState("ws_a", "ws_a@company.example", NOW + timedelta(days=5), NOW - timedelta(days=1, minutes=1))
    net, jobs = _net({"ws_a": old, "ws_b": healthy("ws_b"), "ws_c": healthy("ws_c")}, gmail, every=10_000)
    net(NOW)
    # The renewal failed: the mailbox is polled on this tick although its old watch has not expired yet.
    assert [ids for ids, _ in jobs.sent] == [("ws_a",)]
    assert net.watches.states(["ws_a"])["ws_a"].failed_at == NOW


def test_disconnect_stops_the_watch_and_forgets_the_address() -> None:
    gmail = FakeWatchingGmail()
    watches = FakeWatches()
    connections = FakeConnections(items={"ws_1": connection()})
    watch = WatchMailbox(connections, gmail, watches, "projects/p/topics/t", FakeClock(NOW))
    assert watch("ws_1") is True
    assert watches.workspace_for(OWNER) == "ws_1"
    watch.stop("ws_1")
    assert gmail.stopped == ["ws_1"]
    assert watches.workspace_for(OWNER) is None
