"""A bounced or refused address is not mailed again until upstream lifts it (the send use case on fakes)."""

from __future__ import annotations

from datetime import UTC, datetime

from gmail_integration.models.domain import EmailStatus
from gmail_integration.models.events import DetailType
from gmail_integration.models.gmail_errors import PermanentError
from gmail_integration.models.suppressions import SuppressionReason
from gmail_integration.sending.send_email import SendOutcome
from tests.unit.sending import test_send_email as send_suite
from tests.unit.sending.test_send_email import FIRST, Harness

h = send_suite.h  # the send suite's harness: the composition root with fakes
BOUNCED_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_suppressed_recipient_fails_without_a_gmail_call(h: Harness) -> None:
    # Given an earlier email to this address bounced (the domain written in another case)
    h.world.suppressions.suppress("ws_1", "pat@PROSPECT.com", SuppressionReason.BOUNCE, "act_1", BOUNCED_AT)
    # When the next approved email to it arrives
    outcome = h.deliver(FIRST)
    # Then it fails visibly, once, and Gmail never hears of it
    assert outcome is SendOutcome.FAILED
    record = h.email()
    assert (record.status, record.reason) == (EmailStatus.FAILED, "recipient_suppressed")
    assert "bounced" in (record.reason_message or "")
    assert h.gmail.sent == []
    assert h.kinds() == [DetailType.EMAIL_FAILED]
    assert h.deliver(FIRST) is SendOutcome.ALREADY_HANDLED


def test_lifting_the_suppression_lets_the_next_email_through(h: Harness) -> None:
    h.world.suppressions.suppress("ws_1", "pat@prospect.com", SuppressionReason.BOUNCE, "act_1", BOUNCED_AT)
    assert h.world.suppressions.lift("ws_1", "pat@prospect.com")
    assert h.deliver(FIRST) is SendOutcome.SENT
    assert len(h.gmail.sent) == 1


def test_gmails_permanent_invalid_recipient_refusal_suppresses_the_address(h: Harness) -> None:
    h.gmail.errors.append(PermanentError(400, "invalidArgument", "Invalid To header"))
    assert h.deliver(FIRST) is SendOutcome.FAILED
    [entry] = h.world.suppressions.suppressions("ws_1")
    assert (entry.address, entry.reason, entry.activity_id) == (
        "pat@prospect.com",
        SuppressionReason.INVALID_RECIPIENT,
        "act_9",
    )
    again = {**FIRST, "activity_id": "act_10"}
    assert h.deliver(again) is SendOutcome.FAILED
    assert h.email("act_10").reason == "recipient_suppressed"
    assert h.gmail.sent == []


def test_a_refusal_for_another_cause_suppresses_nothing(h: Harness) -> None:
    h.gmail.errors.append(PermanentError(413, "tooLarge", "Message too large"))
    assert h.deliver(FIRST) is SendOutcome.FAILED
    assert h.world.suppressions.suppressions("ws_1") == []
