"""Every minute (EventBridge schedule): one poll job per connected mailbox onto the poll queue.

The same function takes the shards of a tick that an invocation short of time handed off (its shard queue), so a
split tick is finished by the same code with the same run.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from gmail_integration.bootstrap import bootstrap
from gmail_integration.observability import logger, metrics, tracer
from gmail_integration.snapstart import register_hooks

register_hooks("schedule_polls")

processor = BatchProcessor(event_type=EventType.SQS)


def _seconds_left(context: LambdaContext | None) -> float:
    return context.get_remaining_time_in_millis() / 1000 if context else float("inf")


def record_handler(record: SQSRecord, lambda_context: LambdaContext | None = None) -> None:
    bootstrap().schedule_polls.handed_off(record.body, lambda: _seconds_left(lambda_context))


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    tick = parse(event=event, model=EventBridgeModel)
    scheduled = bootstrap().schedule_polls(tick.time, tick.id, time_left=lambda: _seconds_left(context))
    return {"scheduled": scheduled}
