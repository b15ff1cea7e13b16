"""Recording what arrived in our threads: shared by the poll and the send path's pre-send thread check, so a reply
found either way is recorded alike (one ``ReplyDetected`` per email and kind, the status moved up only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gmail_integration.events.ports import EventPublisher
from gmail_integration.models.domain import Connection
from gmail_integration.models.events import DetailType, ServiceEvent
from gmail_integration.models.gmail import message_headers
from gmail_integration.observability import count, logger
from gmail_integration.replies.arrival import Arrival
from gmail_integration.replies.classifier import classify, facts_from_gmail
from gmail_integration.replies.ports import BouncedRecipients, Replies


def sender_is(connection: Connection, headers: dict[str, str]) -> bool:
    return bool(connection.email) and (connection.email or "").lower() in headers.get("from", "").lower()


@dataclass(frozen=True)
class RecordArrivals:
    replies: Replies
    events: EventPublisher
    clock: Callable[[], datetime]
    bounces: BouncedRecipients | None = None

    def __call__(self, connection: Connection, arrivals: list[Arrival]) -> set[str]:
        """Records each arrival on the email it answers; answers the kinds seen (recorded now or before)."""
        kinds: set[str] = set()
        for arrival in arrivals:
            headers = message_headers(arrival.message)
            if sender_is(connection, headers):
                continue  # the user answering in the thread from another client
            kind = classify(facts_from_gmail(arrival.message)).value
            activity = arrival.thread.answered_by(headers.get("in-reply-to"), headers.get("references"))
            if activity is None:
                continue
            kinds.add(kind)
            if kind == "bounce" and self.bounces is not None:
                # Suppress before recording: a crash in between repeats the idempotent suppression, never skips it.
                self.bounces.suppress_bounced(connection.workspace_id, activity, self.clock())
            if self.replies.record_reply(connection.workspace_id, activity, kind, self.clock()):
                self.events.publish(
                    ServiceEvent(
                        detail_type=DetailType.REPLY_DETECTED,
                        workspace_id=connection.workspace_id,
                        activity_id=activity,
                        kind=kind,
                        gmail_message_id=str(arrival.message.get("id", "")),
                        gmail_thread_id=arrival.thread.thread_id,
                    )
                )
                count("RepliesDetected", kind=kind)
                logger.info("reply detected", extra={"activity_id": activity, "kind": kind})
        return kinds
