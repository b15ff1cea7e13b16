"""The poll queue's consumer: one mailbox per job; a throttled mailbox retries alone, the others go on."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from gmail_integration.bootstrap import bootstrap
from gmail_integration.observability import logger, metrics, tracer
from gmail_integration.snapstart import register_hooks

processor = SqsFifoPartialProcessor(skip_group_on_error=True)
register_hooks("process_poll_job")


def record_handler(record: SQSRecord, lambda_context: LambdaContext | None = None) -> None:
    # The remaining time lets a long history recovery stop and keep its place instead of being cut off.
    def time_left() -> float:
        return lambda_context.get_remaining_time_in_millis() / 1000 if lambda_context else float("inf")

    bootstrap().process_poll_job(record.body, record.receipt_handle, time_left)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
