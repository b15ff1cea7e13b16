"""Faults armed by tests: the next N calls of a method fail with a given status, or are slowed down."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Fault:
    method: str  # a discovery id ("gmail.users.messages.send"), "oauth.token", ... or "*" for any
    status: int | None  # None: only slow the call down
    count: int
    retry_after: int | None = None
    delay_s: float = 0.0
    delay_after_s: float = 0.0  # the call succeeds, then its answer is held back: a client times out after Google acted
    reason: str | None = None
    message: str | None = None
    error: str | None = None  # OAuth error code for oauth.* faults (invalid_grant, ...)
    error_description: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FaultBook:
    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def take(self, method: str) -> Fault | None:
        """The first armed fault for `method`, consuming one of its count."""
        for fault in self.faults:
            if fault.count > 0 and fault.method in (method, "*"):
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.faults = []
