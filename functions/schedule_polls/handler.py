"""Every minute (EventBridge schedule): one poll job per connected mailbox onto the poll queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from gmail_integration.bootstrap import bootstrap
from gmail_integration.observability import logger, metrics, tracer
from gmail_integration.snapstart import register_hooks

register_hooks("schedule_polls")


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    tick = parse(event=event, model=EventBridgeModel)
    return {"scheduled": bootstrap().schedule_polls(tick.time)}
