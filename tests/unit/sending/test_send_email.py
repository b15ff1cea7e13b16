from __future__ import annotations

import json

import pytest
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import ConnectionStatus, EmailStatus, Gates, ParkReason
from gmail_integration.models.events import DetailType
from gmail_integration.sending.intake import ProcessSendMessage
from gmail_integration.sending.send_email import SendEmail, SendingNotAvailableError, SendOutcome

from tests.unit.domain.test_commands import VALID
from tests.unit.fakes import FakeClock, FakeDeadLetters, FakeEmails, FakeEvents, FakeGates


@pytest.fixture
def world() -> tuple[ProcessSendMessage, FakeEmails, FakeGates, FakeEvents, FakeDeadLetters]:
    emails, gates, events, dead = (
        FakeEmails(),
        FakeGates(Gates(connection_status=ConnectionStatus.DISCONNECTED)),
        FakeEvents(),
        FakeDeadLetters(),
    )
    clock = FakeClock()
    send = SendEmail(emails=emails, gates=gates, events=events, clock=clock)
    return (
        ProcessSendMessage(send_email=send, emails=emails, dead_letters=dead, clock=clock),
        emails,
        gates,
        events,
        dead,
    )


def test_a_closed_gate_parks_the_email_with_its_reason_and_one_event(world) -> None:
    process, emails, _, events, dead = world
    assert process(json.dumps(VALID)) is SendOutcome.PARKED
    record = emails.get("ws_1", "act_9")
    assert record is not None
    assert record.status is EmailStatus.EMAIL_READY
    assert record.reason == "gmail_not_connected"
    assert "Settings > Integrations" in (record.reason_message or "")
    assert [(e.detail_type, e.activity_id, e.reason) for e in events.published] == [
        (DetailType.EMAIL_PARKED, "act_9", "gmail_not_connected")
    ]
    assert dead.letters == []


def test_a_redelivered_parked_email_does_not_announce_again(world) -> None:
    process, _, _, events, _ = world
    process(json.dumps(VALID))
    assert process(json.dumps(VALID)) is SendOutcome.ALREADY_PARKED
    assert len(events.published) == 1


def test_another_gate_closing_reparks_with_the_new_reason(world) -> None:
    process, emails, gates, events, _ = world
    process(json.dumps(VALID))
    gates.gates = Gates(connection_status=ConnectionStatus.CONNECTED, agent_active=False)
    assert process(json.dumps(VALID)) is SendOutcome.PARKED
    assert emails.get("ws_1", "act_9").reason == "agent_inactive"  # type: ignore[union-attr]
    assert [e.reason for e in events.published] == ["gmail_not_connected", "agent_inactive"]


def test_an_email_already_past_email_ready_is_left_alone(world) -> None:
    process, emails, _, events, _ = world
    command = SendEmailV1.model_validate(VALID)
    emails.park(command, ParkReason.GMAIL_NOT_CONNECTED, FakeClock()())
    emails.records[("ws_1", "act_9")] = emails.records[("ws_1", "act_9")].model_copy(
        update={"status": EmailStatus.SENT}
    )
    assert process(json.dumps(VALID)) is SendOutcome.ALREADY_HANDLED
    assert events.published == []


def test_open_gates_without_gmail_keep_the_message_for_a_retry(world) -> None:
    process, _, gates, _, dead = world
    gates.gates = Gates(connection_status=ConnectionStatus.CONNECTED)
    with pytest.raises(SendingNotAvailableError):
        process(json.dumps(VALID))
    assert dead.letters == []


def test_a_message_that_can_never_be_valid_goes_to_the_dlq_and_its_email_fails(world) -> None:
    process, emails, _, events, dead = world
    body = json.dumps({**VALID, "subject": "Hi\r\nBcc: everyone@example.com"})
    assert process(body) is None
    assert len(dead.letters) == 1
    assert dead.letters[0][0] == body
    assert "subject" in dead.letters[0][1]
    assert "everyone@example.com" not in dead.letters[0][1], "the reason must not echo input values"
    record = emails.get("ws_1", "act_9")
    assert record is not None
    assert record.status is EmailStatus.FAILED
    assert record.reason == "invalid_message"
    assert events.published == []


@pytest.mark.parametrize(
    "body", ["not json", "[]", json.dumps({"version": 1}), json.dumps({**VALID, "workspace_id": "bad id"})]
)
def test_unreadable_messages_without_usable_ids_only_go_to_the_dlq(world, body: str) -> None:
    process, emails, _, _, dead = world
    assert process(body) is None
    assert [letter[0] for letter in dead.letters] == [body]
    assert emails.records == {}
