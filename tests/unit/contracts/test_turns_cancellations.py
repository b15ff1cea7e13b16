"""How dal/turns.py reads a cancelled transaction: which part failed, with its item, and what is not a cancellation
to retry (throttling goes back to the queue's retry like any failed call)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from gmail_integration.dal import turns
from gmail_integration.dal.pacing import DynamoMailboxPace
from gmail_integration.dal.turns import Cancelled, DynamoTurnBook, transact
from gmail_integration.models.pacing import PaceState
from tests.unit.contracts import test_turns_contract as suite


def _table_cancelling(*codes: str, item: dict[str, Any] | None = None) -> Any:
    reasons = [
        {"Code": code, **({"Item": item} if item and code == "ConditionalCheckFailed" else {})} for code in codes
    ]
    answer: Any = {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons}
    error = ClientError(answer, "TransactWriteItems")
    table = mock.Mock()
    table.meta.client.transact_write_items.side_effect = error
    return table


def test_a_failed_condition_names_its_part_and_brings_its_item() -> None:
    table = _table_cancelling("ConditionalCheckFailed", "None", item={"next_slot": {"N": "12.5"}})
    with pytest.raises(Cancelled) as cancelled:
        transact(table, [{}, {}])
    assert cancelled.value.failed == {0: {"next_slot": pytest.approx(12.5)}}


def test_a_conflict_with_another_transaction_is_a_cancellation_without_a_failed_part() -> None:
    with pytest.raises(Cancelled) as cancelled:
        transact(_table_cancelling("TransactionConflict", "None"), [{}, {}])
    assert cancelled.value.failed == {}


def test_throttling_inside_a_transaction_is_not_retried_here() -> None:
    with pytest.raises(ClientError):
        transact(_table_cancelling("ThrottlingError", "None"), [{}, {}])


def test_a_cursor_moved_by_another_worker_costs_one_more_write_and_no_read(dynamodb_table: Any) -> None:
    DynamoMailboxPace(dynamodb_table).reserve(suite.WS, suite.AT, 2.5)
    writes: list[int] = []
    real = turns.transact

    def counted(table: Any, parts: list[dict[str, Any]], checks: list[dict[str, Any]] | None = None) -> None:
        writes.append(len(parts))
        real(table, parts, checks)

    with mock.patch.object(turns, "transact", counted):
        slot, recorded = DynamoTurnBook(dynamodb_table).book_wait(
            suite.command(), "hash1", suite.AT, 2.5, PaceState(), suite.NOW, suite.WAITING
        )
    assert (slot, recorded) == (pytest.approx(suite.AT + 2.5, abs=0.002), True)
    assert writes == [2, 2], "the cancellation's own item gave the new cursor"


def test_a_crowd_that_keeps_moving_the_cursor_falls_back_to_the_atomic_reservation(dynamodb_table: Any) -> None:
    book = DynamoTurnBook(dynamodb_table)
    with mock.patch.object(turns, "transact", side_effect=Cancelled({})):
        slot, recorded = book.book_wait(suite.command(), "hash1", suite.AT, 2.5, PaceState(), suite.NOW, suite.WAITING)
    assert (slot, recorded) == (pytest.approx(suite.AT, abs=0.002), True)
    assert DynamoMailboxPace(dynamodb_table).read(suite.WS).next_slot == pytest.approx(suite.AT + 2.5, abs=0.002)


def test_a_conflicting_transaction_at_the_turn_leaves_the_slot_and_the_claim_to_the_writes_apart(
    dynamodb_table: Any,
) -> None:
    book = DynamoTurnBook(dynamodb_table)
    with mock.patch.object(turns, "transact", side_effect=Cancelled({})):
        taken = book.take_and_claim(
            suite.command(), "hash1", suite.MOMENT, (0.45, 0, PaceState()), None, (suite.LEASE, "1", "<m@x>")
        )
    assert (taken.claim, taken.pace) == (None, None)
    assert DynamoMailboxPace(dynamodb_table).read(suite.WS).last_send is None
