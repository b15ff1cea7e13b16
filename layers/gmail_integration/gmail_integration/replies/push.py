"""A Gmail push notification (through a Pub/Sub push subscription) becomes a poll job for its mailbox.

The notification only says "this mailbox changed up to historyId"; the poll worker reads the history as it does
for the schedule, so there is one way replies are read. Jobs are deduplicated per workspace and historyId on the
FIFO poll queue, so Pub/Sub's redeliveries cost nothing more. A notification for an address no workspace has
connected is acknowledged and dropped: refusing it would only make Pub/Sub retry it for days.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError

from gmail_integration.models.domain import ConnectionStatus
from gmail_integration.models.push import Notification, PushEnvelope, PushRejectedError
from gmail_integration.observability import count, logger
from gmail_integration.replies.ports import PollConnections, PollJobs, PushTokens, Watches


class PushOutcome(StrEnum):
    ENQUEUED = "enqueued"
    DROPPED = "dropped"
    STALE = "stale"


def parse_notification(body: str) -> tuple[PushEnvelope, Notification]:
    try:
        envelope = PushEnvelope.model_validate_json(body)
        decoded = base64.b64decode(envelope.message.data, validate=True)
        return envelope, Notification.model_validate(json.loads(decoded))
    except (ValidationError, ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise PushRejectedError(400, "malformed push body") from exc


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise PushRejectedError(401, "missing bearer token")
    return token.strip()


@dataclass(frozen=True)
class ReceivePush:
    tokens: PushTokens
    watches: Watches
    connections: PollConnections
    jobs: PollJobs

    def __call__(self, authorization: str | None, body: str) -> PushOutcome:
        try:
            self.tokens.verify(bearer_token(authorization))
            envelope, notification = parse_notification(body)
        except PushRejectedError as exc:
            count("PushRejected", reason=exc.reason)
            logger.warning("push refused", extra={"status": exc.status, "reason": exc.reason})
            raise
        address = notification.email_address.strip().lower()
        workspace_id = self.watches.workspace_for(address)
        connection = self.connections.get(workspace_id) if workspace_id else None
        if (
            workspace_id is None
            or connection is None
            or connection.status is not ConnectionStatus.CONNECTED
            or (connection.email or "").lower() != address
        ):
            count("PushDropped")
            logger.info(
                "push for an address no workspace watches; dropped", extra={"message_id": envelope.message.message_id}
            )
            return PushOutcome.DROPPED
        if connection.history_id is not None and int(connection.history_id) >= notification.history_id:
            # Late or repeated: the cursor is already past this change, a poll would find nothing.
            return PushOutcome.STALE
        self.jobs.enqueue([workspace_id], f"push-{notification.history_id}")
        count("PushPollJobs")
        logger.info("push enqueued a poll", extra={"workspace_id": workspace_id, "history_id": notification.history_id})
        return PushOutcome.ENQUEUED
