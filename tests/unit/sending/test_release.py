"""Upstream's release and cancel of a parked email: once, idempotent, and never for an email that is not parked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.decisions import Decision
from gmail_integration.models.domain import EmailStatus, ParkReason
from gmail_integration.models.events import DetailType
from gmail_integration.sending.release import CancelParked, ReleaseParked
from tests.unit.domain.test_commands import VALID
from tests.unit.fake_held import FakeHeldEmails
from tests.unit.fakes import FakeClock, FakeEvents

COMMAND = SendEmailV1.model_validate(VALID)


@dataclass
class FakeQueue:
    bodies: list[str] = field(default_factory=list)

    def send_many(self, bodies: Sequence[str]) -> None:
        self.bodies.extend(bodies)


@dataclass
class World:
    held: FakeHeldEmails = field(default_factory=FakeHeldEmails)
    queue: FakeQueue = field(default_factory=FakeQueue)
    events: FakeEvents = field(default_factory=FakeEvents)
    clock: FakeClock = field(default_factory=FakeClock)

    def release(self) -> Decision:
        return ReleaseParked(self.held, self.queue, self.clock)("ws_1", "act_9")

    def cancel(self) -> Decision:
        return CancelParked(self.held, self.events, self.clock)("ws_1", "act_9")

    def park(self) -> None:
        self.held.ledger.park(COMMAND, ParkReason.PROSPECT_REPLIED, self.clock(), "h")


@pytest.fixture
def w() -> World:
    return World()


def test_release_requeues_the_kept_message_and_marks_it_released(w: World) -> None:
    w.park()
    assert w.release() is Decision.DONE
    assert w.queue.bodies == [COMMAND.model_dump_json()]
    email = w.held.get("ws_1", "act_9")
    assert email is not None
    assert email.released


def test_a_release_after_the_email_went_on_its_way_answers_done_and_queues_nothing(w: World) -> None:
    w.park()
    w.release()
    w.held.ledger.claim(COMMAND, w.clock(), timedelta(minutes=2), None, "<m>", "h")
    assert w.release() is Decision.DONE
    assert len(w.queue.bodies) == 1


def test_cancel_ends_it_once_with_one_event(w: World) -> None:
    w.park()
    assert w.cancel() is Decision.DONE
    assert w.cancel() is Decision.DONE
    assert [e.detail_type for e in w.events.published] == [DetailType.EMAIL_CANCELLED]
    email = w.held.get("ws_1", "act_9")
    assert email is not None
    assert email.status is EmailStatus.CANCELLED
    assert w.release() is Decision.NOT_PARKED


def test_unknown_and_unparked_emails(w: World) -> None:
    assert (w.release(), w.cancel()) == (Decision.NOT_FOUND, Decision.NOT_FOUND)
    w.held.ledger.claim(COMMAND, w.clock(), timedelta(minutes=2), None, "<m>", "h")
    assert (w.release(), w.cancel()) == (Decision.NOT_PARKED, Decision.NOT_PARKED)
    assert w.queue.bodies == []
    assert w.events.published == []
