"""The composition root: the one place that builds real adapters and hands them to the use cases.

Built once per warm container (``bootstrap()`` is cached), so clients and caches live across invocations.
Tests build a ``Container`` with fakes, or let ``bootstrap()`` wire the real adapters against the local stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import boto3

from gmail_integration.dal.connections import DynamoConnectionRepository
from gmail_integration.dal.emails import DynamoEmailRepository
from gmail_integration.dal.gates import DynamoGateReader
from gmail_integration.events.eventbridge import EventBridgePublisher
from gmail_integration.mailbox.status import GetMailboxStatus
from gmail_integration.queues import SqsDeadLetters
from gmail_integration.sending.intake import ProcessSendMessage
from gmail_integration.sending.send_email import SendEmail
from gmail_integration.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container:
    settings: Settings
    clock: Callable[[], datetime] = field(default=utc_now)

    # ---- AWS adapters ----
    @cached_property
    def dynamodb(self) -> DynamoDBServiceResource:
        return boto3.resource("dynamodb")

    @cached_property
    def table(self) -> Table:
        return self.dynamodb.Table(self.settings.table_name)

    @cached_property
    def emails(self) -> DynamoEmailRepository:
        return DynamoEmailRepository(self.table)

    @cached_property
    def connections(self) -> DynamoConnectionRepository:
        return DynamoConnectionRepository(self.table)

    @cached_property
    def gates(self) -> DynamoGateReader:
        return DynamoGateReader(self.dynamodb, self.table)

    @cached_property
    def events(self) -> EventBridgePublisher:
        return EventBridgePublisher(boto3.client("events"), self.settings.event_bus_name)

    @cached_property
    def dead_letters(self) -> SqsDeadLetters:
        return SqsDeadLetters(boto3.client("sqs"), self.settings.send_dlq_url)

    # ---- use cases ----
    @cached_property
    def get_mailbox_status(self) -> GetMailboxStatus:
        return GetMailboxStatus(self.connections)

    @cached_property
    def send_email(self) -> SendEmail:
        return SendEmail(emails=self.emails, gates=self.gates, events=self.events, clock=self.clock)

    @cached_property
    def process_send_message(self) -> ProcessSendMessage:
        return ProcessSendMessage(
            send_email=self.send_email, emails=self.emails, dead_letters=self.dead_letters, clock=self.clock
        )


@lru_cache(maxsize=1)
def bootstrap() -> Container:
    return Container(settings=get_settings())
