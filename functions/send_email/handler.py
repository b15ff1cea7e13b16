"""The send queue's consumer: each approved email is sent once, or parked with its reason; failures retry alone.

A batch never outlives the function's timeout: before each record the handler checks that the time left still
covers one more Gmail call (its HTTP timeout plus a margin for the table and the events). When it does not, that
record and the rest are put on the queue again at once (their email shown waiting), untouched otherwise: nothing
was claimed, so nothing waits on a lease, and no receive is used up. Only if that fails are they reported as
failures, for SQS to hand out again after their visibility timeout.
"""

from __future__ import annotations

import math
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from gmail_integration.bootstrap import bootstrap
from gmail_integration.models.turn_ticket import TICKET_ATTRIBUTE
from gmail_integration.observability import count, logger, metrics, tracer
from gmail_integration.settings import get_settings
from gmail_integration.snapstart import register_hooks

processor = BatchProcessor(event_type=EventType.SQS)
register_hooks("process_send_message")

MARGIN_S = 3.0
"""Beyond the Gmail call itself: reading the send context, the claim, the SENT record and the event."""


class OutOfTimeError(Exception):
    """Not started: the function's remaining time cannot cover one more Gmail call."""


def not_before(record: SQSRecord) -> float | None:
    """The turn a waiting email's message carries (epoch seconds); an unreadable one counts as none."""
    attribute = record.message_attributes["not_before"]
    try:
        value = float(attribute.string_value) if attribute is not None and attribute.string_value else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def ticket(record: SQSRecord) -> str | None:
    """What the read before the wait saw (models/turn_ticket.py); checked where it is used, never trusted."""
    attribute = record.message_attributes[TICKET_ATTRIBUTE]
    return attribute.string_value if attribute is not None else None


def record_handler(record: SQSRecord, lambda_context: LambdaContext | None = None) -> None:
    if lambda_context is not None:
        needed_ms = (get_settings().gmail_http_timeout_s + MARGIN_S) * 1000
        if lambda_context.get_remaining_time_in_millis() < needed_ms:
            count("SendRecordsDeferred")
            logger.warning(
                "record left for a later invocation: not enough time", extra={"message_id": record.message_id}
            )
            # Handed to the queue again at once rather than failed, so a long batch costs no receive.
            if bootstrap().process_send_message.defer(record.body, not_before(record), ticket(record)):
                return
            raise OutOfTimeError(record.message_id)
    bootstrap().process_send_message(
        record.body,
        record.receipt_handle,
        int(record.attributes.approximate_receive_count),
        not_before(record),
        ticket(record),
    )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
