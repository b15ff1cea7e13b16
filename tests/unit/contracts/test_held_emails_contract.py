"""Release and cancel of a parked email, held by FakeHeldEmails and by DynamoDB (moto) alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gmail_integration.dal.held import DynamoHeldEmails
from gmail_integration.dal.ledger import DynamoEmailLedger
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailStatus, ParkReason
from gmail_integration.sending.ports import EmailLedger, HeldEmails
from tests.unit.domain.test_commands import VALID
from tests.unit.fake_held import FakeHeldEmails

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
COMMAND = SendEmailV1.model_validate(VALID)


@pytest.fixture(params=["fake", "dynamodb"])
def sides(request: pytest.FixtureRequest) -> tuple[EmailLedger, HeldEmails]:
    if request.param == "fake":
        held = FakeHeldEmails()
        return held.ledger, held
    table: Any = request.getfixturevalue("dynamodb_table")
    return DynamoEmailLedger(table), DynamoHeldEmails(table)


def test_release_marks_a_parked_email_and_keeps_it_parked(sides: tuple[EmailLedger, HeldEmails]) -> None:
    ledger, held = sides
    ledger.park(COMMAND, ParkReason.PROSPECT_REPLIED, NOW, "h")
    assert held.release("ws_1", "act_9", NOW)
    email = held.get("ws_1", "act_9")
    assert email is not None
    assert (email.status, email.reason, email.released) == (EmailStatus.EMAIL_READY, "prospect_replied", True)
    assert email.command == COMMAND.model_dump_json(), "the message is kept to send it"


def test_cancel_ends_a_parked_email_for_good(sides: tuple[EmailLedger, HeldEmails]) -> None:
    ledger, held = sides
    ledger.park(COMMAND, ParkReason.PROSPECT_REPLIED, NOW, "h")
    assert held.cancel("ws_1", "act_9", NOW + timedelta(seconds=1))
    email = held.get("ws_1", "act_9")
    assert email is not None
    assert (email.status, email.reason, email.command) == (EmailStatus.CANCELLED, None, None)
    assert not held.cancel("ws_1", "act_9", NOW)
    assert not held.release("ws_1", "act_9", NOW)
    assert not ledger.claim(COMMAND, NOW, timedelta(minutes=2), None, "<m>", "h").claimed, "never sent after"


def test_an_email_in_flight_or_unknown_is_neither_released_nor_cancelled(
    sides: tuple[EmailLedger, HeldEmails],
) -> None:
    ledger, held = sides
    assert not held.release("ws_1", "act_9", NOW)
    assert not held.cancel("ws_1", "act_9", NOW)
    assert held.get("ws_1", "act_9") is None
    ledger.claim(COMMAND, NOW, timedelta(minutes=2), None, "<m>", "h")
    assert not held.release("ws_1", "act_9", NOW)
    assert not held.cancel("ws_1", "act_9", NOW)
    email = held.get("ws_1", "act_9")
    assert email is not None
    assert email.status is EmailStatus.SENDING
