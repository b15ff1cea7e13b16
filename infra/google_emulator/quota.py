"""Gmail's per-user quota: units per method, a per-second budget, and the daily sending limit.

Units are those of Google's "Usage limits" page for the Gmail API. Google states the per-user limit as 250
units a second, a moving average that allows short bursts; here it is a token bucket refilled at the limit
per second and holding `burst_s` seconds of it. The daily sending limit is a sliding 24 hours of sent messages.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

UNITS: dict[str, int] = {
    "gmail.users.drafts.create": 10,
    "gmail.users.drafts.delete": 10,
    "gmail.users.drafts.get": 5,
    "gmail.users.drafts.list": 5,
    "gmail.users.drafts.send": 100,
    "gmail.users.drafts.update": 15,
    "gmail.users.getProfile": 1,
    "gmail.users.history.list": 2,
    "gmail.users.labels.create": 5,
    "gmail.users.labels.delete": 5,
    "gmail.users.labels.get": 1,
    "gmail.users.labels.list": 1,
    "gmail.users.labels.patch": 5,
    "gmail.users.labels.update": 5,
    "gmail.users.messages.attachments.get": 5,
    "gmail.users.messages.batchDelete": 50,
    "gmail.users.messages.batchModify": 50,
    "gmail.users.messages.delete": 10,
    "gmail.users.messages.get": 5,
    "gmail.users.messages.import": 25,
    "gmail.users.messages.insert": 25,
    "gmail.users.messages.list": 5,
    "gmail.users.messages.modify": 5,
    "gmail.users.messages.send": 100,
    "gmail.users.messages.trash": 5,
    "gmail.users.messages.untrash": 5,
    "gmail.users.stop": 50,
    "gmail.users.threads.delete": 20,
    "gmail.users.threads.get": 10,
    "gmail.users.threads.list": 10,
    "gmail.users.threads.modify": 10,
    "gmail.users.threads.trash": 10,
    "gmail.users.threads.untrash": 10,
    "gmail.users.watch": 100,
}
DAY_S = 86_400


def units(method: str) -> int:
    if method in UNITS:
        return UNITS[method]
    if method.startswith("gmail.users.settings."):
        return 1 if ".get" in method or method.endswith(".list") else 5
    return 5


@dataclass
class QuotaBook:
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # email -> (units left, at)
    sent: dict[str, deque[float]] = field(default_factory=dict)

    def charge(self, email: str, cost: int, per_second: int, burst_s: float, now: float) -> int | None:
        """Spend `cost` units now, or return the whole seconds to wait until the bucket holds enough."""
        capacity = per_second * max(burst_s, 1.0)
        left, at = self.buckets.get(email, (capacity, now))
        left = min(capacity, left + max(0.0, now - at) * per_second)
        if cost > left:
            self.buckets[email] = (left, now)
            return max(1, math.ceil((cost - left) / per_second)) if per_second > 0 else 60
        self.buckets[email] = (left - cost, now)
        return None

    def send_allowed(self, email: str, limit: int, now: float) -> float | None:
        """None when one more message may go out today; otherwise when the oldest of the day's sends ages out."""
        window = self.sent.setdefault(email, deque())
        while window and window[0] <= now - DAY_S:
            window.popleft()
        if len(window) < limit:
            return None
        return window[0] + DAY_S if window else now + DAY_S

    def record_send(self, email: str, now: float) -> None:
        self.sent.setdefault(email, deque()).append(now)
