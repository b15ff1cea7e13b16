"""Upstream decides about a parked email (internal routes): release sends it once, cancel ends it.

Both are idempotent: a release repeated while the email is still parked re-queues the same message (the send path
sends it once), a release of an email already on its way answers as done; a cancel repeated answers as done.
An email that is not parked (in flight, sent, failed) is a conflict, never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gmail_integration.events.ports import EventPublisher
from gmail_integration.models.decisions import Decision
from gmail_integration.models.domain import EmailRecord, EmailStatus
from gmail_integration.models.events import DetailType, ServiceEvent
from gmail_integration.observability import count, logger
from gmail_integration.sending.ports import HeldEmails, SendQueue


def _parked(email: EmailRecord) -> bool:
    return email.status is EmailStatus.EMAIL_READY and email.reason is not None


@dataclass(frozen=True)
class ReleaseParked:
    held: HeldEmails
    queue: SendQueue
    clock: Callable[[], datetime]

    def __call__(self, workspace_id: str, activity_id: str) -> Decision:
        email = self.held.get(workspace_id, activity_id)
        if email is None:
            return Decision.NOT_FOUND
        if email.released and not _parked(email):
            return Decision.DONE  # released before and already on its way
        if not _parked(email) or email.command is None:
            return Decision.NOT_PARKED
        if not self.held.release(workspace_id, activity_id, self.clock()):
            return self(workspace_id, activity_id)  # it moved meanwhile: answer from what it is now
        self.queue.send_many([email.command])
        count("EmailsReleased")
        logger.info("parked email released", extra={"activity_id": activity_id, "reason": email.reason})
        return Decision.DONE


@dataclass(frozen=True)
class CancelParked:
    held: HeldEmails
    events: EventPublisher
    clock: Callable[[], datetime]

    def __call__(self, workspace_id: str, activity_id: str) -> Decision:
        email = self.held.get(workspace_id, activity_id)
        if email is None:
            return Decision.NOT_FOUND
        if email.status is EmailStatus.CANCELLED:
            return Decision.DONE
        if not _parked(email):
            return Decision.NOT_PARKED
        if not self.held.cancel(workspace_id, activity_id, self.clock()):
            return self(workspace_id, activity_id)
        self.events.publish(
            ServiceEvent(
                detail_type=DetailType.EMAIL_CANCELLED,
                workspace_id=workspace_id,
                activity_id=activity_id,
                agent_id=email.agent_id,
            )
        )
        count("EmailsCancelled")
        logger.info("parked email cancelled", extra={"activity_id": activity_id})
        return Decision.DONE
