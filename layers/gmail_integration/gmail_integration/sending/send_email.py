"""The send use case: an approved email either goes out through Gmail or waits, visibly, behind a closed gate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gmail_integration.events.ports import EventPublisher
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailStatus
from gmail_integration.models.events import DetailType, ServiceEvent
from gmail_integration.observability import count, logger
from gmail_integration.sending.ports import EmailRepository, GateReader


class SendOutcome(StrEnum):
    PARKED = "parked"
    ALREADY_PARKED = "already_parked"
    ALREADY_HANDLED = "already_handled"


class SendingNotAvailableError(Exception):
    """Every gate is open but this build cannot reach Gmail yet: the message stays on the queue, nothing is lost."""


@dataclass(frozen=True)
class SendEmail:
    emails: EmailRepository
    gates: GateReader
    events: EventPublisher
    clock: Callable[[], datetime]

    def __call__(self, command: SendEmailV1) -> SendOutcome:
        existing = self.emails.get(command.workspace_id, command.activity_id)
        if existing is not None and existing.status is not EmailStatus.EMAIL_READY:
            # A redelivery of an email already on its way or done: one activity, one email.
            logger.info("email already handled", extra={"status": existing.status.value})
            return SendOutcome.ALREADY_HANDLED
        reason = self.gates.read(command.workspace_id, command.agent_id).closed_by()
        if reason is None:
            raise SendingNotAvailableError("sending through Gmail is not available")
        if existing is not None and existing.reason == reason.value:
            return SendOutcome.ALREADY_PARKED
        # Announce first, record second: a crash in between repeats the event (EventBridge is at-least-once
        # anyway) instead of losing it.
        self.events.publish(
            ServiceEvent(
                detail_type=DetailType.EMAIL_PARKED,
                workspace_id=command.workspace_id,
                activity_id=command.activity_id,
                agent_id=command.agent_id,
                reason=reason.value,
            )
        )
        changed = self.emails.park(command, reason, self.clock())
        count("EmailsParked", reason=reason.value)
        logger.info("email parked", extra={"reason": reason.value, "changed": changed})
        return SendOutcome.PARKED
