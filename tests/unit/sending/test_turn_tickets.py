"""A waiting email back at its turn goes without a table read, and any change while it waited still counts.

Through the composition root with fakes (test_send_email.Harness): ``world.reads`` counts the send context reads, and
the fake turn book checks a ticket's premises against the world as dal/premises.py does against the table.
"""

from __future__ import annotations

import json
from dataclasses import replace
from email import message_from_bytes
from email.policy import default

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import BillingStatus, ConnectionStatus, EmailStatus
from gmail_integration.models.pacing import PaceSettings
from gmail_integration.models.profile import Profile
from gmail_integration.models.suppressions import SuppressionReason
from gmail_integration.models.turn_ticket import TurnTicket
from gmail_integration.sending.send_email import SendOutcome
from gmail_integration.sending.tickets import ticket_for
from tests.unit.sending import test_send_email as send_suite
from tests.unit.sending.test_send_email import FIRST, Harness

h = send_suite.h
WS = "ws_1"


def email(n: int, **extra: object) -> dict[str, object]:
    return {**FIRST, "activity_id": f"act_{n}", **extra}


def two_waiting(h: Harness, gap: float = 60) -> None:
    """act_0 goes out, act_1 and act_2 wait with their tickets."""
    h.world.pace.configure(WS, PaceSettings(min_gap_s=gap))
    assert h.deliver(email(0)) is SendOutcome.SENT
    assert h.deliver(email(1)) is None
    assert h.deliver(email(2)) is None


def come_back(h: Harness, index: int, ticket: str | None = "carried") -> SendOutcome | None:
    body, _, not_before = h.postponed.resent[index]
    h.world.clock.advance(max(0.0, not_before - 0.5 - h.world.clock().timestamp()))
    carried = h.postponed.tickets[index] if ticket == "carried" else ticket
    return h.deliver(body, not_before=not_before, ticket=carried)


def test_a_waiting_email_is_sent_at_its_turn_without_reading_the_table(h: Harness) -> None:
    two_waiting(h)
    assert all(h.postponed.tickets), "each wait hands its message a ticket"
    reads = h.world.reads
    assert come_back(h, 0) is SendOutcome.SENT
    assert come_back(h, 1) is SendOutcome.SENT
    assert h.world.reads == reads, "no read at either turn"
    assert [h.email(f"act_{n}").status for n in range(3)] == [EmailStatus.SENT] * 3
    assert len(h.gmail.sent) == 3


def test_without_its_ticket_the_same_turn_reads_first(h: Harness) -> None:
    two_waiting(h)
    reads = h.world.reads
    assert come_back(h, 0, ticket=None) is SendOutcome.SENT
    assert h.world.reads == reads + 1


def test_a_damaged_ticket_is_no_ticket(h: Harness) -> None:
    two_waiting(h)
    reads = h.world.reads
    assert come_back(h, 0, ticket='{"earlier": 7, "x": 1}') is SendOutcome.SENT
    assert h.world.reads == reads + 1
    assert TurnTicket.from_attribute("not json") is None


def test_a_container_that_never_read_the_mailbox_reads(h: Harness) -> None:
    two_waiting(h)
    h.world.last_snapshot = None  # another container, or one restored from a snapshot
    reads = h.world.reads
    assert come_back(h, 0) is SendOutcome.SENT
    assert h.world.reads == reads + 1


def test_a_gate_closed_while_it_waited_parks_it_after_a_fresh_read(h: Harness) -> None:
    two_waiting(h)
    h.world.billing = BillingStatus.PAST_DUE
    assert come_back(h, 0) is SendOutcome.PARKED
    assert h.email("act_1").reason == "billing_past_due"
    assert len(h.gmail.sent) == 1


def test_an_agent_turned_off_while_it_waited_sends_nothing(h: Harness) -> None:
    two_waiting(h)
    h.world.inactive_agents.add(str(FIRST["agent_id"]))
    assert come_back(h, 0) is SendOutcome.PARKED
    assert h.email("act_1").reason == "agent_inactive"
    assert len(h.gmail.sent) == 1


def test_a_recipient_suppressed_while_it_waited_is_not_sent_to(h: Harness) -> None:
    two_waiting(h)
    to = SendEmailV1.model_validate(email(1)).to.email
    h.world.suppressions.suppress(WS, to, SuppressionReason.BOUNCE, "act_0", h.world.clock())
    assert come_back(h, 0) is SendOutcome.FAILED
    assert h.email("act_1").reason == "recipient_suppressed"
    assert len(h.gmail.sent) == 1


def test_a_reconnect_while_it_waited_is_read_afresh(h: Harness) -> None:
    two_waiting(h)
    assert h.world.connection is not None
    later = h.world.connection.connected_at.replace(day=20)  # type: ignore[union-attr]
    h.world.connection = h.world.connection.model_copy(update={"connected_at": later, "history_id": "900"})
    reads = h.world.reads
    assert come_back(h, 0) is SendOutcome.SENT
    assert h.world.reads == reads + 1, "the snapshot's connection was not the current one"


def test_a_profile_edited_while_it_waited_signs_with_the_new_one(h: Harness) -> None:
    two_waiting(h)
    h.world.profile = Profile(display_name="Sam Lee", signature_text="Sam Lee, Head of Sales")
    h.world.profile_stamp = "2026-11-28T10:00:00.000Z"
    assert come_back(h, 0) is SendOutcome.SENT
    raw, _ = h.gmail.sent[-1]
    sent = message_from_bytes(raw, policy=default)
    assert "Sam Lee" in str(sent["From"])


def test_pace_settings_changed_while_it_waited_hold_at_once(h: Harness) -> None:
    two_waiting(h, gap=2)
    h.world.pace.configure(WS, PaceSettings(min_gap_s=120))
    assert come_back(h, 0) is None, "the new, longer gap is a new wait"
    sends = h.world.pace.taken
    assert len(sends) == 1


def test_a_follow_up_of_a_sent_email_carries_its_thread_and_joins_it(h: Harness) -> None:
    h.world.pace.configure(WS, PaceSettings(min_gap_s=60))
    assert h.deliver(email(0)) is SendOutcome.SENT
    first = h.email("act_0")
    follow = email(1, in_reply_to_activity_id="act_0", subject="Re: x")
    assert h.deliver(follow) is None
    ticket = TurnTicket.from_attribute(h.postponed.tickets[0])
    assert ticket is not None
    assert ticket.earlier is not None
    assert ticket.earlier.gmail_thread_id == first.gmail_thread_id
    reads = h.world.reads
    assert come_back(h, 0) is SendOutcome.SENT
    assert h.world.reads == reads
    assert h.gmail.sent[-1][1] == first.gmail_thread_id


def test_a_ticket_naming_another_thread_is_caught_before_anything_is_sent(h: Harness) -> None:
    h.world.pace.configure(WS, PaceSettings(min_gap_s=60))
    assert h.deliver(email(0)) is SendOutcome.SENT
    h.world.clock.advance(60)
    assert h.deliver(email(5)) is SendOutcome.SENT
    follow = email(1, in_reply_to_activity_id="act_0", subject="Re: x")
    assert h.deliver(follow) is None
    ticket = TurnTicket.from_attribute(h.postponed.tickets[0])
    assert ticket is not None
    assert ticket.earlier is not None
    other = h.email("act_5")
    forged = ticket.earlier.model_copy(
        update={"gmail_thread_id": other.gmail_thread_id, "gmail_message_id": other.gmail_message_id}
    )
    assert come_back(h, 0, ticket=TurnTicket(earlier=forged).to_attribute()) is SendOutcome.SENT
    assert h.gmail.sent[-1][1] == h.email("act_0").gmail_thread_id, "the thread the table knows, not the ticket's"


def test_a_reply_seen_in_the_thread_parks_only_after_a_fresh_read(h: Harness) -> None:
    h.world.pace.configure(WS, PaceSettings(min_gap_s=60))
    h.deliver(email(0))
    thread = h.email("act_0").gmail_thread_id
    assert thread is not None
    h.deliver(email(1, in_reply_to_activity_id="act_0", subject="Re: x"))
    h.world.thread_check.kinds[thread] = frozenset({"reply"})
    reads = h.world.reads
    assert come_back(h, 0) is SendOutcome.PARKED
    assert h.email("act_1").reason == "prospect_replied"
    assert h.world.reads == reads + 1


def test_tickets_go_only_to_plainly_waiting_emails(h: Harness) -> None:
    h.world.pace.configure(WS, PaceSettings(min_gap_s=60))
    h.deliver(email(0))
    command = SendEmailV1.model_validate(email(1))
    context = h.world.read(WS, command.agent_id, command.activity_id, None, command.to.email)
    assert ticket_for(command, context) is not None
    assert context.email is None
    tried = h.email("act_0").model_copy(
        update={"status": EmailStatus.EMAIL_READY, "send_cursor": "100", "message_id": "<m@x>"}
    )
    assert ticket_for(command, replace(context, email=tried)) is None, "an earlier attempt is looked for, not assumed"
    assert ticket_for(command, replace(context, recipient_suppressed=True)) is None
    not_sent = replace(context, earlier=h.email("act_0").model_copy(update={"status": EmailStatus.EMAIL_READY}))
    follow = SendEmailV1.model_validate(email(1, in_reply_to_activity_id="act_0"))
    assert ticket_for(follow, not_sent) is None, "a follow-up waits for its earlier email with a read"
    assert json.loads(ticket_for(follow, replace(context, earlier=None)) or "x") == {}


def test_a_first_email_in_a_container_that_read_the_mailbox_is_recorded_without_a_read(h: Harness) -> None:
    two_waiting(h)  # the first delivery read; the others found the container's view
    assert h.world.reads == 1
    assert h.email("act_2").status is EmailStatus.EMAIL_READY, "visible from its first receive"
    assert h.email("act_2").not_before is not None


def test_a_redelivered_message_of_a_sent_email_sends_nothing_again(h: Harness) -> None:
    assert h.deliver(email(0)) is SendOutcome.SENT
    assert h.deliver(email(0)) is SendOutcome.ALREADY_HANDLED, "the write found the email: read afresh"
    assert len(h.gmail.sent) == 1


def test_an_activity_id_reused_for_another_email_is_caught_without_a_read_first(h: Harness) -> None:
    h.world.pace.configure(WS, PaceSettings(min_gap_s=60))
    h.deliver(email(0))
    h.deliver(email(1))
    assert h.deliver(email(1, subject="Something else entirely")) is None
    [(body, reason)] = h.dead.letters
    assert json.loads(body)["subject"] == "Something else entirely"
    assert "different email" in reason
    assert h.email("act_1").subject == FIRST["subject"], "the waiting email keeps its own payload"


def test_a_gate_closed_since_the_container_s_read_parks_a_first_receive(h: Harness) -> None:
    h.world.pace.configure(WS, PaceSettings(min_gap_s=60))
    h.deliver(email(0))
    h.world.billing = BillingStatus.PAST_DUE
    assert h.deliver(email(1)) is SendOutcome.PARKED
    assert h.email("act_1").reason == "billing_past_due"


def test_a_follow_up_s_first_receive_reads_its_thread_from_the_table(h: Harness) -> None:
    h.deliver(email(0))
    reads = h.world.reads
    h.deliver(email(1, in_reply_to_activity_id="act_0", subject="Re: x"))
    assert h.world.reads == reads + 1


def test_a_grant_revoked_and_reconnected_since_the_view_never_marks_the_new_connection(h: Harness) -> None:
    assert h.deliver(email(0)) is SendOutcome.SENT  # the container's view now holds this connection
    assert h.world.connection is not None
    old = h.world.connection
    h.gmail.revoked.add(b"x")  # the user revoked the grant, then connected again
    h.world.connection = old.model_copy(
        update={"refresh_token_ciphertext": b"y", "connected_at": old.connected_at.replace(day=20)}  # type: ignore[union-attr]
    )
    assert h.deliver(email(1)) is SendOutcome.SENT, "read afresh: sent with the new grant"
    assert h.world.authorization_losses == []
    assert h.world.connection.status is ConnectionStatus.CONNECTED
