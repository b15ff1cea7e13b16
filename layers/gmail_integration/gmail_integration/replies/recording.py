"""Recording what arrived in our threads: shared by the poll and the send path's pre-send thread check, so a reply
found either way is recorded alike (one ``ReplyDetected`` per email and kind, the status moved up only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gmail_integration.events.ports import EventPublisher
from gmail_integration.models.domain import Connection
from gmail_integration.models.events import DetailType, ServiceEvent
from gmail_integration.models.gmail import message_headers
from gmail_integration.models.gmail_errors import GmailNotFoundError
from gmail_integration.observability import count, logger, measure_seconds
from gmail_integration.replies.arrival import Arrival
from gmail_integration.replies.classifier import explain, facts_from_gmail
from gmail_integration.replies.ports import BouncedRecipients, PollingGmail, Replies, Threads
from gmail_integration.replies.restamped import RESTAMP_HEADERS, restamped_activity, worth_a_lookup


def sender_is(connection: Connection, headers: dict[str, str]) -> bool:
    return bool(connection.email) and (connection.email or "").lower() in headers.get("from", "").lower()


def received_at(message: dict[str, Any]) -> datetime | None:
    """When Gmail received the message (``internalDate``, epoch milliseconds), if it says."""
    try:
        return datetime.fromtimestamp(int(message["internalDate"]) / 1000, tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class RecordArrivals:
    replies: Replies
    events: EventPublisher
    clock: Callable[[], datetime]
    bounces: BouncedRecipients | None = None
    gmail: PollingGmail | None = None
    """Reads the thread when a reply names a Message-ID Gmail re-stamped on one of our emails (restamped.py)."""
    threads: Threads | None = None
    """Told when a thread's latest email is answered, so that history recovery no longer looks there."""

    def __call__(self, connection: Connection, arrivals: list[Arrival]) -> set[str]:
        """Records each arrival on the email it answers; answers the kinds seen (recorded now or before)."""
        kinds: set[str] = set()
        for arrival in arrivals:
            headers = message_headers(arrival.message)
            if sender_is(connection, headers):
                continue  # the user answering in the thread from another client
            verdict = explain(facts_from_gmail(arrival.message))
            kind = verdict.kind.value
            activity = self._answered(connection, arrival, headers)
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
                received = received_at(arrival.message)
                if received is not None:  # how long a reply waits in Gmail before the service sees it
                    measure_seconds("ReplyLatency", max(0.0, (self.clock() - received).total_seconds()), kind=kind)
                logger.info(
                    "reply detected",
                    extra={
                        "activity_id": activity,
                        "gmail_message_id": str(arrival.message.get("id", "")),
                        "kind": kind,
                        "signal": verdict.signal.value,
                    },
                )
            self._settle(connection, arrival, activity, kind)
        return kinds

    def _settle(self, connection: Connection, arrival: Arrival, activity: str, kind: str) -> None:
        """A reply or bounce to the thread's latest email ends what recovery could still find there (repeated on
        every sighting, so a crash after the record loses nothing; an auto-reply may still be followed by a reply)."""
        latest = arrival.thread.emails[-1].activity_id if arrival.thread.emails else None
        if self.threads is not None and kind in ("reply", "bounce") and activity == latest:
            self.threads.settle(connection.workspace_id, arrival.thread.thread_id, activity)

    def _answered(self, connection: Connection, arrival: Arrival, headers: dict[str, str]) -> str | None:
        in_reply_to = headers.get("in-reply-to")
        if self.gmail is not None and in_reply_to and worth_a_lookup(arrival.thread, in_reply_to):
            try:
                messages = self.gmail.thread_metadata(connection, arrival.thread.thread_id, RESTAMP_HEADERS)
            except GmailNotFoundError:
                messages = []  # the user deleted the conversation
            found = restamped_activity(messages, in_reply_to, arrival.thread)
            if found is not None:
                return found
        return arrival.thread.answered_by(in_reply_to, headers.get("references"))
