"""The mailbox pace's promises, held by the in-memory fake and by DynamoDB (moto) alike."""

from __future__ import annotations

from typing import Any

import pytest

from gmail_integration.dal.pacing import DynamoMailboxPace
from gmail_integration.models.pacing import PaceSettings, PaceState
from gmail_integration.sending.ports import MailboxPace
from tests.unit.fake_pace import FakeMailboxPace

WS = "ws_1"
HOUR = 3600.0
NOW = 500_000 * HOUR + 120.25


@pytest.fixture(params=["fake", "dynamodb"])
def pace(request: pytest.FixtureRequest) -> MailboxPace:
    if request.param == "fake":
        return FakeMailboxPace()
    return DynamoMailboxPace(request.getfixturevalue("dynamodb_table"))


def state(pace: MailboxPace) -> PaceState:
    return pace.configure(WS, PaceSettings())


def test_reservations_hand_out_distinct_slots_one_step_apart(pace: MailboxPace) -> None:
    slots = [pace.reserve(WS, NOW, 2.5) for _ in range(4)]
    assert slots == pytest.approx([NOW, NOW + 2.5, NOW + 5, NOW + 7.5], abs=0.002)


def test_a_reservation_never_hands_out_a_slot_before_earliest(pace: MailboxPace) -> None:
    pace.reserve(WS, NOW, 2)
    assert pace.reserve(WS, NOW + 100, 2) == pytest.approx(NOW + 100, abs=0.002), "a cursor behind is moved up"
    assert pace.reserve(WS, NOW, 2) == pytest.approx(NOW + 102, abs=0.002), "a cursor ahead is followed"


@pytest.mark.parametrize("hinted", [True, False])
def test_a_wrong_hint_only_costs_a_retry(pace: MailboxPace, hinted: bool) -> None:
    pace.reserve(WS, NOW + 50, 1)
    hint = PaceState(next_slot=NOW - 10) if hinted else PaceState(next_slot=NOW + 999)
    assert pace.reserve(WS, NOW, 1, hint) == pytest.approx(NOW + 51, abs=0.002)


def test_the_slot_is_taken_only_when_the_gap_has_passed(pace: MailboxPace) -> None:
    taken, after = pace.take(WS, NOW, 2, 0)
    assert taken
    assert (after.last_send, after.sent_in_window) == (pytest.approx(NOW, abs=0.002), 1)
    taken, seen = pace.take(WS, NOW + 1.5, 2, 0, after)
    assert not taken, "a second send 1.5 s later under a 2 s gap"
    assert seen.last_send == pytest.approx(NOW, abs=0.002), "the failure answers the pace as it stands"
    assert pace.take(WS, NOW + 2.0, 2, 0, seen)[0]


def test_with_no_gap_gmail_s_pair_rule_lets_two_sends_in_and_holds_the_third(pace: MailboxPace) -> None:
    assert pace.take(WS, NOW, 0, 0)[0]
    taken, after = pace.take(WS, NOW + 0.05, 0, 0)
    assert taken, "two sends close together: Gmail's moving average allows it"
    assert (after.prev_send, after.last_send) == (pytest.approx(NOW, abs=0.002), pytest.approx(NOW + 0.05, abs=0.002))
    taken, seen = pace.take(WS, NOW + 0.85, 0, 0, after)
    assert not taken, "a third within 0.9 s of the first"
    assert seen.prev_send == pytest.approx(NOW, abs=0.002)
    assert pace.take(WS, NOW + 0.9, 0, 0, seen)[0]


def test_the_hourly_cap_holds_and_a_new_hour_starts_again(pace: MailboxPace) -> None:
    assert pace.take(WS, NOW, 0.45, 2)[0]
    assert pace.take(WS, NOW + 1, 0.45, 2)[0]
    taken, seen = pace.take(WS, NOW + 2, 0.45, 2)
    assert not taken
    assert seen.sent_in_window == 2
    next_hour = (NOW // HOUR + 1) * HOUR
    taken, after = pace.take(WS, next_hour, 0.45, 2, seen)
    assert taken
    assert (after.window, after.sent_in_window) == (int(next_hour // HOUR), 1)


def test_a_stale_window_hint_still_finds_the_right_form(pace: MailboxPace) -> None:
    assert pace.take(WS, NOW, 0.45, 5)[0]
    taken, after = pace.take(WS, NOW + 1, 0.45, 5, PaceState())  # the hint thinks the hour is new
    assert taken
    assert after.sent_in_window == 2


def test_settings_are_kept_per_workspace_and_partly_updated(pace: MailboxPace) -> None:
    assert pace.configure(WS, PaceSettings(min_gap_s=45, max_per_hour=60)).min_gap_s == 45
    after = pace.configure(WS, PaceSettings(min_gap_s=0))
    assert (after.min_gap_s, after.max_per_hour) == (0, 60)
    assert pace.configure("ws_other", PaceSettings()) == PaceState()


def test_the_fake_leaves_the_pace_as_dynamodb_does(dynamodb_table: Any) -> None:
    sides: list[MailboxPace] = [FakeMailboxPace(), DynamoMailboxPace(dynamodb_table)]
    for side in sides:
        side.configure(WS, PaceSettings(min_gap_s=2, max_per_hour=3))
        side.reserve(WS, NOW, 2.3)
        side.reserve(WS, NOW, 2.3)
        side.take(WS, NOW + 0.5, 2, 3)
        side.take(WS, NOW + 1, 2, 3)
        side.take(WS, NOW + 4, 2, 3)
    fake, real = (state(side) for side in sides)
    assert fake == real
