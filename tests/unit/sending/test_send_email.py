from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default

import pytest

from gmail_integration.bootstrap import Container
from gmail_integration.models.domain import BillingStatus, Connection, ConnectionStatus, EmailStatus
from gmail_integration.models.events import DetailType
from gmail_integration.models.gmail_errors import (
    AuthorizationLostError,
    DailyLimitError,
    DeliveryUnknownError,
    GmailNotFoundError,
    PermanentError,
    RateLimitedError,
    TransientError,
)
from gmail_integration.models.profile import Profile
from gmail_integration.sending.intake import ProcessSendMessage
from gmail_integration.sending.send_email import SendOutcome
from gmail_integration.settings import get_settings
from tests.unit.domain.test_commands import VALID
from tests.unit.fake_turns import FakeTurnBook
from tests.unit.fakes import FakeClock, FakeDeadLetters, FakeEvents
from tests.unit.sending.fakes import FakeGmail, SendWorld

CONNECTED = Connection(
    workspace_id="ws_1",
    status=ConnectionStatus.CONNECTED,
    email="sam@company.example",
    connected_at=datetime(2026, 11, 1, tzinfo=UTC),
    refresh_token_ciphertext=b"x",
    history_id="100",
)
FIRST = {k: v for k, v in VALID.items() if k != "in_reply_to_activity_id"}


@dataclass
class FakePostponer:
    """The send queue: visibility back-offs (``delays``) and messages sent again to wait (``resent``)."""

    delays: list[float]
    resent: list[tuple[str, int, float]] = field(default_factory=list)
    tickets: list[str | None] = field(default_factory=list)
    """The ticket each resent message carries, in the order of ``resent``."""

    def postpone(self, receipt_handle: str, seconds: float) -> None:
        self.delays.append(seconds)

    def send_later(self, body: str, delay_s: int, not_before: float, ticket: str | None = None) -> None:
        self.resent.append((body, delay_s, not_before))
        self.tickets.append(ticket)


@dataclass
class Harness:
    world: SendWorld
    gmail: FakeGmail
    events: FakeEvents
    dead: FakeDeadLetters
    postponed: FakePostponer
    process: ProcessSendMessage

    def deliver(
        self, message: dict[str, object] | str, not_before: float | None = None, ticket: str | None = None
    ) -> SendOutcome | None:
        """One receive, half a second after the previous one: Gmail's own pace (0.45 s a send) always holds."""
        self.world.clock.advance(0.5)
        body = message if isinstance(message, str) else json.dumps(message)
        return self.process(body, "receipt", 1, not_before, ticket)

    def email(self, activity_id: str = "act_9"):
        return self.world.emails[activity_id]

    def kinds(self) -> list[DetailType]:
        return [e.detail_type for e in self.events.published]


@pytest.fixture
def h() -> Harness:
    clock = FakeClock()
    world = SendWorld(clock=clock, connection=CONNECTED, profile=Profile(display_name="Sam", signature_text="Sam"))
    gmail, events, dead, postponed = FakeGmail(), FakeEvents(), FakeDeadLetters(), FakePostponer([])
    # The composition root itself, its adapters replaced by fakes: what runs is what bootstrap wires in production.
    container = Container(settings=get_settings(), clock=clock, sleep=clock.advance)
    container.send_contexts = world  # type: ignore[assignment]
    container.ledger = world.ledger  # type: ignore[assignment]
    container.gmail = gmail  # type: ignore[assignment]
    container.mailbox_authority = world  # type: ignore[assignment]
    container.events = events  # type: ignore[assignment]
    container.dead_letters = dead  # type: ignore[assignment]
    container.send_queue = postponed  # type: ignore[assignment]
    container.suppressions = world.suppressions  # type: ignore[assignment]
    container.thread_check = world.thread_check  # type: ignore[assignment]
    container.mailbox_pace = world.pace  # type: ignore[assignment]
    container.turn_book = FakeTurnBook(world.pace, world.ledger, world.premises_hold)  # type: ignore[assignment]
    process = container.process_send_message
    return Harness(world, gmail, events, dead, postponed, process)


def test_an_approved_email_is_sent_once_and_recorded(h: Harness) -> None:
    assert h.deliver(FIRST) is SendOutcome.SENT
    record = h.email()
    assert record.status is EmailStatus.SENT
    assert (record.gmail_message_id, record.gmail_thread_id) == ("m1", "t1")
    assert record.message_id is not None
    assert record.message_id.endswith("@mail.outsales.app>")
    assert record.command is None, "the body is not kept once Gmail has the email"
    assert h.kinds() == [DetailType.EMAIL_SENT]
    assert len(h.gmail.sent) == 1


def test_a_redelivery_sends_nothing(h: Harness) -> None:
    h.deliver(FIRST)
    assert h.deliver(FIRST) is SendOutcome.ALREADY_HANDLED
    assert len(h.gmail.sent) == 1
    assert h.kinds() == [DetailType.EMAIL_SENT]


def test_a_live_claim_elsewhere_means_coming_back_after_its_lease(h: Harness) -> None:
    h.gmail.errors.append(DeliveryUnknownError("timeout"))
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    assert h.deliver(FIRST) is None, "acknowledged: the wait is a new message, not a used-up receive"
    [(body, delay_s, _)] = h.postponed.resent
    assert json.loads(body)["activity_id"] == "act_9"
    assert 120 <= delay_s <= 122, "back just after the other delivery's lease"
    assert h.email().status is EmailStatus.SENDING, "the live claim is never overwritten by a wait"
    assert h.gmail.sent == []


def test_a_crash_after_gmail_accepted_is_found_not_resent(h: Harness) -> None:
    h.gmail.deliver_then_fail = DeliveryUnknownError("connection reset after the request")
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    assert h.email().status is EmailStatus.SENDING
    assert h.postponed.delays == [125.0], "the message comes back just after the claim's lease"
    h.world.clock.advance(121)
    assert h.deliver(FIRST) is SendOutcome.SENT
    assert len(h.gmail.sent) == 1, "one email reached Gmail"
    assert h.email().gmail_message_id == "m1"
    assert h.gmail.header_reads == ["m1"]


def test_the_recovery_search_waits_out_a_short_rate_limit_instead_of_starting_over(h: Harness) -> None:
    # Given a send that reached Gmail without its answer, and Gmail's per-user quota running out during the search
    h.gmail.deliver_then_fail = DeliveryUnknownError("connection reset after the request")
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.clock.advance(121)
    h.gmail.header_errors = [RateLimitedError(1), RateLimitedError(2)]
    before = h.world.clock()
    # When the next delivery looks for it
    assert h.deliver(FIRST) is SendOutcome.SENT
    # Then it paused in place and found it: recorded once, never sent again
    assert h.world.clock() - before >= timedelta(seconds=3)
    assert len(h.gmail.sent) == 1
    assert h.gmail.header_reads == ["m1", "m1", "m1"]


def test_a_long_rate_limit_during_the_recovery_search_keeps_the_claim_and_sends_nothing(h: Harness) -> None:
    h.gmail.deliver_then_fail = DeliveryUnknownError("connection reset after the request")
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.clock.advance(121)
    h.gmail.header_errors = [RateLimitedError(60)]
    with pytest.raises(RateLimitedError):
        h.deliver(FIRST)
    assert h.email().status is EmailStatus.SENDING, "kept: the next delivery looks again"
    assert len(h.gmail.sent) == 1


def _throttle_once(monkeypatch: pytest.MonkeyPatch, ledger: object, method: str) -> None:
    """The ledger's next ``method`` call fails as DynamoDB's throttling would; the one after works again."""
    real = getattr(ledger, method)

    def throttled(*args: object, **kwargs: object) -> object:
        monkeypatch.setattr(ledger, method, real)
        raise RuntimeError("ProvisionedThroughputExceededException")

    monkeypatch.setattr(ledger, method, throttled)


def test_a_found_send_whose_record_fails_keeps_its_claim_and_is_not_resent(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a send that reached Gmail without its answer, found there by the next delivery
    h.gmail.deliver_then_fail = DeliveryUnknownError("connection reset after the request")
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.clock.advance(121)
    # When recording what was found fails (DynamoDB throttled)
    _throttle_once(monkeypatch, h.world.ledger, "mark_sent")
    with pytest.raises(RuntimeError):
        h.deliver(FIRST)
    # Then the claim is kept: after its lease the next delivery looks in Gmail again instead of sending a copy
    assert h.email().status is EmailStatus.SENDING
    h.world.clock.advance(121)
    assert h.deliver(FIRST) is SendOutcome.SENT
    assert len(h.gmail.sent) == 1, "one email reached Gmail"
    assert h.email().gmail_message_id == "m1"


def test_an_unconfirmed_send_whose_failure_record_fails_keeps_its_claim_and_is_not_resent(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a send that reached Gmail without its answer, and history gone by the time the next delivery looks
    h.gmail.deliver_then_fail = DeliveryUnknownError("connection reset after the request")
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.clock.advance(121)
    h.gmail.history_error = GmailNotFoundError("404")
    # When writing FAILED delivery_unconfirmed fails (DynamoDB throttled)
    _throttle_once(monkeypatch, h.world.ledger, "mark_failed")
    with pytest.raises(RuntimeError):
        h.deliver(FIRST)
    # Then the claim is kept, and the next delivery after its lease still cannot confirm: it fails, never resends
    assert h.email().status is EmailStatus.SENDING
    h.world.clock.advance(121)
    assert h.deliver(FIRST) is SendOutcome.FAILED
    assert h.email().reason == "delivery_unconfirmed"
    assert len(h.gmail.sent) == 1, "one email reached Gmail"


def test_an_unconfirmed_send_is_looked_for_before_a_closing_gate_parks_it(h: Harness) -> None:
    # Given an email that reached Gmail but whose answer was lost, and billing turning past due meanwhile
    h.gmail.deliver_then_fail = DeliveryUnknownError("connection reset after the request")
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.billing = BillingStatus.PAST_DUE
    h.world.clock.advance(121)
    # When it is delivered again: the mailbox still answers, so Gmail is asked first
    assert h.deliver(FIRST) is SendOutcome.SENT
    # Then the email the prospect has is recorded, not parked and not sent twice
    assert len(h.gmail.sent) == 1
    assert h.email().gmail_message_id == "m1"


def test_an_unconfirmed_send_parked_without_a_mailbox_is_found_not_resent_when_it_comes_back(h: Harness) -> None:
    # Given an unconfirmed send, and Google's grant lost before anyone could look
    h.gmail.deliver_then_fail = DeliveryUnknownError("connection reset after the request")
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    connected = h.world.connection
    assert connected is not None
    h.world.connection = connected.model_copy(update={"status": ConnectionStatus.NEEDS_RECONNECT})
    h.world.clock.advance(121)
    assert h.deliver(FIRST) is SendOutcome.PARKED
    assert h.email().delivery_unconfirmed, "Email Ready says the prospect may already have it"
    # When the mailbox is reconnected and the parked email re-driven
    h.world.connection = connected
    assert h.deliver(FIRST) is SendOutcome.SENT
    # Then the claim looked in Gmail first: one copy
    assert len(h.gmail.sent) == 1
    assert h.email().gmail_message_id == "m1"
    assert not h.email().delivery_unconfirmed


@pytest.mark.parametrize(
    "history_error",
    [GmailNotFoundError("history too old"), TransientError("backend error")],
    ids=["history_expired", "no_answer"],
)
def test_an_unconfirmed_send_gmail_cannot_confirm_parks_saying_it_may_be_delivered(
    h: Harness, history_error: Exception
) -> None:
    # Given an email that reached Gmail without its answer, a gate closing, and Gmail's history not answering
    h.gmail.deliver_then_fail = DeliveryUnknownError("connection reset after the request")
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.billing = BillingStatus.PAST_DUE
    h.world.clock.advance(121)
    h.gmail.history_error = history_error  # type: ignore[assignment]
    # When it is delivered again
    assert h.deliver(FIRST) is SendOutcome.PARKED
    # Then it parks with its reason, and says the earlier attempt may be in the prospect's mailbox
    record = h.email()
    assert (record.status, record.reason, record.delivery_unconfirmed) == (
        EmailStatus.EMAIL_READY,
        "billing_past_due",
        True,
    )
    assert record.send_cursor, "its next claim still looks in Gmail first"
    # And once billing is current and Gmail answers, the re-drive records it instead of sending a copy
    h.world.billing = BillingStatus.CURRENT
    h.gmail.history_error = None
    assert h.deliver(FIRST) is SendOutcome.SENT
    assert len(h.gmail.sent) == 1
    assert not h.email().delivery_unconfirmed


def test_an_interrupted_send_gmail_shows_never_arrived_parks_as_plainly_waiting(h: Harness) -> None:
    # Given an attempt cut off before Gmail took the email, and a gate closing before the retry
    h.gmail.errors.append(DeliveryUnknownError("timeout before the request"))
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.billing = BillingStatus.PAST_DUE
    h.world.clock.advance(121)
    # When it is delivered again, Gmail's history answers: not there
    assert h.deliver(FIRST) is SendOutcome.PARKED
    # Then it waits with its reason and no doubt shown
    assert (h.email().reason, h.email().delivery_unconfirmed) == ("billing_past_due", False)
    # And it goes out once the gate opens
    h.world.billing = BillingStatus.CURRENT
    assert h.deliver(FIRST) is SendOutcome.SENT
    assert len(h.gmail.sent) == 1


def test_a_gate_never_parks_an_email_another_delivery_is_sending(h: Harness) -> None:
    h.gmail.errors.append(DeliveryUnknownError("timeout"))
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.billing = BillingStatus.PAST_DUE
    assert h.deliver(FIRST) is None
    assert len(h.postponed.resent) == 1
    assert h.email().status is EmailStatus.SENDING


def test_an_interrupted_send_that_never_reached_gmail_is_sent_after_the_lease(h: Harness) -> None:
    h.gmail.errors.append(DeliveryUnknownError("timeout before the request"))
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.clock.advance(121)
    assert h.deliver(FIRST) is SendOutcome.SENT
    assert len(h.gmail.sent) == 1


def test_an_interrupted_send_whose_history_is_gone_fails_visibly_instead_of_risking_a_copy(h: Harness) -> None:
    h.gmail.errors.append(DeliveryUnknownError("timeout"))
    with pytest.raises(DeliveryUnknownError):
        h.deliver(FIRST)
    h.world.clock.advance(121)
    h.gmail.history_error = GmailNotFoundError("404")
    assert h.deliver(FIRST) is SendOutcome.FAILED
    assert h.email().reason == "delivery_unconfirmed"
    assert "Sent folder" in (h.email().reason_message or "")
    assert h.gmail.sent == []


def test_rate_limit_makes_the_email_wait_visibly_and_gives_the_claim_back(h: Harness) -> None:
    h.gmail.errors.append(RateLimitedError(30))
    assert h.deliver(FIRST) is None
    start = h.world.clock().timestamp()
    email = h.email()
    assert (email.status, email.wait_reason, email.reason) == (EmailStatus.EMAIL_READY, "gmail_rate_limit", None)
    assert email.not_before is not None
    assert email.not_before.timestamp() >= start + 30
    [(_, delay_s, not_before)] = h.postponed.resent
    assert delay_s >= 30
    assert not_before == pytest.approx(email.not_before.timestamp(), abs=0.001)
    assert h.postponed.delays == [], "no visibility change: the receive count is not used up"
    assert h.world.connection is not None
    assert h.world.connection.throttled_until == h.world.clock() + timedelta(seconds=30)
    # Another email of the mailbox takes the next slot, without asking Gmail
    assert h.deliver({**FIRST, "activity_id": "act_10"}) is None
    assert h.gmail.sent == [], "a throttled mailbox is not asked again before its time"
    second = h.postponed.resent[1][2]
    assert second > not_before, "each waiting email has its own slot"
    h.world.clock.advance(not_before - start)
    assert h.deliver(FIRST, not_before=not_before) is SendOutcome.SENT
    assert h.email().not_before is None


def test_a_message_back_before_its_turn_goes_round_again_without_reading_anything(h: Harness) -> None:
    due = h.world.clock().timestamp() + 3600
    h.world.connection = None  # any read would park it as not connected
    assert h.deliver(FIRST, not_before=due) is None
    [(_, delay_s, not_before)] = h.postponed.resent
    assert (delay_s, not_before) == (900, due), "15 minutes at most per hop, the target kept"
    assert h.world.emails == {}


def test_a_wait_of_hours_parks_like_the_daily_limit(h: Harness) -> None:
    h.gmail.errors.append(RateLimitedError(6 * 3600))
    assert h.deliver(FIRST) is SendOutcome.PARKED
    assert h.email().reason == "daily_limit_reached"
    assert h.world.paused_until == h.world.clock() + timedelta(hours=6)


def test_daily_limit_parks_this_email_and_the_next_ones_without_asking_gmail(h: Harness) -> None:
    h.gmail.errors.append(DailyLimitError())
    assert h.deliver(FIRST) is SendOutcome.PARKED
    assert h.email().status is EmailStatus.EMAIL_READY
    assert h.email().reason == "daily_limit_reached"
    second = {**FIRST, "activity_id": "act_10"}
    assert h.deliver(second) is SendOutcome.PARKED
    assert h.gmail.sent == []
    h.world.clock.advance(24 * 3600 + 1)
    assert h.deliver(second) is SendOutcome.SENT


def test_invalid_grant_parks_needing_reconnect_and_never_loops(h: Harness) -> None:
    h.gmail.errors.append(AuthorizationLostError("token_revoked"))
    assert h.deliver(FIRST) is SendOutcome.PARKED
    assert h.email().reason == "gmail_needs_reconnect"
    assert h.world.authorization_losses == ["token_revoked"]
    assert h.deliver({**FIRST, "activity_id": "act_10"}) is SendOutcome.PARKED
    assert h.world.authorization_losses == ["token_revoked"], "the gate now parks without calling Gmail"


def test_a_permanent_refusal_fails_with_words_a_person_can_act_on(h: Harness) -> None:
    h.gmail.errors.append(PermanentError(400, "invalidArgument", "Invalid To header"))
    assert h.deliver(FIRST) is SendOutcome.FAILED
    assert h.email().reason == "invalid_recipient"
    assert DetailType.EMAIL_FAILED in h.kinds()


def test_transient_errors_give_the_claim_back_and_retry(h: Harness) -> None:
    h.gmail.errors.append(TransientError("503"))
    with pytest.raises(TransientError):
        h.deliver(FIRST)
    assert h.email().status is EmailStatus.EMAIL_READY
    assert h.deliver(FIRST) is SendOutcome.SENT


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda w: setattr(w, "connection", None), "gmail_not_connected"),
        (lambda w: setattr(w, "billing", BillingStatus.PAST_DUE), "billing_past_due"),
        (lambda w: w.inactive_agents.add("ag_3"), "agent_inactive"),
    ],
)
def test_each_gate_parks_with_its_reason(h: Harness, setup, reason: str) -> None:
    setup(h.world)
    assert h.deliver(FIRST) is SendOutcome.PARKED
    assert h.email().reason == reason
    assert h.kinds() == [DetailType.EMAIL_PARKED]
    assert h.deliver(FIRST) is SendOutcome.ALREADY_PARKED
    assert h.kinds() == [DetailType.EMAIL_PARKED]
    assert h.gmail.sent == []


def test_an_email_parking_as_its_gate_reopens_goes_round_again_instead_of_waiting_for_no_redrive(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an inactive agent that is set active right after the worker read it (the reopen's re-drive ran already)
    h.world.inactive_agents.add("ag_3")
    ledger = h.world.ledger
    park = ledger.park

    def park_then_reopen(*args: object, **kwargs: object) -> bool:
        changed = park(*args, **kwargs)  # type: ignore[arg-type]
        h.world.inactive_agents.discard("ag_3")
        return changed

    monkeypatch.setattr(ledger, "park", park_then_reopen)
    # When the delivery parks it, the message goes round again at once, and that round sends it
    assert h.deliver(FIRST) is None
    assert len(h.postponed.resent) == 1
    monkeypatch.setattr(ledger, "park", park)
    assert h.deliver(FIRST) is SendOutcome.SENT
    assert len(h.gmail.sent) == 1


def test_a_follow_up_joins_the_thread_with_the_real_message_id(h: Harness) -> None:
    h.deliver({**FIRST, "activity_id": "act_7", "subject": "Following up"})
    h.gmail.headers_of["m1"]["message-id"] = "<gmail-replaced@mail.gmail.com>"
    assert h.deliver({**VALID, "subject": "Checking in"}) is SendOutcome.SENT
    raw, thread_id = h.gmail.sent[1]
    assert thread_id == "t1"
    sent = message_from_bytes(raw, policy=default)
    assert sent["In-Reply-To"] == "<gmail-replaced@mail.gmail.com>"
    assert sent["Subject"] == "Re: Following up"
    assert h.email("act_7").rfc_message_id == "<gmail-replaced@mail.gmail.com>"
    # Kept: a second follow-up does not read it again.
    h.deliver({**VALID, "activity_id": "act_11"})
    assert h.gmail.header_reads == ["m1"]


def test_a_follow_up_waits_for_the_email_it_follows(h: Harness) -> None:
    h.world.inactive_agents.add("ag_other")
    h.deliver({**FIRST, "activity_id": "act_7", "agent_id": "ag_other"})
    assert h.deliver(VALID) is None
    assert h.email().wait_reason == "earlier_email_not_sent"
    assert h.postponed.resent[0][1] == 60
    assert h.gmail.sent == []


def test_reusing_an_activity_id_for_another_email_is_refused(h: Harness) -> None:
    h.deliver(FIRST)
    assert h.deliver({**FIRST, "subject": "Something else entirely"}) is None
    assert len(h.dead.letters) == 1
    assert h.email().subject == "Following up"
    assert len(h.gmail.sent) == 1


def test_a_message_that_can_never_be_valid_goes_to_the_dlq(h: Harness) -> None:
    assert h.deliver("not json") is None
    assert [letter[0] for letter in h.dead.letters] == ["not json"]
