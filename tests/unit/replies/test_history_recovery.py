"""History recovery after Google's 404: only recent unanswered threads, in pages, paced, resumable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gmail_integration.models.domain import Connection, ConnectionStatus, RecoveryCursor
from gmail_integration.models.gmail_errors import RateLimitedError
from gmail_integration.models.threads import ThreadEmail, TrackedThread
from gmail_integration.replies.poll_mailbox import PollLaterError, PollOutcome
from tests.unit.fakes import FakeClock, FakeEvents, FakeRedrive
from tests.unit.replies.test_poll_mailbox import OWNER, FakeMailbox, FakeStore, World, message

DAY = timedelta(days=1)


@pytest.fixture
def world() -> World:
    clock = FakeClock()
    connection = Connection(
        workspace_id="ws_1",
        status=ConnectionStatus.CONNECTED,
        email=OWNER,
        connected_at=clock() - 90 * DAY,
        refresh_token_ciphertext=b"x",
        history_id="100",
    )
    gmail = FakeMailbox(expired_before=1000)  # every poll from the stored cursor answers 404
    return World(gmail, FakeStore(connection), FakeEvents(), FakeRedrive(), clock)


def track(world: World, thread_id: str, age: timedelta, activity: str | None = None) -> None:
    activity = activity or f"act_{thread_id}"
    thread = TrackedThread(thread_id, (ThreadEmail(activity, f"<{activity}@x>"),))
    world.store.threads.put(thread, world.clock() - age)


def reads(world: World) -> list[str]:
    return [c.split()[1] for c in world.gmail.calls if c.startswith("threads.get")]


def test_only_recent_unanswered_threads_are_read(world: World) -> None:
    for i in range(50):
        track(world, f"old{i}", 40 * DAY + i * timedelta(hours=1))  # beyond the 30-day window
    track(world, "answered", 2 * DAY)
    world.store.threads.settle("ws_1", "answered", "act_answered")
    for i in range(3):
        track(world, f"new{i}", i * DAY + timedelta(hours=1))
    world.gmail.deliver(message("m1", "new1"))
    assert world.poll() is PollOutcome.POLLED
    assert reads(world) == ["new0", "new1", "new2"], "newest first, nothing old, nothing answered"
    assert world.detected() == [("act_new1", "reply")]
    assert world.store.connection.history_id == str(world.gmail.history_id)
    assert world.store.connection.recovery is None


def test_the_window_is_the_settings(world: World) -> None:
    track(world, "t_9_days", 9 * DAY)
    track(world, "t_11_days", 11 * DAY)
    world.overrides["recovery_window"] = 10 * DAY
    world.poll()
    assert reads(world) == ["t_9_days"]


def test_threads_are_read_a_page_at_a_time(world: World) -> None:
    for i in range(25):
        track(world, f"t{i:02}", i * timedelta(hours=1))
    world.poll()
    assert len(reads(world)) == 25
    assert world.store.threads.queries == 3, "pages of 10"


def test_a_reply_found_by_recovery_takes_its_thread_out_of_the_next_one(world: World) -> None:
    track(world, "t1", DAY)
    track(world, "t2", DAY)
    world.gmail.deliver(message("m1", "t1"))
    world.poll()
    assert "settle t1 act_t1" in world.store.writes
    world.gmail.calls.clear()
    world.gmail.expired_before = world.gmail.history_id + 1  # Google forgets the cursor again
    world.poll()
    assert reads(world) == ["t2"]


def test_short_of_time_it_keeps_its_place_and_the_next_poll_goes_on(world: World) -> None:
    for i in range(25):
        track(world, f"t{i:02}", i * timedelta(hours=1))
    world.gmail.deliver(message("m_late", "t20"))
    noted = str(world.gmail.history_id)
    budget = iter([60.0, 60.0, 5.0])  # two pages, then the invocation runs short
    world.time_left = lambda: next(budget)
    assert world.poll() is PollOutcome.POLLED
    assert len(reads(world)) == 20
    assert world.store.connection.recovery is not None
    assert world.store.connection.recovery.history_id == noted
    assert world.store.connection.history_id == "100", "the cursor waits for the recovery to end"
    assert world.detected() == []

    world.gmail.deliver(message("m_meanwhile", "t03"))  # arrives after the noted id: history's, next time
    world.gmail.calls.clear()
    world.time_left = lambda: 60.0
    world.poll()
    assert "history.list" not in world.gmail.calls, "an unfinished recovery goes on before history is read"
    assert "getProfile" not in world.gmail.calls, "the noted id is kept, not noted again"
    assert reads(world) == ["t20", "t21", "t22", "t23", "t24"]
    assert world.detected() == [("act_t20", "reply")]
    assert (world.store.connection.history_id, world.store.connection.recovery) == (noted, None)

    world.gmail.calls.clear()
    world.poll()
    assert world.gmail.calls[0] == "history.list"
    assert sorted(world.detected()) == [("act_t03", "reply"), ("act_t20", "reply")], "nothing lost, nothing twice"


def test_a_429_stops_at_once_keeps_what_was_read_and_resumes_from_the_page(world: World) -> None:
    for i in range(15):
        track(world, f"t{i:02}", i * timedelta(hours=1))
    world.gmail.deliver(message("m1", "t11"))
    world.gmail.deliver(message("m2", "t13"))
    world.gmail.thread_errors["t13"] = RateLimitedError(30)
    with pytest.raises(PollLaterError) as later:
        world.poll()
    assert later.value.delay_s == 30, "Google's Retry-After"
    assert reads(world)[-1] == "t13", "no read after the 429"
    assert world.detected() == [("act_t11", "reply")], "what the page read before the 429 is recorded"
    cursor = world.store.connection.recovery
    assert cursor is not None
    assert cursor.page is not None

    world.gmail.calls.clear()
    world.poll()
    assert reads(world) == ["t10", "t12", "t13", "t14"], "the page again from its start; t11, answered, left it"
    assert sorted(world.detected()) == [("act_t11", "reply"), ("act_t13", "reply")], "t11 is not recorded twice"
    assert world.store.connection.recovery is None


def test_reads_are_paced_within_the_users_quota(world: World) -> None:
    for i in range(60):
        track(world, f"t{i:02}", i * timedelta(minutes=10))
    start = world.clock()
    world.poll()
    waited = (world.clock() - start).total_seconds()
    # 600 units: the first 250 at once (one second of the user's quota), the other 350 at 100 units/s.
    assert waited == pytest.approx(3.5)


def test_a_saved_cursor_is_continued_even_when_history_would_answer(world: World) -> None:
    track(world, "t1", DAY)
    world.gmail.expired_before = 0
    world.gmail.deliver(message("m1", "t1"))
    world.store.connection = world.store.connection.model_copy(
        update={"recovery": RecoveryCursor(history_id=str(world.gmail.history_id))}
    )
    world.poll()
    assert world.gmail.calls == ["threads.get t1"]
    assert world.detected() == [("act_t1", "reply")]
