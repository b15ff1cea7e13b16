"""Echoes what the front door handed it, and answers in the response shape the query asks for."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

ENV_NAMES = [
    "TABLE_NAME",
    "TABLE_ARN",
    "KMS_KEY_ID",
    "KEY_ARN",
    "EVENT_BUS_NAME",
    "EVENT_BUS_ARN",
    "SEND_QUEUE_URL",
    "SEND_QUEUE_NAME",
    "WORKSPACE_CLAIM",
    "FRONTEND_ORIGIN",
    "GOOGLE_TOKEN_URI",
    "GOOGLE_CLIENT_SECRET_ARN",
    "STAGE_LABEL",
    "AUDIENCES",
    "REGION_AND_ACCOUNT",
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "POWERTOOLS_TRACE_DISABLED",
]


def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    mode = (event.get("queryStringParameters") or {}).get("mode")
    if mode == "raise":
        raise RuntimeError("asked to fail")
    if mode == "inferred":
        return {"inferred": True}
    if mode == "string":
        return "plain words"
    if mode == "binary":
        return {
            "statusCode": 201,
            "headers": {"content-type": "application/octet-stream", "x-count": 3},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": base64.b64encode(bytes(range(256))).decode(),
            "isBase64Encoded": True,
        }
    if mode == "cors":
        return {"statusCode": 200, "headers": {"access-control-allow-origin": "*"}, "body": "{}"}
    if mode == "nonsense":
        return {"statusCode": "two hundred"}
    payload = {
        "event": event,
        "env": {name: os.environ.get(name) for name in ENV_NAMES},
        "context": {
            "function_name": context.function_name,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "aws_request_id": context.aws_request_id,
            "remaining_ms": context.get_remaining_time_in_millis(),
        },
    }
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "x-echo": "1"},
        "body": json.dumps(payload),
    }
