"""What push needs to remember: each mailbox's watch, the push subscriptions, pending deliveries and the faults
a test armed (delay, duplicate, reorder, drop).

Kept in the emulator's `State` behind its lock; the delivery thread (`simulator.py`) does the HTTP outside it.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

WATCH_LIFETIME_MS = 7 * 24 * 3600 * 1000


@dataclass
class Watch:
    email: str
    topic: str
    label_ids: list[str]
    exclude: bool
    expiration_ms: int
    notified_history_id: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Subscription:
    name: str
    topic: str
    endpoint: str
    audience: str
    service_account: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Delivery:
    """One push of one message to one subscription; retried with backoff until the endpoint answers 2xx."""

    message_id: str
    subscription: str
    data: dict[str, Any]
    publish_time: float
    due: float
    attempts: int = 0
    statuses: list[int] = field(default_factory=list)
    acknowledged: bool = False
    dropped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PushFault:
    action: str  # drop | duplicate | delay | reorder
    count: int
    delay_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PUSH_ACTIONS = ("drop", "duplicate", "delay", "reorder")


@dataclass
class PushBook:
    watches: dict[str, Watch] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    pending: list[Delivery] = field(default_factory=list)
    log: list[Delivery] = field(default_factory=list)
    faults: list[PushFault] = field(default_factory=list)
    min_backoff_s: float = 0.2
    max_backoff_s: float = 10.0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1_000_000_000_001))

    def next_message_id(self) -> str:
        return str(next(self._ids))

    def take_fault(self) -> PushFault | None:
        for fault in self.faults:
            if fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None
