"""Publishes service events on the EventBridge bus."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from gmail_integration.models.events import EVENT_SOURCE, ServiceEvent
from gmail_integration.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

_MAX_ENTRIES_PER_CALL = 10


class EventPublishError(Exception):
    """EventBridge refused some entries: the caller's unit of work fails and is retried, so no event is lost."""


class EventBridgePublisher:
    def __init__(self, client: EventBridgeClient, bus_name: str) -> None:
        self._client = client
        self._bus_name = bus_name

    def publish(self, *events: ServiceEvent) -> None:
        entries: list[PutEventsRequestEntryTypeDef] = [
            {
                "Source": EVENT_SOURCE,
                "DetailType": event.detail_type.value,
                "Detail": json.dumps(event.detail(), sort_keys=True),
                "EventBusName": self._bus_name,
            }
            for event in events
        ]
        for start in range(0, len(entries), _MAX_ENTRIES_PER_CALL):
            chunk = entries[start : start + _MAX_ENTRIES_PER_CALL]
            answer = self._client.put_events(Entries=chunk)
            if answer.get("FailedEntryCount", 0):
                codes = sorted({e.get("ErrorCode", "?") for e in answer["Entries"] if "ErrorCode" in e})
                raise EventPublishError(f"EventBridge refused {answer['FailedEntryCount']} event(s): {codes}")
        for event in events:
            logger.info("event published", extra={"detail_type": event.detail_type.value, **event.detail()})
