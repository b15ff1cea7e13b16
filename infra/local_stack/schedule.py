"""EventBridge schedules for the Schedule events: rate() and cron() expressions, ticking and on demand.

Ticks and on-demand runs go through the same function lock, so a test's run never overlaps the minute's tick.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from local_stack.background import BackgroundLoop
from local_stack.lambda_runtime import LocalFunction
from local_stack.options import LOCAL_ACCOUNT_ID

log = logging.getLogger("local_stack.schedule")

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {
    m: i + 1 for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
}
_DAYS = {d: i + 1 for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}  # EventBridge: 1 = Sunday


class ScheduleExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Rate:
    seconds: int

    def next_after(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None  # None = "?" or "*"
    months: frozenset[int]
    days_of_week: frozenset[int] | None
    years: frozenset[int] | None

    def next_after(self, moment: datetime) -> datetime:
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(60 * 24 * 366 * 2):  # two years of minutes at most
            if self.matches(candidate):
                return candidate
            candidate += timedelta(minutes=1)
        raise ScheduleExpressionError("cron expression never fires")

    def matches(self, moment: datetime) -> bool:
        weekday = (moment.isoweekday() % 7) + 1  # Sunday = 1
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.month in self.months
            and (self.days_of_month is None or moment.day in self.days_of_month)
            and (self.days_of_week is None or weekday in self.days_of_week)
            and (self.years is None or moment.year in self.years)
        )


def parse(expression: str) -> Rate | Cron:
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        amount, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if amount < 1:
            raise ScheduleExpressionError(f"{expression}: the rate must be positive")
        return Rate(amount * _UNIT_S[unit])
    cron = _CRON.match(text)
    if not cron:
        raise ScheduleExpressionError(f"{expression}: neither rate(...) nor cron(...)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleExpressionError(f"{expression}: cron needs 6 fields (minutes hours day month weekday year)")
    minutes, hours, dom, month, dow, year = fields
    return Cron(
        minutes=_field(minutes, 0, 59),
        hours=_field(hours, 0, 23),
        days_of_month=None if dom in ("?", "*") else _field(dom, 1, 31),
        months=_field(month, 1, 12, _MONTHS),
        days_of_week=None if dow in ("?", "*") else _field(dow, 1, 7, _DAYS),
        years=None if year in ("?", "*") else _field(year, 1970, 2199),
    )


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    def number(token: str) -> int:
        token = token.upper()
        if names and token in names:
            return names[token]
        if not token.isdigit():
            raise ScheduleExpressionError(f"cron field {text!r}: {token!r} is not supported locally")
        return int(token)

    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = number(first), number(last)
        else:
            start = number(base)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return frozenset(v for v in values if low <= v <= high)


def scheduled_event(rule_arn: str, region: str, now: datetime | None = None) -> dict[str, Any]:
    """EventBridge's "Scheduled Event", as a schedule rule hands it to its Lambda target."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": LOCAL_ACCOUNT_ID,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


@dataclass(frozen=True)
class ScheduledTarget:
    function: LocalFunction
    event_name: str
    expression: Rate | Cron
    rule_arn: str
    input: Any = None  # the event's Input (a JSON string), sent instead of the Scheduled Event when set


class Scheduler(BackgroundLoop):
    def __init__(
        self, targets: list[ScheduledTarget], region: str, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.targets = targets
        self._region = region
        self._clock = clock or (lambda: datetime.now(UTC))
        super().__init__("schedule")

    def start(self) -> None:
        if self.targets:
            super().start()

    def run_once(self, at: datetime | None = None) -> list[dict[str, Any]]:
        """Every scheduled target, synchronously (the /_local/schedule route); one outcome each. ``at`` is the
        events' time (default now): benchmarks replay an hour of ticks in seconds with it."""
        return [self._fire(target, at) for target in self.targets]

    def _fire(self, target: ScheduledTarget, at: datetime | None = None) -> dict[str, Any]:
        event = (
            json.loads(target.input)
            if isinstance(target.input, str)
            else scheduled_event(target.rule_arn, self._region, at or self._clock())
        )
        outcome: dict[str, Any] = {"function": target.function.logical_id, "event": target.event_name}
        try:
            target.function.invoke(event)
            outcome["ok"] = True
        except Exception as error:
            log.warning("%s (%s) failed: %r", target.function.logical_id, target.event_name, error)
            outcome.update(ok=False, error=type(error).__name__)
        return outcome

    def _run(self) -> None:
        now = self._clock()
        due = {id(t): t.expression.next_after(now) for t in self.targets}
        while not self._stop.is_set():
            now = self._clock()
            for target in self.targets:
                if due[id(target)] <= now:
                    self._fire(target)
                    due[id(target)] = target.expression.next_after(self._clock())
            wait = min(due.values()) - self._clock()
            self._stop.wait(max(0.05, min(wait.total_seconds(), 1.0)))
