from __future__ import annotations

import json

import pytest

from gmail_integration.models.domain import EmailStatus
from gmail_integration.sending.intake import ProcessSendMessage
from tests.unit.domain.test_commands import VALID
from tests.unit.fake_ledger import FakeEmailLedger
from tests.unit.fakes import FakeClock, FakeDeadLetters


class _NeverCalled:
    def __call__(self, command: object) -> None:
        raise AssertionError("an invalid message must not reach the send use case")


@pytest.fixture
def process() -> tuple[ProcessSendMessage, FakeEmailLedger, FakeDeadLetters]:
    emails, dead = FakeEmailLedger(), FakeDeadLetters()
    process = ProcessSendMessage(
        send_email=_NeverCalled(),  # type: ignore[arg-type]
        ledger=emails,
        dead_letters=dead,
        postponer=None,  # type: ignore[arg-type]
        clock=FakeClock(),
    )
    return process, emails, dead


def test_an_invalid_message_with_usable_ids_fails_its_email_and_goes_to_the_dlq(process) -> None:
    run, emails, dead = process
    body = json.dumps({**VALID, "subject": "Hi\r\nBcc: everyone@example.com"})
    assert run(body, "r") is None
    assert [letter[0] for letter in dead.letters] == [body]
    assert "subject" in dead.letters[0][1]
    assert "everyone@example.com" not in dead.letters[0][1], "the reason must not echo input values"
    record = emails.get("ws_1", "act_9")
    assert record is not None
    assert record.status is EmailStatus.FAILED
    assert record.reason == "invalid_message"


@pytest.mark.parametrize(
    "body", ["not json", "[]", json.dumps({"version": 1}), json.dumps({**VALID, "workspace_id": "bad id"})]
)
def test_unreadable_messages_without_usable_ids_only_go_to_the_dlq(process, body: str) -> None:
    run, emails, dead = process
    assert run(body, "r") is None
    assert [letter[0] for letter in dead.letters] == [body]
    assert emails.emails == {}
