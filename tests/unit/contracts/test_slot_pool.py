"""Waits taking their slots from a container's block (dal/slot_pool.py), on DynamoDB (moto).

The promises of the turn book hold (every slot handed out once, at or after its earliest, the wait recorded on the
email), with fewer writes: one block reservation, then one record a wait.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest

from gmail_integration.dal import turns
from gmail_integration.dal.ledger import DynamoEmailLedger
from gmail_integration.dal.read_model import DynamoEmailReadModel
from gmail_integration.dal.slot_pool import MAX_BLOCK, SlotPool, block_size
from gmail_integration.dal.turns import DynamoTurnBook
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.pacing import PaceState, WaitReason
from tests.unit.domain.test_commands import VALID

WS = "ws_1"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
AT = NOW.timestamp() + 30.0
STEP = 0.5


def command(n: int) -> SendEmailV1:
    return SendEmailV1.model_validate({**VALID, "workspace_id": WS, "activity_id": f"act_{n}"})


def wait(book: DynamoTurnBook, n: int, earliest: float = AT) -> tuple[float, bool]:
    return book.book_wait(command(n), f"hash{n}", earliest, STEP, PaceState(), NOW, WaitReason.MAILBOX_PACE)


def test_a_block_covers_a_few_seconds_of_slots() -> None:
    assert block_size(0.5) == MAX_BLOCK
    assert block_size(2.0) == 2
    assert block_size(36.0) == 1, "a slow pace reserves slot by slot"


def test_a_container_hands_out_its_block_one_write_a_wait(dynamodb_table: Any) -> None:
    book = DynamoTurnBook(dynamodb_table, pool=SlotPool())
    writes: list[str] = []
    real_update = DynamoEmailLedger.record_wait

    def counted(self: DynamoEmailLedger, *args: Any) -> bool:
        writes.append("record")
        return real_update(self, *args)

    with mock.patch.object(DynamoEmailLedger, "record_wait", counted):
        slots = [wait(book, n)[0] for n in range(MAX_BLOCK)]
    assert slots == pytest.approx([AT + i * STEP for i in range(MAX_BLOCK)], abs=0.002)
    assert writes == ["record"] * MAX_BLOCK
    for n, slot in enumerate(slots):
        email = DynamoEmailReadModel(dynamodb_table).get(WS, f"act_{n}")
        assert email is not None
        assert email.not_before is not None
        assert email.not_before.timestamp() == pytest.approx(slot, abs=0.002), "each wait shows its own slot"


def test_two_containers_never_hand_out_the_same_slot(dynamodb_table: Any) -> None:
    books = [DynamoTurnBook(dynamodb_table, pool=SlotPool()) for _ in range(2)]
    slots = [wait(books[n % 2], n)[0] for n in range(3 * MAX_BLOCK)]
    assert len(set(slots)) == len(slots)
    ordered = sorted(slots)
    assert min(b - a for a, b in itertools.pairwise(ordered)) >= STEP - 0.002


def test_slots_before_a_wait_s_earliest_are_left_as_holes(dynamodb_table: Any) -> None:
    book = DynamoTurnBook(dynamodb_table, pool=SlotPool())
    first, _ = wait(book, 0)
    later, recorded = wait(book, 1, earliest=AT + 60)
    assert recorded
    assert later >= AT + 60, "never a slot before the mailbox may send"
    assert first == pytest.approx(AT, abs=0.002)


def test_the_transactional_reservation_is_used_without_a_pool(dynamodb_table: Any) -> None:
    book = DynamoTurnBook(dynamodb_table)
    with mock.patch.object(turns, "transact", wraps=turns.transact) as transact:
        wait(book, 0)
    assert transact.call_count == 1
