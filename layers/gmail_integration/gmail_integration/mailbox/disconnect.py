"""Disconnecting: Google forgets our grant (best effort, recorded), we forget the token. Idempotent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gmail_integration.events.ports import EventPublisher
from gmail_integration.mailbox.ports import ConnectionRepository, GrantHolders, OAuthProvider, TokenVault
from gmail_integration.models.domain import ConnectionStatus
from gmail_integration.models.events import DetailType, ServiceEvent
from gmail_integration.models.oauth import RevokeOutcome
from gmail_integration.observability import logger

REVOKE_FAILED_MESSAGE = (
    "Google could not confirm that OutSales' access was removed. You can remove OutSales yourself in your Google"
    " Account (Security > Third-party apps)."
)


@dataclass(frozen=True)
class Disconnect:
    oauth: OAuthProvider
    vault: TokenVault
    connections: ConnectionRepository
    events: EventPublisher
    clock: Callable[[], datetime]
    holders: GrantHolders

    def __call__(self, workspace_id: str) -> None:
        connection = self.connections.get(workspace_id)
        if connection is None or connection.status is ConnectionStatus.DISCONNECTED:
            return
        last_error = None
        shared = False
        if connection.email:
            self.holders.release(connection.email, workspace_id)
            shared = self.holders.held_elsewhere(connection.email, workspace_id)
        if shared:
            # Google's grant is per account: revoking here would cut off the other workspace too.
            logger.info("grant kept at Google: another workspace holds this account")
        elif connection.refresh_token_ciphertext:
            outcome = self.oauth.revoke(self.vault.open(workspace_id, connection.refresh_token_ciphertext))
            if outcome is RevokeOutcome.FAILED:
                last_error = REVOKE_FAILED_MESSAGE
            logger.info("token revoked at disconnect", extra={"outcome": outcome.value})
        self.connections.tombstone(workspace_id, self.clock(), last_error)
        self.vault.forget(workspace_id)
        self.events.publish(ServiceEvent(detail_type=DetailType.GMAIL_DISCONNECTED, workspace_id=workspace_id))
        logger.info("gmail disconnected", extra={"workspace_id": workspace_id})
