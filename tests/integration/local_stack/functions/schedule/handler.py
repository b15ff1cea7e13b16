"""Reports the scheduled event it was handed on the bus, so a test can read it back from the events log."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

events = boto3.client("events")


def lambda_handler(event: dict[str, Any], context: Any) -> None:
    print(json.dumps({"level": "INFO", "message": "schedule ran", "request_id": context.aws_request_id}))
    events.put_events(
        Entries=[
            {
                "Source": "outsales.toy",
                "DetailType": "ScheduleRan",
                "Detail": json.dumps({"event": event, "function": context.function_name}),
                "EventBusName": os.environ["EVENT_BUS_NAME"],
            }
        ]
    )
