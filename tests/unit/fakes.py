"""In-memory stand-ins for the ports, so use cases are tested without AWS or Google."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import (
    PARK_REASON_MESSAGES,
    EmailRecord,
    EmailStatus,
    Gates,
    ParkReason,
)
from gmail_integration.models.events import ServiceEvent


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeEmails:
    records: dict[tuple[str, str], EmailRecord] = field(default_factory=dict)

    def get(self, workspace_id: str, activity_id: str) -> EmailRecord | None:
        return self.records.get((workspace_id, activity_id))

    def park(self, command: SendEmailV1, reason: ParkReason, now: datetime) -> bool:
        key = (command.workspace_id, command.activity_id)
        existing = self.records.get(key)
        if existing and (existing.status is not EmailStatus.EMAIL_READY or existing.reason == reason.value):
            return False
        self.records[key] = EmailRecord(
            workspace_id=command.workspace_id,
            activity_id=command.activity_id,
            agent_id=command.agent_id,
            status=EmailStatus.EMAIL_READY,
            reason=reason.value,
            reason_message=PARK_REASON_MESSAGES[reason],
            to_email=command.to.email,
            subject=command.subject,
            approved_at=command.approved_at,
            updated_at=now,
            command=command.model_dump_json(),
        )
        return True

    def mark_invalid(self, workspace_id: str, activity_id: str, reason_message: str, now: datetime) -> bool:
        existing = self.records.get((workspace_id, activity_id))
        if existing and existing.status not in (EmailStatus.EMAIL_READY, EmailStatus.FAILED):
            return False
        self.records[(workspace_id, activity_id)] = EmailRecord(
            workspace_id=workspace_id,
            activity_id=activity_id,
            agent_id=existing.agent_id if existing else "",
            status=EmailStatus.FAILED,
            reason="invalid_message",
            reason_message=reason_message,
            to_email=existing.to_email if existing else "",
            subject=existing.subject if existing else "",
            approved_at=existing.approved_at if existing else now,
            updated_at=now,
        )
        return True


@dataclass
class FakeGates:
    gates: Gates = field(default_factory=lambda: Gates(connection_status="connected"))  # type: ignore[arg-type]

    def read(self, workspace_id: str, agent_id: str) -> Gates:
        return self.gates


@dataclass
class FakeEvents:
    published: list[ServiceEvent] = field(default_factory=list)

    def publish(self, *events: ServiceEvent) -> None:
        self.published.extend(events)


@dataclass
class FakeDeadLetters:
    letters: list[tuple[str, str]] = field(default_factory=list)

    def dead_letter(self, body: str, reason: str) -> None:
        self.letters.append((body, reason))
