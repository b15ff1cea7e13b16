"""Pacing Gmail reads to a share of the user's quota, so a long read leaves room for the user's sends and polls.

Gmail allows each user 250 quota units per second; a ``threads.get`` costs 10. A token bucket: up to ``burst_units``
go at once, then the reads wait for the units to come back at ``units_per_s``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

THREADS_GET_UNITS = 10
GMAIL_USER_UNITS_PER_S = 250


@dataclass
class QuotaPacer:
    units_per_s: float
    burst_units: float
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    _tokens: float = field(default=0.0, init=False)
    _at: datetime | None = field(default=None, init=False)

    def take(self, units: float) -> None:
        now = self.clock()
        if self._at is None:
            tokens = self.burst_units
        else:
            tokens = min(self.burst_units, self._tokens + (now - self._at).total_seconds() * self.units_per_s)
        if tokens < units:
            self.sleep((units - tokens) / self.units_per_s)
            tokens, now = units, self.clock()
        self._tokens, self._at = tokens - units, now
