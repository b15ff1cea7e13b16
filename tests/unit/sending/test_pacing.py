"""The pacing arithmetic: the gap only ever lengthens, the cap spreads an hour, and every wait is one turn."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from gmail_integration.models.pacing import GMAIL_PAIR_WINDOW_S, PaceState, WaitReason
from gmail_integration.sending.pacing import (
    GMAIL_SEND_INTERVAL_S,
    INLINE_WAIT_S,
    JITTER,
    TURN_SLACK_S,
    PacePolicy,
    free_at,
    sqs_delay_s,
    turn_for_new,
)

HOUR = 3600.0
NOW = 1_000 * HOUR + 600.0  # ten minutes into a clock hour


@pytest.mark.parametrize("gap", [0.0, 0.2, 2.0, 30.0, 600.0])
def test_the_jitter_only_lengthens_the_gap(gap: float) -> None:
    policy = PacePolicy(min_gap_s=gap, max_per_hour=0)
    rng = random.Random(7)  # noqa: S311 - a seeded draw, not security
    steps = [policy.step(rng) for _ in range(2000)]
    assert min(steps) >= max(gap, GMAIL_SEND_INTERVAL_S) + TURN_SLACK_S, "the slots leave room for a late send"
    assert max(steps) <= max(gap * (1 + JITTER), GMAIL_SEND_INTERVAL_S) + TURN_SLACK_S
    if gap >= 2:
        assert max(steps) - min(steps) > gap * JITTER * 0.8, "the rhythm is not machine-regular"


def test_gmail_s_own_rate_holds_with_the_gap_off() -> None:
    policy = PacePolicy(min_gap_s=0, max_per_hour=0)
    assert policy.gap == 0, "no gap of ours: only Gmail's pair rule"
    assert 2 / GMAIL_PAIR_WINDOW_S < 250 / 100, "two sends per window stay below Gmail's 250 units a second"
    assert 1 / policy.step() < 250 / 100, "the reservations alone never outrun it either"


def test_gmail_s_pair_rule_lets_two_sends_close_together_and_holds_the_third() -> None:
    policy = PacePolicy(min_gap_s=0, max_per_hour=0)
    assert free_at(PaceState(last_send=NOW - 0.01, prev_send=NOW - 5), policy, NOW).at == NOW
    turn = free_at(PaceState(last_send=NOW - 0.01, prev_send=NOW - 0.3), policy, NOW)
    assert (turn.at, turn.reason) == (pytest.approx(NOW + 0.6), WaitReason.MAILBOX_PACE)


def test_an_hourly_cap_spreads_the_reservations_over_the_hour() -> None:
    policy = PacePolicy(min_gap_s=0, max_per_hour=3)
    assert policy.step(random.Random(1))  # noqa: S311 - seeded == pytest.approx(1200)
    slots = [NOW + i * policy.step() for i in range(10)]
    for start in slots:
        assert sum(1 for s in slots if start <= s < start + HOUR) <= 3, "no hour holds more than the cap"


def test_a_workspace_setting_overrides_the_stack_default() -> None:
    assert PacePolicy.of(PaceState(), 30, 100) == PacePolicy(30, 100)
    assert PacePolicy.of(PaceState(min_gap_s=0), 30, 100) == PacePolicy(0, 100)
    assert PacePolicy.of(PaceState(max_per_hour=5), 30, 100) == PacePolicy(30, 5)


def test_a_free_mailbox_sends_now() -> None:
    assert free_at(PaceState(), PacePolicy(30, 100), NOW).at == NOW
    assert free_at(PaceState(last_send=NOW - 31), PacePolicy(30, 100), NOW).at == NOW


def test_the_gap_since_the_last_send_is_a_pace_wait() -> None:
    turn = free_at(PaceState(last_send=NOW - 10), PacePolicy(30, 0), NOW)
    assert (turn.at, turn.reason) == (NOW + 20, WaitReason.MAILBOX_PACE)


def test_a_full_hour_waits_for_the_next_window() -> None:
    state = PaceState(last_send=NOW - 100, window=int(NOW // HOUR), sent_in_window=3)
    turn = free_at(state, PacePolicy(0, 3), NOW)
    assert (turn.at, turn.reason) == ((int(NOW // HOUR) + 1) * HOUR, WaitReason.HOURLY_LIMIT)
    assert free_at(state, PacePolicy(0, 4), NOW).at == NOW, "under the cap"
    assert free_at(state, PacePolicy(0, 0), NOW).at == NOW, "0 is no cap"


def test_gmail_s_429_is_the_same_turn() -> None:
    until = datetime.fromtimestamp(NOW + 45, UTC)
    turn = free_at(PaceState(last_send=NOW - 1), PacePolicy(2, 0), NOW, until)
    assert (turn.at, turn.reason) == (NOW + 45, WaitReason.GMAIL_RATE_LIMIT)


def test_a_new_email_right_after_a_send_waits_for_a_slot_of_its_own() -> None:
    turn = turn_for_new(PaceState(last_send=NOW - 0.1, prev_send=NOW - 50), PacePolicy(0, 0), NOW)
    assert (turn.at, turn.reason) == (pytest.approx(NOW + GMAIL_SEND_INTERVAL_S - 0.1), WaitReason.MAILBOX_PACE)


def test_a_new_email_queues_behind_the_handed_out_slots() -> None:
    state = PaceState(last_send=NOW - 100, next_slot=NOW + 300)
    assert turn_for_new(state, PacePolicy(2, 0), NOW).at == NOW + 300
    assert turn_for_new(PaceState(next_slot=NOW - 5), PacePolicy(2, 0), NOW).at == NOW, "a stale cursor is ignored"


@pytest.mark.parametrize(
    ("until", "expected"), [(NOW, 0), (NOW + 0.2, 0), (NOW + 1.0, 1), (NOW + 61.5, 61), (NOW + 3600, 900)]
)
def test_the_sqs_delay_is_whole_seconds_rounded_down_and_at_most_15_minutes(until: float, expected: int) -> None:
    assert sqs_delay_s(until, NOW) == expected
    assert until - (NOW + expected) <= INLINE_WAIT_S or expected == 900, "back within what the worker sleeps"
