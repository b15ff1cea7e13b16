"""Every wait of an email is one mechanism: its turn recorded on the email, its message back at that turn.

Through the composition root with fakes (test_send_email.Harness): the pace item and the ledger are the
contract-tested fakes, the clock is fake and a worker's short sleep advances it.
"""

from __future__ import annotations

import itertools
import json

import pytest

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import BillingStatus, EmailStatus
from gmail_integration.models.pacing import GMAIL_PAIR_WINDOW_S, PaceSettings, WaitReason
from gmail_integration.sending.send_email import SendOutcome
from tests.unit.sending import test_send_email as send_suite
from tests.unit.sending.test_send_email import FIRST, Harness

h = send_suite.h
WS = "ws_1"


def email(n: int) -> dict[str, object]:
    return {**FIRST, "activity_id": f"act_{n}"}


def pace(h: Harness, **settings: float) -> None:
    h.world.pace.configure(WS, PaceSettings(**settings))  # type: ignore[arg-type]


def come_back(h: Harness, index: int) -> SendOutcome | None:
    """Delivers the ``index``-th re-sent message at its turn with what it carries, as SQS would after its delay."""
    body, _, not_before = h.postponed.resent[index]
    h.world.clock.advance(max(0.0, not_before - 0.5 - h.world.clock().timestamp()))  # deliver() adds half a second
    return h.deliver(body, not_before=not_before, ticket=h.postponed.tickets[index])


def test_a_burst_gets_distinct_slots_and_each_email_comes_back_once(h: Harness) -> None:
    pace(h, min_gap_s=60)
    assert h.deliver(email(0)) is SendOutcome.SENT
    for n in range(1, 6):
        assert h.deliver(email(n)) is None
    slots = [not_before for _, _, not_before in h.postponed.resent]
    assert slots == sorted(slots)
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    assert all(60 <= g <= 60 * 1.3 + 0.01 for g in gaps), gaps
    for n in range(1, 6):
        waiting = h.email(f"act_{n}")
        assert (waiting.status, waiting.wait_reason) == (EmailStatus.EMAIL_READY, "mailbox_pace")
        assert waiting.not_before is not None
    for index in range(5):
        assert come_back(h, index) is SendOutcome.SENT
    assert len(h.postponed.resent) == 5, "nobody came back twice"
    sends = h.world.pace.taken
    assert min(b - a for a, b in itertools.pairwise(sends)) >= 60
    assert h.postponed.delays == [], "no receive was spent on waiting"


def test_the_first_receive_records_the_email_before_it_waits(h: Harness) -> None:
    pace(h, min_gap_s=600)
    h.deliver(email(0))
    h.deliver(email(1))
    record = h.email("act_1")
    assert (record.status, record.wait_reason) == (EmailStatus.EMAIL_READY, "mailbox_pace")
    assert record.command is not None, "the approved message is kept while it waits"
    assert record.subject == FIRST["subject"]


def test_a_first_receive_never_sleeps_but_a_returning_email_waits_a_close_turn_in_the_worker(h: Harness) -> None:
    pace(h, min_gap_s=0.8)
    h.deliver(email(0))
    assert h.deliver(email(1)) is None, "a first receive records its wait and lets the batch go on"
    [(body, delay_s, not_before)] = h.postponed.resent
    assert delay_s == 0, "a turn under a second away: back at once, the worker sleeps the rest"
    h.world.clock.advance(not_before - 1.1 - h.world.clock().timestamp())  # back 0.6 s early
    assert h.deliver(body, not_before=not_before) is SendOutcome.SENT, "the last fraction is slept in the worker"
    assert len(h.postponed.resent) == 1


def test_the_hourly_cap_sends_the_rest_in_the_next_window(h: Harness) -> None:
    pace(h, min_gap_s=0, max_per_hour=2)
    outcomes = [h.deliver(email(n)) for n in range(3)]
    assert outcomes[:1] == [SendOutcome.SENT]
    waited = [n for n, outcome in enumerate(outcomes) if outcome is None]
    assert waited, "spread over the hour: not all three go out now"
    for index in range(len(h.postponed.resent)):
        assert come_back(h, index) is SendOutcome.SENT
    per_window: dict[int, int] = {}
    for at in h.world.pace.taken:
        per_window[int(at // 3600)] = per_window.get(int(at // 3600), 0) + 1
    assert max(per_window.values()) <= 2
    assert len(h.gmail.sent) == 3


def test_a_returning_email_holds_its_slot_and_does_not_queue_again(h: Harness) -> None:
    pace(h, min_gap_s=60)
    h.deliver(email(0))
    h.deliver(email(1))
    for n in range(2, 10):
        h.deliver(email(n))  # later reservations push the cursor far ahead
    assert come_back(h, 0) is SendOutcome.SENT, "act_1 goes at its own slot, not behind act_9"


def test_a_gate_closed_while_waiting_parks_the_email(h: Harness) -> None:
    pace(h, min_gap_s=60)
    h.deliver(email(0))
    h.deliver(email(1))
    h.world.billing = BillingStatus.PAST_DUE
    assert come_back(h, 0) is SendOutcome.PARKED
    record = h.email("act_1")
    assert (record.reason, record.not_before, record.wait_reason) == ("billing_past_due", None, None)


def test_a_wait_never_overwrites_a_parked_or_final_email(h: Harness) -> None:
    pace(h, min_gap_s=600)
    h.deliver(email(0))
    h.world.billing = BillingStatus.PAST_DUE
    h.deliver(email(1))
    h.world.billing = BillingStatus.CURRENT
    before = h.email("act_1")
    now, reason = h.world.clock(), WaitReason.MAILBOX_PACE
    assert not h.world.ledger.record_wait(SendEmailV1.model_validate(email(1)), now, now, reason, "x")
    assert h.email("act_1") == before, "parked stays parked"
    assert not h.world.ledger.record_wait(SendEmailV1.model_validate(email(0)), now, now, reason, "x")
    assert h.email("act_0").status is EmailStatus.SENT


@pytest.mark.parametrize("gap", [0.0, 0.8, 2.0])
def test_a_burst_never_sends_closer_than_the_gap_nor_faster_than_gmail_s_rate(h: Harness, gap: float) -> None:
    pace(h, min_gap_s=gap)
    for n in range(8):
        h.deliver(email(n))
    index = 0
    while index < len(h.postponed.resent):  # messages come back late (the 8 deliveries took 4 s): some go round
        come_back(h, index)
        index += 1
    sends = h.world.pace.taken
    assert len(sends) == 8
    assert min(b - a for a, b in itertools.pairwise(sends)) >= gap - 1e-6
    assert min(c - a for a, c in zip(sends, sends[2:], strict=False)) >= GMAIL_PAIR_WINDOW_S - 1e-6


def test_a_deferred_first_receive_shows_its_email_and_goes_back_at_once(h: Harness) -> None:
    body = json.dumps(email(3))
    assert h.process.defer(body, None)
    assert h.email("act_3").wait_reason == "in_line"
    [(resent, delay_s, _)] = h.postponed.resent
    assert (resent, delay_s) == (body, 0)
    assert not h.process.defer("not json", None), "an unreadable body is left to the normal path"


def test_an_email_back_late_for_its_turn_keeps_its_place_in_line(h: Harness) -> None:
    pace(h, min_gap_s=10)
    h.deliver(email(0))
    h.deliver(email(1))
    h.deliver(email(2))
    first, second = (not_before for _, _, not_before in h.postponed.resent)
    h.world.clock.advance(first + 5 - 0.5 - h.world.clock().timestamp())
    assert h.deliver(h.postponed.resent[0][0], not_before=first) is SendOutcome.SENT  # 5 s late
    h.world.clock.advance(second - 0.5 - h.world.clock().timestamp())
    assert h.deliver(h.postponed.resent[1][0], not_before=second) is None  # on time, but 10 s have not passed
    again = h.postponed.resent[2][2]
    assert again == pytest.approx(h.world.pace.taken[-1] + 10, abs=0.01), "right after the late send"
    assert again < h.world.pace.read(WS).next_slot, "not behind the slots handed out since"
