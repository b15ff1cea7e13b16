"""The call log: what the service asked of Google, so tests can count calls and check their fidelity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    http_method: str
    path: str
    query: dict[str, list[str]]
    time: float
    method: str = ""
    scopes: list[str] = field(default_factory=list)
    email: str | None = None
    units: int = 0
    status: int = 0
    reason: str | None = None
    discovery_violations: list[str] = field(default_factory=list)
    index: int = -1

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "time": self.time,
            "method": self.method,
            "http_method": self.http_method,
            "path": self.path,
            "query": self.query,
            "scopes": self.scopes,
            "email": self.email,
            "units": self.units,
            "status": self.status,
            "reason": self.reason,
            "discovery_violations": self.discovery_violations,
        }


@dataclass
class CallLog:
    calls: list[Call] = field(default_factory=list)
    offset: int = 0  # index of calls[0]; clearing keeps indexes growing so `since` marks stay valid

    def append(self, call: Call) -> None:
        call.index = self.offset + len(self.calls)
        self.calls.append(call)

    def since(self, index: int) -> list[Call]:
        return [call for call in self.calls if call.index >= index]

    def clear(self) -> None:
        self.offset += len(self.calls)
        self.calls = []

    @property
    def next_index(self) -> int:
        return self.offset + len(self.calls)
