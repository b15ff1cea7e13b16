"""The send ledger's promises, held by the in-memory fake and by DynamoDB (moto) alike.

The send use-case tests run against the fake; this suite is why that is enough: every condition the fake applies is
checked here against the real conditional writes, and the last test replays one history on both and compares every
field they leave behind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailStatus, ParkReason
from tests.unit.contracts.conftest import LedgerSide, dynamodb_side, fake_side
from tests.unit.domain.test_commands import VALID

WS, ACT = "ws_1", "act_9"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
LEASE = timedelta(seconds=90)


def command(**changes: Any) -> SendEmailV1:
    return SendEmailV1.model_validate({**VALID, **changes})


def claim(side: LedgerSide, now: datetime = NOW, cursor: str | None = "100", message_id: str = "<m1@x>") -> Any:
    return side.ledger.claim(command(), now, LEASE, cursor, message_id, "hash1")


def test_parking_records_the_email_and_its_reason_once(ledger_side: LedgerSide) -> None:
    assert ledger_side.ledger.park(command(), ParkReason.GMAIL_NOT_CONNECTED, NOW, "hash1")
    assert not ledger_side.ledger.park(command(), ParkReason.GMAIL_NOT_CONNECTED, NOW, "hash1")
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.status, record.reason, record.payload_hash) == (
        EmailStatus.EMAIL_READY,
        "gmail_not_connected",
        "hash1",
    )
    assert record.command == command().model_dump_json()


def test_a_parked_email_parks_again_for_another_reason(ledger_side: LedgerSide) -> None:
    ledger_side.ledger.park(command(), ParkReason.GMAIL_NOT_CONNECTED, NOW, "hash1")
    assert ledger_side.ledger.park(command(), ParkReason.BILLING_PAST_DUE, NOW, "hash1")
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert record.reason == "billing_past_due"


def test_one_live_claim_at_a_time(ledger_side: LedgerSide) -> None:
    first = claim(ledger_side)
    assert (first.claimed, first.interrupted, first.send_cursor) == (True, False, "100")
    assert not claim(ledger_side, NOW + LEASE).claimed
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.status, record.lease_until, record.message_id) == (EmailStatus.SENDING, NOW + LEASE, "<m1@x>")


def test_an_expired_claim_is_taken_over_and_reported_interrupted(ledger_side: LedgerSide) -> None:
    claim(ledger_side, cursor="100")
    again = claim(ledger_side, NOW + LEASE + timedelta(seconds=1), cursor="200", message_id="<m2@x>")
    assert (again.claimed, again.interrupted, again.send_cursor) == (True, True, "100")


def test_claiming_a_parked_email_clears_its_reason(ledger_side: LedgerSide) -> None:
    ledger_side.ledger.park(command(), ParkReason.AGENT_INACTIVE, NOW, "hash1")
    assert claim(ledger_side).claimed
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.reason, record.reason_message) == (None, None)


def test_sent_is_final(ledger_side: LedgerSide) -> None:
    claim(ledger_side)
    sent = {"gmail_message_id": "g1", "gmail_thread_id": "t1", "message_id": "<m1@x>", "references": None}
    assert ledger_side.ledger.mark_sent(WS, ACT, now=NOW, **sent)
    assert not ledger_side.ledger.mark_sent(WS, ACT, now=NOW, **sent)
    assert not claim(ledger_side, NOW + timedelta(days=1)).claimed
    assert not ledger_side.ledger.park(command(), ParkReason.BILLING_PAST_DUE, NOW, "hash1")
    assert not ledger_side.ledger.mark_invalid(WS, ACT, "unreadable", NOW)
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.status, record.gmail_thread_id, record.command, record.lease_until) == (
        EmailStatus.SENT,
        "t1",
        None,
        None,
    )


def test_an_unconfirmed_attempt_parked_by_a_gate_is_looked_for_at_its_next_claim(ledger_side: LedgerSide) -> None:
    # Given a claim whose worker died after handing the email to Gmail, and a gate that closed meanwhile
    claim(ledger_side)
    later = NOW + LEASE + timedelta(seconds=1)
    assert ledger_side.ledger.park(command(), ParkReason.BILLING_PAST_DUE, later, "hash1")
    # When the gate opens and the email is claimed again
    again = claim(ledger_side, later + timedelta(minutes=1), cursor="300", message_id="<m2@x>")
    # Then the claim says the earlier attempt may be in Gmail, from where it started, under its first Message-ID
    assert (again.claimed, again.interrupted, again.send_cursor, again.message_id) == (True, True, "100", "<m1@x>")


def test_a_park_says_whether_an_earlier_attempt_may_be_delivered_until_the_email_is_settled(
    ledger_side: LedgerSide,
) -> None:
    claim(ledger_side)
    later = NOW + LEASE + timedelta(seconds=1)
    assert ledger_side.ledger.park(command(), ParkReason.BILLING_PAST_DUE, later, "hash1", delivery_unconfirmed=True)
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.status, record.delivery_unconfirmed, record.send_cursor) == (EmailStatus.EMAIL_READY, True, "100")
    # A later park after Gmail answered "not there" drops the doubt (the cursor stays for the next claim)
    assert ledger_side.ledger.park(command(), ParkReason.AGENT_INACTIVE, later, "hash1")
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.delivery_unconfirmed, record.send_cursor) == (False, "100")
    # Recording the email SENT settles it for good
    ledger_side.ledger.park(command(), ParkReason.BILLING_PAST_DUE, later, "hash1", delivery_unconfirmed=True)
    claim(ledger_side, later + timedelta(minutes=1))
    sent = {"gmail_message_id": "g1", "gmail_thread_id": "t1", "message_id": "<m1@x>", "references": None}
    assert ledger_side.ledger.mark_sent(WS, ACT, now=later, **sent)
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.status, record.delivery_unconfirmed) == (EmailStatus.SENT, False)


def test_an_attempt_gmail_refused_is_a_clean_claim_after_parking(ledger_side: LedgerSide) -> None:
    claim(ledger_side)
    assert ledger_side.ledger.release(WS, ACT, NOW)
    assert ledger_side.ledger.park(command(), ParkReason.DAILY_LIMIT_REACHED, NOW, "hash1")
    again = claim(ledger_side, NOW + timedelta(minutes=1), cursor="300")
    assert (again.claimed, again.interrupted, again.send_cursor) == (True, False, "300")


def test_release_and_failure_only_from_a_claim(ledger_side: LedgerSide) -> None:
    assert not ledger_side.ledger.release(WS, ACT, NOW)
    assert not ledger_side.ledger.mark_failed(WS, ACT, "gmail_refused", "No.", NOW)
    claim(ledger_side)
    assert ledger_side.ledger.release(WS, ACT, NOW)
    assert not ledger_side.ledger.mark_failed(WS, ACT, "gmail_refused", "No.", NOW)
    claim(ledger_side)
    assert ledger_side.ledger.mark_failed(WS, ACT, "gmail_refused", "No.", NOW)
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.status, record.reason) == (EmailStatus.FAILED, "gmail_refused")


def test_an_unreadable_message_fails_an_activity_never_seen(ledger_side: LedgerSide) -> None:
    assert ledger_side.ledger.mark_invalid(WS, ACT, "unreadable", NOW)
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.status, record.reason, record.reason_message, record.command) == (
        EmailStatus.FAILED,
        "invalid_message",
        "unreadable",
        None,
    )


@pytest.mark.parametrize("first", ["parked", "failed"])
def test_an_unreadable_message_never_changes_an_existing_activity(ledger_side: LedgerSide, first: str) -> None:
    if first == "parked":
        ledger_side.ledger.park(command(), ParkReason.AGENT_INACTIVE, NOW, "hash1")
    if first == "failed":
        ledger_side.ledger.mark_invalid(WS, ACT, "first", NOW)
    before = ledger_side.read(WS, ACT)
    assert not ledger_side.ledger.mark_invalid(WS, ACT, "unreadable", NOW + timedelta(minutes=1))
    assert ledger_side.read(WS, ACT) == before


def test_a_claimed_email_is_not_failed_by_an_unreadable_copy(ledger_side: LedgerSide) -> None:
    claim(ledger_side)
    assert not ledger_side.ledger.mark_invalid(WS, ACT, "unreadable", NOW)


def _history(side: LedgerSide) -> list[dict[str, Any]]:
    """One email's life through every ledger write, with a snapshot after each step."""
    ledger, later = side.ledger, NOW + timedelta(minutes=5)
    steps = [
        lambda: ledger.park(command(), ParkReason.GMAIL_NOT_CONNECTED, NOW, "hash1"),
        lambda: ledger.claim(command(), NOW, LEASE, "100", "<m1@x>", "hash1"),
        lambda: ledger.release(WS, ACT, NOW),
        lambda: ledger.park(command(), ParkReason.DAILY_LIMIT_REACHED, NOW, "hash1"),
        lambda: ledger.claim(command(), later, LEASE, "200", "<m2@x>", "hash1"),
        lambda: ledger.mark_sent(
            WS, ACT, gmail_message_id="g1", gmail_thread_id="t1", message_id="<m2@x>", references="<a@x>", now=later
        ),
    ]
    snapshots = []
    for step in steps:
        answer = step()
        record = side.read(WS, ACT)
        snapshots.append({"answer": answer, "record": record.model_dump() if record else None})
    return snapshots


def test_the_fake_leaves_every_field_as_dynamodb_does(dynamodb_table: Any) -> None:
    assert _history(fake_side()) == _history(dynamodb_side(dynamodb_table))


def test_a_wait_is_recorded_on_a_new_or_waiting_email_only(ledger_side: LedgerSide) -> None:
    from gmail_integration.models.pacing import WaitReason

    until = NOW + timedelta(minutes=5)
    assert ledger_side.ledger.record_wait(command(), NOW, until, WaitReason.MAILBOX_PACE, "hash1")
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.status, record.not_before, record.wait_reason, record.reason) == (
        EmailStatus.EMAIL_READY,
        until,
        "mailbox_pace",
        None,
    )
    assert record.command == command().model_dump_json(), "the first receive keeps the approved message"
    later = NOW + timedelta(hours=1)
    assert ledger_side.ledger.record_wait(command(), NOW, later, WaitReason.HOURLY_LIMIT, "hash1")
    claimed = claim(ledger_side)
    assert claimed.claimed
    after_claim = ledger_side.read(WS, ACT)
    assert after_claim is not None
    assert (after_claim.not_before, after_claim.wait_reason) == (None, None)
    assert not ledger_side.ledger.record_wait(command(), NOW, later, WaitReason.MAILBOX_PACE, "hash1"), "claimed"


def test_a_wait_never_touches_a_parked_email(ledger_side: LedgerSide) -> None:
    from gmail_integration.models.pacing import WaitReason

    ledger_side.ledger.park(command(), ParkReason.BILLING_PAST_DUE, NOW, "hash1")
    assert not ledger_side.ledger.record_wait(command(), NOW, NOW, WaitReason.MAILBOX_PACE, "hash1")
    record = ledger_side.read(WS, ACT)
    assert record is not None
    assert (record.reason, record.not_before) == ("billing_past_due", None)


def test_a_sent_follow_up_keeps_the_message_id_gmail_stored_for_the_email_it_answers(ledger_side: LedgerSide) -> None:
    ledger = ledger_side.ledger
    first = command(activity_id="act_1")
    ledger.claim(first, NOW, LEASE, "90", "<first@x>", "hash0")
    assert ledger.mark_sent(WS, "act_1", gmail_message_id="g0", gmail_thread_id="t1", message_id="<first@x>",
                            references=None, now=NOW)  # fmt: skip
    claim(ledger_side)
    sent = {"gmail_message_id": "g1", "gmail_thread_id": "t1", "message_id": "<m1@x>", "references": None, "now": NOW}
    assert ledger.mark_sent(WS, ACT, **sent, parent=("act_1", "<stored-by-gmail@x>"))
    earlier = ledger_side.read(WS, "act_1")
    assert earlier is not None
    assert earlier.rfc_message_id == "<stored-by-gmail@x>"
    assert ledger_side.read(WS, ACT).status is EmailStatus.SENT  # type: ignore[union-attr]


def test_a_parent_gone_from_the_table_never_holds_the_sent_record_back(ledger_side: LedgerSide) -> None:
    claim(ledger_side)
    sent = {"gmail_message_id": "g1", "gmail_thread_id": "t1", "message_id": "<m1@x>", "references": None, "now": NOW}
    assert ledger_side.ledger.mark_sent(WS, ACT, **sent, parent=("act_gone", "<x@y>"))
    assert ledger_side.read(WS, "act_gone") is None, "no partial item for an email that is not there"
    assert ledger_side.read(WS, ACT).status is EmailStatus.SENT  # type: ignore[union-attr]
