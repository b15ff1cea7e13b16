"""What the Settings card shows: connected (with the address), disconnected, or needs_reconnect (with why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gmail_integration.mailbox.ports import ConnectionReader
from gmail_integration.models.domain import ConnectionStatus


@dataclass(frozen=True)
class MailboxStatus:
    status: ConnectionStatus
    email: str | None = None
    connected_at: datetime | None = None
    last_error: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class GetMailboxStatus:
    connections: ConnectionReader

    def __call__(self, workspace_id: str) -> MailboxStatus:
        connection = self.connections.get(workspace_id)
        if connection is None:
            return MailboxStatus(status=ConnectionStatus.DISCONNECTED)
        return MailboxStatus(
            status=connection.status,
            email=connection.email,
            connected_at=connection.connected_at,
            last_error=connection.last_error,
            reason=connection.reason,
        )
