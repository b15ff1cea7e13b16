"""SQS adapters: the send queue (re-drive), the poll queue (fan-out) and the send dead-letter queue."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gmail_integration.models.turn_ticket import TICKET_ATTRIBUTE
from gmail_integration.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef, SendMessageBatchRequestEntryTypeDef

_BATCH = 10
_MAX_VISIBILITY_S = 12 * 60 * 60
_MAX_DELAY_S = 15 * 60
NOT_BEFORE = "not_before"
"""The message attribute of a waiting email's message: epoch seconds of its turn."""
_MAX_MESSAGE_BYTES = 256 * 1024
"""SQS counts the body and every attribute's name, type and value towards this."""
_ATTRIBUTES_ROOM = 128
_MAX_DEDUP_ID = 128


def deduplication_id(workspace_id: str, occasion: str) -> str:
    """The mailbox and the occasion (SQS allows 128 characters: a longer one is hashed, still one per pair)."""
    plain = f"{workspace_id}:{occasion}"
    return plain if len(plain) <= _MAX_DEDUP_ID else hashlib.sha256(plain.encode()).hexdigest()


class QueueSendError(Exception):
    """SQS refused some messages; the caller's unit of work fails and is retried, so nothing is lost."""


class SqsQueue:
    def __init__(self, client: SQSClient, url: str) -> None:
        self._client = client
        self._url = url

    def send_many(self, bodies: Sequence[str]) -> None:
        for start in range(0, len(bodies), _BATCH):
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start : start + _BATCH])
            ]
            answer = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
            failed = answer.get("Failed", [])
            if failed:
                raise QueueSendError(f"SQS refused {len(failed)} message(s): {sorted({f['Code'] for f in failed})}")

    def send_later(self, body: str, delay_s: int, not_before: float, ticket: str | None = None) -> None:
        """The same body again, visible after ``delay_s`` (SQS allows 15 minutes); ``not_before`` says when it is
        really due, so a longer wait chains without reading the table; ``ticket`` lets that turn skip the read. A
        ticket that would take the message past SQS's size limit is left off (the turn reads instead)."""
        attributes: dict[str, MessageAttributeValueTypeDef] = {
            NOT_BEFORE: {"DataType": "Number", "StringValue": f"{not_before:.3f}"}
        }
        if ticket and len(body.encode()) + len(ticket.encode()) + _ATTRIBUTES_ROOM <= _MAX_MESSAGE_BYTES:
            attributes[TICKET_ATTRIBUTE] = {"DataType": "String", "StringValue": ticket}
        self._client.send_message(
            QueueUrl=self._url,
            MessageBody=body,
            DelaySeconds=max(0, min(int(delay_s), _MAX_DELAY_S)),
            MessageAttributes=attributes,
        )

    def postpone(self, receipt_handle: str, seconds: float) -> None:
        """Makes a received message visible again after ``seconds`` (SQS allows up to 12 hours)."""
        self._client.change_message_visibility(
            QueueUrl=self._url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(0, min(int(seconds), _MAX_VISIBILITY_S)),
        )


class SqsPollJobs:
    """Poll jobs, one per mailbox; on a FIFO queue grouped by workspace so a mailbox is never polled twice at once."""

    def __init__(self, client: SQSClient, url: str) -> None:
        self._client = client
        self._url = url
        self._fifo = url.endswith(".fifo")

    def enqueue(self, workspace_ids: Sequence[str], occasion: str) -> None:
        for start in range(0, len(workspace_ids), _BATCH):
            entries: list[SendMessageBatchRequestEntryTypeDef] = []
            for i, workspace_id in enumerate(workspace_ids[start : start + _BATCH]):
                entry: SendMessageBatchRequestEntryTypeDef = {
                    "Id": str(i),
                    "MessageBody": json.dumps({"workspace_id": workspace_id}),
                }
                if self._fifo:
                    entry["MessageGroupId"] = workspace_id
                    entry["MessageDeduplicationId"] = deduplication_id(workspace_id, occasion)
                entries.append(entry)
            answer = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
            failed = answer.get("Failed", [])
            if failed:
                raise QueueSendError(f"SQS refused {len(failed)} poll job(s): {sorted({f['Code'] for f in failed})}")


class SqsTickHandoff:
    """Parts of a poll tick, onto the scheduler's own shard queue (a standard queue: order does not matter)."""

    def __init__(self, client: SQSClient, url: str) -> None:
        self._queue = SqsQueue(client, url)

    def hand_off(self, bodies: Sequence[str]) -> None:
        self._queue.send_many(bodies)


class SqsDeadLetters:
    """Puts a message that can never succeed on the dead-letter queue at once, with its reason as an attribute."""

    def __init__(self, client: SQSClient, dlq_url: str) -> None:
        self._client = client
        self._dlq_url = dlq_url

    def dead_letter(self, body: str, reason: str) -> None:
        if not self._dlq_url:
            # Without a configured DLQ the message must not be acknowledged: raising keeps it on the queue, whose
            # redrive policy takes it to the DLQ after maxReceiveCount.
            raise RuntimeError("SEND_DLQ_URL is not configured")
        self._client.send_message(
            QueueUrl=self._dlq_url,
            MessageBody=body,
            MessageAttributes={"failure_reason": {"DataType": "String", "StringValue": reason[:1000]}},
        )
        logger.info("message dead-lettered")
