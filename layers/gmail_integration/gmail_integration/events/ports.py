"""The role a use case needs to announce a state change; the EventBridge adapter plays it in production."""

from __future__ import annotations

from typing import Protocol

from gmail_integration.models.events import ServiceEvent


class EventPublisher(Protocol):
    def publish(self, *events: ServiceEvent) -> None: ...
