"""Reports each record it receives as an event on the bus, then fails the records whose body asks for it."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

events = boto3.client("events")  # AWS_ENDPOINT_URL and the region come from the local stack's environment


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    raise_batch = False
    for record in event["Records"]:
        body = json.loads(record["body"])
        detail = {
            "test_id": body.get("test_id"),
            "function": context.function_name,
            "record": {k: v for k, v in record.items() if k != "receiptHandle"},
            "record_keys": sorted(record),
            "batch_size": len(event["Records"]),
            "batch_message_ids": [r["messageId"] for r in event["Records"]],
        }
        events.put_events(
            Entries=[
                {
                    "Source": "outsales.toy",
                    "DetailType": "RecordReceived",
                    "Detail": json.dumps(detail),
                    "EventBusName": os.environ["EVENT_BUS_NAME"],
                }
            ]
        )
        if body.get("fail"):
            failures.append({"itemIdentifier": record["messageId"]})
        raise_batch = raise_batch or bool(body.get("raise"))
    if raise_batch:
        raise RuntimeError("asked to fail the whole batch")
    return {"batchItemFailures": failures}
