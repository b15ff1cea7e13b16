"""When Google withdraws the grant: the mailbox needs a reconnect, announced exactly once, never a retry loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gmail_integration.events.ports import EventPublisher
from gmail_integration.mailbox.ports import ConnectionRepository, CredentialsForgetter
from gmail_integration.models.events import DetailType, ServiceEvent
from gmail_integration.observability import count, logger


class PausableConnections(ConnectionRepository, Protocol):
    def pause_sending(self, workspace_id: str, until: datetime) -> None: ...

    def throttle(self, workspace_id: str, until: datetime) -> bool: ...


@dataclass(frozen=True)
class MailboxAuthority:
    connections: PausableConnections
    credentials: CredentialsForgetter
    events: EventPublisher
    clock: Callable[[], datetime]

    def authorization_lost(self, workspace_id: str, reason: str) -> None:
        self.credentials.forget(workspace_id)
        if not self.connections.mark_needs_reconnect(workspace_id, reason, self.clock()):
            return  # another worker already recorded it and told everyone
        self.events.publish(
            ServiceEvent(detail_type=DetailType.GMAIL_AUTHORIZATION_LOST, workspace_id=workspace_id, reason=reason)
        )
        count("AuthorizationLost", reason=reason)
        logger.warning("gmail authorization lost", extra={"workspace_id": workspace_id, "reason": reason})

    def throttle(self, workspace_id: str, until: datetime) -> None:
        self.connections.throttle(workspace_id, until)

    def pause_sending(self, workspace_id: str, until: datetime) -> None:
        self.connections.pause_sending(workspace_id, until)
        logger.warning("daily sending limit reached", extra={"workspace_id": workspace_id, "until": until.isoformat()})
