"""The pace and the email moved in one write: the fake and DynamoDB's transaction (moto) keep the same promises.

Each test runs on both sides; the DynamoDB side puts the pace item and the email in one table, as deployed, so the
cancellations (the cursor moved, the email no longer waiting) are the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gmail_integration.dal.ledger import DynamoEmailLedger
from gmail_integration.dal.pacing import DynamoMailboxPace
from gmail_integration.dal.read_model import DynamoEmailReadModel
from gmail_integration.dal.turns import DynamoTurnBook
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailRecord, EmailStatus, ParkReason
from gmail_integration.models.pacing import PaceSettings, PaceState, WaitReason
from gmail_integration.sending.ports import EmailLedger, MailboxPace, TurnBook
from tests.unit.domain.test_commands import VALID
from tests.unit.fake_ledger import FakeEmailLedger
from tests.unit.fake_pace import FakeMailboxPace
from tests.unit.fake_turns import FakeTurnBook

WS, ACT = "ws_1", "act_9"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
AT = NOW.timestamp() + 30.0
WAITING = WaitReason.MAILBOX_PACE


@dataclass(frozen=True)
class Side:
    book: TurnBook
    pace: MailboxPace
    ledger: EmailLedger
    read: Any

    def email(self) -> EmailRecord:
        record = self.read(WS, ACT)
        assert record is not None
        return record

    def cursor(self) -> float | None:
        return self.pace.configure(WS, PaceSettings()).next_slot


@pytest.fixture(params=["fake", "dynamodb"])
def side(request: pytest.FixtureRequest) -> Side:
    if request.param == "fake":
        pace, ledger = FakeMailboxPace(), FakeEmailLedger()
        return Side(FakeTurnBook(pace, ledger), pace, ledger, ledger.get)
    table = request.getfixturevalue("dynamodb_table")
    read = DynamoEmailReadModel(table).get
    return Side(DynamoTurnBook(table), DynamoMailboxPace(table), DynamoEmailLedger(table), read)


def command() -> SendEmailV1:
    return SendEmailV1.model_validate({**VALID, "workspace_id": WS, "activity_id": ACT})


def book(side: Side, seen: PaceState, earliest: float = AT, step: float = 2.5) -> tuple[float, bool]:
    return side.book.book_wait(command(), "hash1", earliest, step, seen, NOW, WAITING)


def test_a_first_wait_reserves_the_earliest_slot_and_records_it_on_the_email(side: Side) -> None:
    slot, recorded = book(side, PaceState())
    assert (slot, recorded) == (pytest.approx(AT, abs=0.002), True)
    email = side.email()
    assert (email.status, email.wait_reason, email.reason) == (EmailStatus.EMAIL_READY, "mailbox_pace", None)
    assert email.not_before is not None
    assert email.not_before.timestamp() == pytest.approx(slot, abs=0.002)
    assert email.command == command().model_dump_json(), "visible, with its message, from the first receive"
    assert side.cursor() == pytest.approx(AT + 2.5, abs=0.002)


def test_a_cursor_ahead_hands_out_its_slot(side: Side) -> None:
    side.pace.reserve(WS, AT + 100, 1.0)
    seen = side.pace.configure(WS, PaceSettings())
    slot, recorded = book(side, seen)
    assert recorded
    assert slot == pytest.approx(AT + 101, abs=0.002)
    assert side.cursor() == pytest.approx(AT + 103.5, abs=0.002)


def test_a_cursor_moved_since_the_read_is_followed_not_reused(side: Side) -> None:
    """Another worker reserved after our read saw no cursor: the cancelled write retries from the cursor it found."""
    seen = side.pace.configure(WS, PaceSettings())
    other = side.pace.reserve(WS, AT, 2.5)
    slot, recorded = book(side, seen)
    assert recorded
    assert slot == pytest.approx(other + 2.5, abs=0.002), "never the slot another email holds"
    assert side.email().not_before.timestamp() == pytest.approx(slot, abs=0.002)  # type: ignore[union-attr]


def test_a_claimed_email_keeps_its_claim_and_still_gets_a_slot(side: Side) -> None:
    claimed = side.ledger.claim(command(), NOW, timedelta(minutes=2), "100", "<m@x>", "hash1")
    assert claimed.claimed
    slot, recorded = book(side, PaceState())
    assert not recorded
    assert slot == pytest.approx(AT, abs=0.002)
    assert side.email().status is EmailStatus.SENDING
    assert side.cursor() == pytest.approx(AT + 2.5, abs=0.002)


def test_a_parked_email_keeps_its_reason(side: Side) -> None:
    side.ledger.park(command(), ParkReason.BILLING_PAST_DUE, NOW, "hash1")
    _, recorded = book(side, PaceState())
    assert not recorded
    email = side.email()
    assert (email.reason, email.not_before) == ("billing_past_due", None)


def test_the_fake_leaves_both_items_as_dynamodb_does(dynamodb_table: Any) -> None:
    fake_pace, fake_ledger = FakeMailboxPace(), FakeEmailLedger()
    sides = [
        Side(FakeTurnBook(fake_pace, fake_ledger), fake_pace, fake_ledger, fake_ledger.get),
        Side(
            DynamoTurnBook(dynamodb_table),
            DynamoMailboxPace(dynamodb_table),
            DynamoEmailLedger(dynamodb_table),
            DynamoEmailReadModel(dynamodb_table).get,
        ),
    ]
    for each in sides:
        book(each, PaceState(), step=1.7)
        each.pace.reserve(WS, AT, 1.7)
        book(each, PaceState(next_slot=AT), step=1.7)
    fake, real = ([each.email(), each.pace.configure(WS, PaceSettings())] for each in sides)
    assert fake[1] == real[1]
    assert fake[0].model_dump(exclude={"updated_at"}) == real[0].model_dump(exclude={"updated_at"})


LEASE = timedelta(minutes=2)
MOMENT = datetime.fromtimestamp(AT, UTC)


def take_and_claim(side: Side, seen: EmailRecord | None, hint: PaceState, cap: int = 0, at: datetime = MOMENT) -> Any:
    return side.book.take_and_claim(command(), "hash1", at, (0.45, cap, hint), seen, (LEASE, "100", "<new@x>"))


def pace_now(side: Side) -> PaceState:
    return side.pace.configure(WS, PaceSettings())


def test_a_new_email_is_claimed_and_its_slot_taken_in_one_write(side: Side) -> None:
    taken = take_and_claim(side, None, PaceState())
    assert taken.claim is not None
    assert (taken.claim.claimed, taken.claim.interrupted, taken.claim.message_id) == (True, False, "<new@x>")
    assert taken.claim.send_cursor == "100"
    email = side.email()
    assert (email.status, email.message_id, email.send_cursor) == (EmailStatus.SENDING, "<new@x>", "100")
    state = pace_now(side)
    assert (state.last_send, state.sent_in_window) == (pytest.approx(AT, abs=0.002), 1)


def test_a_slot_taken_by_another_worker_is_missed_and_nothing_is_claimed(side: Side) -> None:
    side.book.book_wait(command(), "hash1", AT, 2.5, PaceState(), NOW, WAITING)
    seen = side.email()
    side.pace.take(WS, AT - 0.2, 0.45, 0)
    taken = take_and_claim(side, seen, PaceState())
    assert taken.claim is None
    assert taken.missed
    assert taken.pace.last_send == pytest.approx(AT - 0.2, abs=0.002), "the pace as it stood, for the next turn"
    assert side.email().status is EmailStatus.EMAIL_READY


def test_a_full_hour_is_missed(side: Side) -> None:
    side.pace.take(WS, AT - 20, 0.45, 1)
    taken = take_and_claim(side, None, pace_now(side), cap=1)
    assert taken.missed
    assert taken.pace.sent_in_window == 1


def test_an_email_claimed_since_the_read_is_left_to_its_claimer_and_no_slot_is_taken(side: Side) -> None:
    side.book.book_wait(command(), "hash1", AT, 2.5, PaceState(), NOW, WAITING)
    seen = side.email()
    assert side.ledger.claim(command(), NOW, LEASE, "100", "<other@x>", "hash1").claimed
    taken = take_and_claim(side, seen, PaceState())
    assert (taken.claim, taken.pace) == (None, None)
    assert pace_now(side).last_send is None
    assert side.email().message_id == "<other@x>"


def test_an_email_parked_since_the_read_is_not_claimed(side: Side) -> None:
    side.book.book_wait(command(), "hash1", AT, 2.5, PaceState(), NOW, WAITING)
    seen = side.email()
    side.ledger.park(command(), ParkReason.BILLING_PAST_DUE, NOW, "hash1")
    taken = take_and_claim(side, seen, PaceState())
    assert (taken.claim, taken.pace) == (None, None)
    assert side.email().reason == "billing_past_due"


def test_an_expired_claim_is_taken_over_as_interrupted_with_its_cursor_and_message_id(side: Side) -> None:
    assert side.ledger.claim(command(), NOW, LEASE, "77", "<first@x>", "hash1").claimed
    seen = side.email()
    later = NOW + timedelta(minutes=5)
    taken = take_and_claim(side, seen, PaceState(), at=later)
    assert taken.claim is not None
    assert (taken.claim.interrupted, taken.claim.send_cursor, taken.claim.message_id) == (True, "77", "<first@x>")
    assert side.email().lease_until == later + LEASE


def test_a_live_claim_is_not_taken_over_even_as_read(side: Side) -> None:
    assert side.ledger.claim(command(), NOW, LEASE, "77", "<first@x>", "hash1").claimed
    taken = take_and_claim(side, side.email(), PaceState(), at=NOW + timedelta(seconds=30))
    assert (taken.claim, taken.pace) == (None, None)


def test_a_read_from_the_previous_hour_still_takes_the_slot(side: Side) -> None:
    """The pace read saw an older hour (or none): the write's other form holds and the hour's count is exact."""
    side.pace.take(WS, AT - 20, 0.45, 0)
    taken = take_and_claim(side, None, PaceState())
    assert taken.claim is not None
    assert pace_now(side).sent_in_window == 2
