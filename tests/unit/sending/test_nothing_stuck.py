"""No email is left SENDING in silence: what the MIME builder would refuse is refused at intake, and any crash
after the claim gives the claim back (before Gmail was asked) or keeps it for the lease's recovery (after)."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import ValidationError

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailStatus
from gmail_integration.models.profile import Profile
from gmail_integration.sending import send_email as send_email_module
from gmail_integration.sending.send_email import SendOutcome
from tests.unit.domain.test_commands import VALID
from tests.unit.sending.test_send_email import FIRST, Harness, h  # noqa: F401 - the fixture

BREAKERS = ["\u2028", "\u2029", "\u0085", "\x1c", "\x1d", "\x1e", "\x0b", "\x0c", "\x00", "\x7f", "\x9b", "\ud800"]
"""Every line or paragraph separator Python's str.splitlines knows, C0/C1 controls, DEL, a lone surrogate."""


@pytest.mark.parametrize("char", BREAKERS, ids=[f"U+{ord(c):04X}" for c in BREAKERS])
@pytest.mark.parametrize("field", ["subject", "to.name", "to.email"])
def test_every_header_bound_field_refuses_line_breaks_and_controls(field: str, char: str) -> None:
    message = json.loads(json.dumps(VALID))
    if field == "subject":
        message["subject"] = f"Following{char}up"
    else:
        message["to"][field.split(".")[1]] = "pat" + char + "@prospect.example"
    with pytest.raises(ValidationError):
        SendEmailV1.model_validate_json(json.dumps(message))


def test_a_lone_surrogate_in_a_body_is_refused_at_intake() -> None:
    with pytest.raises(ValidationError):
        SendEmailV1.model_validate_json(json.dumps({**VALID, "text": "Hi \ud800"}))


def test_a_display_name_with_a_paragraph_separator_is_refused() -> None:
    with pytest.raises(ValidationError):
        Profile(display_name="Sam\u2029Bcc: x@example.com")


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085"])
def test_the_reported_subjects_end_failed_invalid_message_at_once(h: Harness, char: str) -> None:  # noqa: F811
    assert h.deliver({**FIRST, "subject": f"Quick{char}question"}) is None
    record = h.email()
    assert record.status is EmailStatus.FAILED
    assert record.reason == "invalid_message"
    assert h.dead.letters
    assert "subject" in h.dead.letters[0][1]
    assert h.gmail.sent == []


def test_a_builder_failure_after_the_claim_ends_failed_with_its_reason(
    h: Harness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> bytes:
        raise ValueError("Header values may not contain linefeed or carriage return characters")

    monkeypatch.setattr(send_email_module, "build_message", refuse)
    assert h.deliver(FIRST) is SendOutcome.FAILED
    record = h.email()
    assert (record.status, record.reason) == (EmailStatus.FAILED, "invalid_message")
    assert record.reason_message
    assert h.gmail.sent == []


def test_a_crash_before_gmail_is_asked_releases_the_claim_and_logs_the_ids(
    h: Harness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def crash(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("boom")

    monkeypatch.setattr(send_email_module, "build_message", crash)
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError):
        h.deliver(FIRST)
    assert h.email().status is EmailStatus.EMAIL_READY, "given back: the redelivery can send it"
    logged = [r for r in caplog.records if r.getMessage() == "send stopped after the claim"]
    assert logged
    assert logged[0].__dict__.get("activity_id") == "act_9"
    assert logged[0].__dict__.get("claim_released") is True
    monkeypatch.undo()
    assert h.deliver(FIRST) is SendOutcome.SENT


def test_a_crash_after_gmail_was_asked_keeps_the_claim_for_the_recovery(
    h: Harness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def crash(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("the table is unreachable")

    monkeypatch.setattr(h.world.ledger, "mark_sent", crash)
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError):
        h.deliver(FIRST)
    assert h.email().status is EmailStatus.SENDING, "Gmail has it: releasing could send a second copy"
    logged = [r for r in caplog.records if r.getMessage() == "send stopped after the claim"]
    assert logged[0].__dict__.get("claim_released") is False


def test_a_crash_before_the_claim_is_logged_with_the_ids_and_retried(
    h: Harness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def unreachable(*args: object, **kwargs: object) -> None:
        raise ConnectionError("the table is unreachable")

    monkeypatch.setattr(h.world, "read", unreachable)
    with caplog.at_level(logging.ERROR), pytest.raises(ConnectionError):
        h.deliver(FIRST)
    logged = [r for r in caplog.records if r.getMessage() == "send message not processed; it will be retried"]
    assert logged
    assert logged[0].__dict__.get("activity_id") == "act_9"
    assert "act_9" not in h.world.emails, "nothing was claimed"
