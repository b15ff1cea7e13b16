"""A follow-up is not sent into a thread where the prospect answered (the send use case on fakes)."""

from __future__ import annotations

from datetime import timedelta

from gmail_integration.models.domain import EmailStatus
from gmail_integration.models.events import DetailType
from gmail_integration.models.gmail_errors import AuthorizationLostError, RateLimitedError
from gmail_integration.models.suppressions import SuppressionReason
from gmail_integration.sending.send_email import SendOutcome
from tests.unit.sending import test_send_email as send_suite
from tests.unit.sending.test_send_email import FIRST, Harness

h = send_suite.h  # the send suite's harness: the composition root with fakes
FOLLOW_UP = {**FIRST, "activity_id": "act_10", "in_reply_to_activity_id": "act_9", "subject": "Re: Following up"}


def _first_sent(h: Harness) -> str:
    assert h.deliver(FIRST) is SendOutcome.SENT
    thread = h.email().gmail_thread_id
    assert thread
    return thread


def test_a_first_email_costs_no_thread_check(h: Harness) -> None:
    _first_sent(h)
    assert h.world.thread_check.looked_at == []


def test_a_reply_in_the_thread_parks_the_follow_up(h: Harness) -> None:
    # Given the prospect answered after our first email, and no poll has seen it yet
    thread = _first_sent(h)
    h.world.thread_check.kinds[thread] = frozenset({"reply"})
    # When the follow-up arrives
    outcome = h.deliver(FOLLOW_UP)
    # Then the thread was looked at once, and the follow-up waits with the reason
    assert outcome is SendOutcome.PARKED
    assert h.world.thread_check.looked_at == [thread]
    record = h.email("act_10")
    assert (record.status, record.reason) == (EmailStatus.EMAIL_READY, "prospect_replied")
    assert len(h.gmail.sent) == 1
    assert h.kinds() == [DetailType.EMAIL_SENT, DetailType.EMAIL_PARKED]
    # And a redelivery neither looks again nor announces again
    assert h.deliver(FOLLOW_UP) is SendOutcome.ALREADY_PARKED
    assert h.world.thread_check.looked_at == [thread]
    assert h.kinds() == [DetailType.EMAIL_SENT, DetailType.EMAIL_PARKED]


def test_an_auto_reply_does_not_stop_the_follow_up(h: Harness) -> None:
    thread = _first_sent(h)
    h.world.thread_check.kinds[thread] = frozenset({"auto_reply"})
    assert h.deliver(FOLLOW_UP) is SendOutcome.SENT
    assert len(h.gmail.sent) == 2


def test_a_bounce_in_the_thread_fails_the_follow_up_as_suppressed(h: Harness) -> None:
    thread = _first_sent(h)
    h.world.thread_check.kinds[thread] = frozenset({"bounce", "auto_reply"})
    assert h.deliver(FOLLOW_UP) is SendOutcome.FAILED
    assert h.email("act_10").reason == "recipient_suppressed"
    assert len(h.gmail.sent) == 1


def test_an_email_the_poll_already_saw_answered_parks_without_asking_gmail(h: Harness) -> None:
    _first_sent(h)
    first = h.world.emails["act_9"]
    h.world.emails["act_9"] = first.model_copy(update={"status": EmailStatus.REPLIED})
    assert h.deliver(FOLLOW_UP) is SendOutcome.PARKED
    assert h.world.thread_check.looked_at == []


def test_a_released_follow_up_is_sent_whatever_the_thread_holds(h: Harness) -> None:
    thread = _first_sent(h)
    h.world.thread_check.kinds[thread] = frozenset({"reply"})
    h.deliver(FOLLOW_UP)
    held = h.email("act_10")
    h.world.emails["act_10"] = held.model_copy(update={"released": True})
    assert h.deliver(FOLLOW_UP) is SendOutcome.SENT
    assert len(h.gmail.sent) == 2


def test_the_look_gives_the_parent_message_id_so_no_other_gmail_read_is_needed(h: Harness) -> None:
    thread = _first_sent(h)
    first = h.world.emails["act_9"]
    h.world.emails["act_9"] = first.model_copy(update={"rfc_message_id": None})
    assert first.gmail_message_id
    h.world.thread_check.message_ids[first.gmail_message_id] = "<gmail-stamped@mail.gmail.com>"
    assert h.deliver(FOLLOW_UP) is SendOutcome.SENT
    assert h.world.thread_check.looked_at == [thread]
    assert h.gmail.header_reads == [], "the follow-up names its parent from the look, not from messages.get"
    assert "<gmail-stamped@mail.gmail.com>" in h.gmail.sent[-1][0].decode()


def test_google_withdrawing_the_grant_during_the_check_parks_for_reconnect(h: Harness) -> None:
    _first_sent(h)
    h.world.thread_check.error = AuthorizationLostError("token_revoked")
    assert h.deliver(FOLLOW_UP) is SendOutcome.PARKED
    assert h.email("act_10").reason == "gmail_needs_reconnect"
    assert len(h.gmail.sent) == 1


def test_a_rate_limit_during_the_check_waits_with_the_mailbox(h: Harness) -> None:
    _first_sent(h)
    h.world.thread_check.error = RateLimitedError(30)
    assert h.deliver(FOLLOW_UP) is None
    [(_, delay_s, not_before)] = h.postponed.resent
    assert delay_s >= 30, "the message comes back after Google's wait"
    assert h.world.connection is not None
    assert h.world.connection.throttled_until == h.world.clock() + timedelta(seconds=30)
    waiting = h.email("act_10")
    assert (waiting.status, waiting.wait_reason) == (EmailStatus.EMAIL_READY, "gmail_rate_limit")
    h.world.clock.advance(not_before - h.world.clock().timestamp())
    assert h.deliver(FOLLOW_UP, not_before=not_before) is SendOutcome.SENT


def test_a_follow_up_to_a_suppressed_address_costs_no_thread_check(h: Harness) -> None:
    _first_sent(h)
    h.world.suppressions.suppress("ws_1", "pat@prospect.com", SuppressionReason.BOUNCE, "act_9", h.world.clock())
    assert h.deliver(FOLLOW_UP) is SendOutcome.FAILED
    assert h.world.thread_check.looked_at == []
