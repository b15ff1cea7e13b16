"""The slot and the claim in one write (waiting.py ``take_and_claim``): each answer of the write leads somewhere safe.

A race is staged between the context read and the write: another worker sends, claims the email or parks it. The
pace and the ledger are the contract-tested fakes (tests/unit/contracts/test_turns_contract.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailRecord, EmailStatus, ParkReason
from gmail_integration.models.ledger import ClaimResult, TakenClaim
from gmail_integration.models.pacing import GMAIL_PAIR_WINDOW_S, PaceSettings, WaitReason
from gmail_integration.sending.retry import RetryLaterError
from gmail_integration.sending.waiting import MailboxTurns
from tests.unit.domain.test_commands import VALID
from tests.unit.fake_turns import FakeTurnBook
from tests.unit.fakes import FakeClock
from tests.unit.sending.fakes import SendWorld

LEASE = timedelta(minutes=2)
COMMAND = SendEmailV1.model_validate(VALID)


@dataclass
class RacedBook(FakeTurnBook):
    """The fake book, with another worker's move made just before the first write."""

    race: Callable[[], Any] | None = None
    answers: list[TakenClaim] = field(default_factory=list)

    def take_and_claim(self, *args: Any, **kwargs: Any) -> TakenClaim:
        if self.race is not None:
            self.race()
            self.race = None
        answer = super().take_and_claim(*args, **kwargs)
        self.answers.append(answer)
        return answer


@dataclass
class Stage:
    world: SendWorld
    book: RacedBook
    turns: MailboxTurns
    clock: FakeClock
    apart: list[ClaimResult] = field(default_factory=list)

    def claim(self) -> ClaimResult:
        context = self.world.read(COMMAND.workspace_id, COMMAND.agent_id, COMMAND.activity_id, None)

        def claim_apart() -> ClaimResult:
            result = self.world.ledger.claim(COMMAND, self.clock(), LEASE, "100", "<mine@x>", "hash1")
            self.apart.append(result)
            return result

        return self.turns.take_and_claim(COMMAND, context, "hash1", (LEASE, "100", "<mine@x>"), claim_apart)

    def email(self) -> EmailRecord:
        return self.world.ledger.emails[COMMAND.activity_id]


@pytest.fixture
def stage() -> Stage:
    clock = FakeClock()
    world = SendWorld(clock=clock)
    book = RacedBook(world.pace, world.ledger)
    turns = MailboxTurns(pace=world.pace, ledger=world.ledger, clock=clock, sleep=clock.advance, book=book)
    return Stage(world, book, turns, clock)


def _now(stage: Stage) -> float:
    return stage.clock().timestamp()


def test_a_free_mailbox_costs_one_write_for_the_slot_and_the_claim(stage: Stage) -> None:
    claim = stage.claim()
    assert (claim.claimed, claim.message_id) == (True, "<mine@x>")
    assert stage.book.transactions == 1
    assert stage.apart == []
    assert stage.world.pace.taken == [pytest.approx(_now(stage), abs=0.002)]


def test_a_slot_missed_by_a_hair_is_slept_for_then_taken_with_the_claim(stage: Stage) -> None:
    def two_sends_elsewhere() -> None:  # another worker sent twice in the last 0.3 s: Gmail's pair rule is spent
        stage.world.pace.take(COMMAND.workspace_id, _now(stage) - 0.3, 0, 0)
        stage.world.pace.take(COMMAND.workspace_id, _now(stage), 0, 0)

    stage.book.race = two_sends_elsewhere
    start = _now(stage)
    claim = stage.claim()
    assert claim.claimed
    assert [answer.missed for answer in stage.book.answers] == [True, False]
    assert _now(stage) - start == pytest.approx(0.6, abs=0.01), "slept until the first of the pair is 0.9 s old"
    first, _, third = stage.world.pace.taken
    assert third - first >= GMAIL_PAIR_WINDOW_S - 1e-6


def test_a_slot_missed_far_off_is_a_recorded_wait_with_nothing_claimed(stage: Stage) -> None:
    stage.book.race = lambda: stage.world.pace.take(COMMAND.workspace_id, _now(stage), 30, 0)
    stage.world.pace.configure(COMMAND.workspace_id, PaceSettings(min_gap_s=30))
    with pytest.raises(RetryLaterError):
        stage.claim()
    email = stage.email()
    assert (email.status, email.wait_reason) == (EmailStatus.EMAIL_READY, WaitReason.MAILBOX_PACE.value)
    assert email.not_before is not None
    assert email.not_before.timestamp() >= _now(stage) + 29


def test_an_email_claimed_elsewhere_since_the_read_is_left_to_that_claim(stage: Stage) -> None:
    other = lambda: stage.world.ledger.claim(COMMAND, stage.clock(), LEASE, "100", "<other@x>", "hash1")  # noqa: E731
    stage.book.race = other
    claim = stage.claim()
    assert not claim.claimed, "the writes apart find the live claim"
    assert stage.book.answers == [TakenClaim()]
    assert stage.email().message_id == "<other@x>"


def test_an_email_that_changed_harmlessly_since_the_read_is_claimed_by_the_writes_apart(stage: Stage) -> None:
    """A park lifted between the read and the write: the guard fails, the plain claim (with its own answer) wins."""
    stage.world.ledger.park(COMMAND, ParkReason.BILLING_PAST_DUE, stage.clock(), "hash1")

    def lifted() -> None:  # the re-drive's view of a lifted park: waiting again, no reason
        lift = {"reason": None, "reason_message": None}
        stage.world.ledger.emails[COMMAND.activity_id] = stage.email().model_copy(update=lift)

    stage.book.race = lifted
    claim = stage.claim()
    assert claim.claimed
    assert len(stage.apart) == 1
    assert stage.email().status is EmailStatus.SENDING
    assert len(stage.world.pace.taken) == 1, "one slot, taken apart"
