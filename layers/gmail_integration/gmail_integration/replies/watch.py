"""Gmail push watches: started on connect, renewed daily by the schedule, stopped on disconnect.

A watch that cannot be started or renewed is not an error the user sees: it is recorded as failed, and the
safety-net schedule polls that mailbox every minute until a renewal succeeds, so no reply waits on push.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from gmail_integration.models.authorization import Connected
from gmail_integration.models.domain import ConnectionStatus
from gmail_integration.models.gmail_errors import GmailError
from gmail_integration.observability import count, logger
from gmail_integration.replies.ports import CompletesConnect, Disconnects, PollConnections, Watches, WatchingGmail

WATCHED_LABELS = ("INBOX",)
"""Replies, auto-replies and bounces all land in the inbox; sent mail and label edits elsewhere wake nothing."""


@dataclass(frozen=True)
class WatchMailbox:
    connections: PollConnections
    gmail: WatchingGmail
    watches: Watches
    topic: str
    clock: Callable[[], datetime]

    def __call__(self, workspace_id: str) -> bool:
        """Starts or renews the watch; True when Gmail accepted it."""
        connection = self.connections.get(workspace_id)
        if connection is None or connection.status is not ConnectionStatus.CONNECTED or not connection.email:
            return False
        previous = self.watches.states([workspace_id]).get(workspace_id)
        if previous is not None and previous.email and previous.email != connection.email.lower():
            # Another account was connected: the old address's notifications must find no workspace.
            self.watches.remove(workspace_id, previous.email)
        try:
            expiration_ms = self.gmail.watch(connection, self.topic, WATCHED_LABELS)
        except GmailError as exc:
            self.watches.record_failure(workspace_id, self.clock())
            count("WatchFailures")
            logger.warning(
                "gmail watch failed; the mailbox is polled every minute", extra={"error": type(exc).__name__}
            )
            return False
        self.watches.record(workspace_id, connection.email, expiration_ms, self.clock())
        logger.info("gmail watch renewed", extra={"workspace_id": workspace_id, "expiration_ms": expiration_ms})
        return True

    def stop(self, workspace_id: str) -> None:
        """Stops push for the workspace's mailbox (best effort at Google; always here)."""
        connection = self.connections.get(workspace_id)
        watched = self.watches.states([workspace_id]).get(workspace_id)
        email = connection.email if connection is not None else None
        if (
            watched is not None
            and connection is not None
            and connection.status is ConnectionStatus.CONNECTED
            and connection.refresh_token_ciphertext
        ):
            try:
                self.gmail.stop_watch(connection)
            except GmailError as exc:
                logger.info("gmail watch stop failed", extra={"error": type(exc).__name__})
        self.watches.remove(workspace_id, email or (watched.email if watched else None))


@dataclass(frozen=True)
class ConnectThenWatch:
    """Connecting starts the watch; a watch that fails leaves the connection intact (the schedule retries)."""

    connect: CompletesConnect
    watch: WatchMailbox

    def __call__(self, state: str | None, code: str | None, error: str | None, cookies: Mapping[str, str]) -> Connected:
        connected = self.connect(state, code, error, cookies)
        self.watch(connected.workspace_id)
        return connected


@dataclass(frozen=True)
class StopThenDisconnect:
    """The watch is stopped while the token still works; disconnecting revokes it."""

    disconnect: Disconnects
    watch: WatchMailbox

    def __call__(self, workspace_id: str) -> None:
        self.watch.stop(workspace_id)
        self.disconnect(workspace_id)
