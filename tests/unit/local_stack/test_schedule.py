"""Schedule expressions fire when EventBridge would fire them; the event is EventBridge's Scheduled Event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from local_stack.schedule import Cron, Rate, ScheduleExpressionError, parse, scheduled_event

MOMENT = datetime(2026, 11, 25, 10, 7, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(2 hours)", 7200), ("rate(1 day)", 86400)],
)
def test_rates(expression: str, seconds: int) -> None:
    assert parse(expression) == Rate(seconds)
    assert parse(expression).next_after(MOMENT) == MOMENT + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0/15 * * * ? *)", datetime(2026, 11, 25, 10, 15, tzinfo=UTC)),
        ("cron(0 12 * * ? *)", datetime(2026, 11, 25, 12, 0, tzinfo=UTC)),
        ("cron(30 9 ? * MON-FRI *)", datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
        ("cron(0 8 1 JAN,JUN ? *)", datetime(2027, 1, 1, 8, 0, tzinfo=UTC)),
        ("cron(0 0 ? * 1 *)", datetime(2026, 11, 29, 0, 0, tzinfo=UTC)),  # 1 = Sunday in EventBridge
    ],
)
def test_crons(expression: str, expected: datetime) -> None:
    schedule = parse(expression)
    assert isinstance(schedule, Cron)
    assert schedule.next_after(MOMENT) == expected


@pytest.mark.parametrize(
    "expression", ["every minute", "rate(0 minutes)", "rate(1 week)", "cron(* * * *)", "cron(L * * * ? *)"]
)
def test_refused(expression: str) -> None:
    with pytest.raises(ScheduleExpressionError):
        parse(expression)


def test_scheduled_event_shape() -> None:
    event = scheduled_event("arn:aws:events:us-east-1:123456789012:rule/r", "us-east-1", MOMENT)
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["time"] == "2026-11-25T10:07:30Z"
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/r"]
    assert (event["version"], event["account"], event["region"], event["detail"]) == (
        "0",
        "123456789012",
        "us-east-1",
        {},
    )
