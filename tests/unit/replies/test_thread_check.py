"""The pre-send thread check reads one thread once and records what it finds as the poll would."""

from __future__ import annotations

from gmail_integration.models.events import DetailType
from gmail_integration.models.threads import ThreadLook
from gmail_integration.replies.recording import RecordArrivals
from gmail_integration.replies.thread_check import CheckThreadForReplies
from tests.unit.replies import test_poll_mailbox as poll_suite
from tests.unit.replies.test_poll_mailbox import OWNER, World, message

world = poll_suite.world  # the poll suite's fakes: one mailbox, thread t1 holding act_1


def _look(world: World, thread: str = "t1") -> ThreadLook:
    record = RecordArrivals(world.store, world.events, world.clock, world.suppressions)
    check = CheckThreadForReplies(gmail=world.gmail, threads=world.store, record=record)
    return check(world.store.connection, thread)


def _check(world: World, thread: str = "t1") -> frozenset[str]:
    return _look(world, thread).kinds


def _ours(mid: str, at: int) -> dict[str, object]:
    sent = message(mid, "t1", sender=f"Sam <{OWNER}>", **{"Message-ID": "<act_1@mail.outsales.app>"})
    sent["internalDate"] = str(at)
    return sent


def _theirs(mid: str, at: int, **headers: str) -> dict[str, object]:
    answer = message(mid, "t1", **{"In-Reply-To": "<act_1@mail.outsales.app>", **headers})
    answer["internalDate"] = str(at)
    return answer


def test_a_reply_after_our_email_is_found_and_recorded_once(world: World) -> None:
    world.gmail.deliver(_ours("m0", 1000), labels=("SENT",))
    world.gmail.deliver(_theirs("m1", 2000))
    assert _check(world) == {"reply"}
    assert world.gmail.calls == ["threads.get t1"], "one Gmail call, nothing else read"
    assert world.detected() == [("act_1", "reply")]
    # The poll that later sees the same message records nothing new.
    world.poll()
    assert world.detected() == [("act_1", "reply")]
    assert [e.detail_type for e in world.events.published] == [DetailType.REPLY_DETECTED]


def test_an_answer_before_our_latest_email_does_not_count(world: World) -> None:
    world.gmail.deliver(_theirs("m1", 1000))
    world.gmail.deliver(_ours("m2", 2000), labels=("SENT",))
    assert _check(world) == frozenset()


def test_an_auto_reply_is_reported_as_such(world: World) -> None:
    world.gmail.deliver(_ours("m0", 1000), labels=("SENT",))
    world.gmail.deliver(_theirs("m1", 2000, **{"Auto-Submitted": "auto-replied", "Subject": "Automatic reply"}))
    assert _check(world) == {"auto_reply"}


def test_a_thread_we_do_not_track_is_not_read(world: World) -> None:
    assert _check(world, "t_other") == frozenset()
    assert world.gmail.calls == []


def test_the_look_names_our_messages_by_their_message_id(world: World) -> None:
    world.gmail.deliver(_ours("m0", 1000), labels=("SENT",))
    world.gmail.deliver(_theirs("m1", 2000))
    assert _look(world).message_ids == {"m0": "<act_1@mail.outsales.app>"}
