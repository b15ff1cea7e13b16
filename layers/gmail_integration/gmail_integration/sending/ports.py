"""The roles the sending use cases need; ``dal``, ``queues`` and ``events`` provide them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailRecord, Gates, ParkReason


class EmailRepository(Protocol):
    def get(self, workspace_id: str, activity_id: str) -> EmailRecord | None: ...

    def park(self, command: SendEmailV1, reason: ParkReason, now: datetime) -> bool: ...

    def mark_invalid(self, workspace_id: str, activity_id: str, reason_message: str, now: datetime) -> bool: ...


class GateReader(Protocol):
    def read(self, workspace_id: str, agent_id: str) -> Gates: ...


class DeadLetters(Protocol):
    def dead_letter(self, body: str, reason: str) -> None: ...
