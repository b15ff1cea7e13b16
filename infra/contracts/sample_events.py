"""The sample events under events/ that ``sam local invoke <Function> -e events/<file>.json`` takes.

Written by ``make events`` and committed; tests/unit/contracts/test_sample_events.py parses
each with the parser its handler uses, so a changed contract breaks the samples loudly rather than silently.
Every id is fake and no sample carries a real address, token or authorization code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from contracts.handlers import ROOT

EVENTS = Path("events")
_TIME_EPOCH_MS = 1796025600000  # 2026-11-30T08:00:00Z
_CLAIMS = {
    "sub": "user_1",
    "workspace_id": "ws_demo",
    "iss": "https://auth.outsales.example/",
    "aud": "outsales-web",
    "exp": "1796029200",
    "iat": "1796025600",
}


def http_event(
    method: str,
    route: str,
    path: str,
    *,
    auth: str,
    body: dict[str, Any] | None = None,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """API Gateway HTTP API, payload format 2.0, as the gateway hands it to the function after its authorizer."""
    headers = {"accept": "application/json", "host": "api.outsales.example", "user-agent": "sam-local-sample"}
    if auth == "JWT":
        headers["authorization"] = "Bearer <the web app's JWT>"
        headers["origin"] = "https://app.outsales.example"
    if body is not None:
        headers["content-type"] = "application/json"
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "abcdef1234",
        "domainName": "api.outsales.example",
        "domainPrefix": "api",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.10",
            "userAgent": "sam-local-sample",
        },
        "requestId": "sample-request-1",
        "routeKey": f"{method} {route}",
        "stage": "$default",
        "time": "30/Nov/2026:08:00:00 +0000",
        "timeEpoch": _TIME_EPOCH_MS,
    }
    if auth == "JWT":
        context["authorizer"] = {"jwt": {"claims": _CLAIMS, "scopes": None}}
    elif auth == "IAM":
        context["authorizer"] = {
            "iam": {
                "accessKey": "AKIAIOSFODNN7EXAMPLE",
                "accountId": "123456789012",
                "callerId": "AROAEXAMPLE:billing",
                "principalOrgId": None,
                "userArn": "arn:aws:sts::123456789012:assumed-role/billing-system/billing",
                "userId": "AROAEXAMPLE:billing",
                "cognitoIdentity": None,
            }
        }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {route}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        event["body"] = json.dumps(body)
    return event


def sqs_record(queue: str, body: dict[str, Any], index: int, *, fifo: bool) -> dict[str, Any]:
    attributes = {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": str(_TIME_EPOCH_MS),
        "SenderId": "AROAEXAMPLE:upstream",
        "ApproximateFirstReceiveTimestamp": str(_TIME_EPOCH_MS + 5),
    }
    if fifo:
        attributes |= {
            "MessageGroupId": str(body["workspace_id"]),
            "MessageDeduplicationId": f"{body['workspace_id']}-{_TIME_EPOCH_MS}",
            "SequenceNumber": f"1862761{index:013d}",
        }
    text = json.dumps(body)
    return {
        "messageId": f"0c4b8f4e-5d7a-4b51-9c3e-00000000000{index}",
        "receiptHandle": f"AQEB-sample-receipt-handle-{index}",
        "body": text,
        "attributes": attributes,
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{queue}",
        "awsRegion": "us-east-1",
    }


def _send(activity: str, **extra: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "workspace_id": "ws_demo",
        "activity_id": activity,
        "agent_id": "agent_7",
        "to": {"email": "prospect@example.com", "name": "Pat Prospect"},
        "subject": "Following up on our call",
        "text": "Hi Pat,\n\nThanks for your time today. The proposal is attached as promised.\n",
        "approved_at": "2026-11-30T07:59:00Z",
        **extra,
    }


def _push() -> dict[str, Any]:
    """Pub/Sub's push of a Gmail notification, with the subscription's OIDC token (the function checks it)."""
    notification = {"emailAddress": "sam@company.example", "historyId": "9876"}
    envelope = {
        "message": {
            "data": base64.b64encode(json.dumps(notification).encode()).decode(),
            "messageId": "2070443601311540",
            "publishTime": "2026-11-30T08:00:00.000Z",
        },
        "subscription": "projects/outsales/subscriptions/gmail-push",
    }
    event = http_event("POST", "/gmail/push", "/gmail/push", auth="NONE", body=envelope)
    event["headers"]["authorization"] = "Bearer <Pub/Sub's Google-signed OIDC token>"
    event["headers"]["user-agent"] = "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)"
    return event


def samples() -> dict[str, dict[str, Any]]:
    """File name (without .json) → event. The prefix names the function: api-, internal-, callback-, send-..."""
    profile = {"display_name": "Sam Seller", "signature_text": "Sam Seller\nOutSales", "signature_html": ""}
    return {
        "api-connect": http_event("POST", "/gmail/connect", "/gmail/connect", auth="JWT"),
        "api-status": http_event("GET", "/gmail/status", "/gmail/status", auth="JWT"),
        "api-disconnect": http_event("DELETE", "/gmail/connection", "/gmail/connection", auth="JWT"),
        "api-list-emails": http_event("GET", "/emails", "/emails", auth="JWT", query={"limit": "20"}),
        "api-get-email": http_event(
            "GET",
            "/emails/{activity_id}",
            "/emails/act_1001",
            auth="JWT",
            path_parameters={"activity_id": "act_1001"},
        ),
        "api-get-profile": http_event("GET", "/profile", "/profile", auth="JWT"),
        "api-put-profile": http_event("PUT", "/profile", "/profile", auth="JWT", body=profile),
        "callback": http_event(
            "GET",
            "/gmail/oauth/callback",
            "/gmail/oauth/callback",
            auth="NONE",
            query={"state": "sample-state", "code": "sample-code"},
        ),
        "push": _push(),
        "internal-billing": http_event(
            "PUT",
            "/internal/workspaces/{workspace_id}/billing",
            "/internal/workspaces/ws_demo/billing",
            auth="IAM",
            body={"status": "past_due"},
            path_parameters={"workspace_id": "ws_demo"},
        ),
        "internal-agent": http_event(
            "PUT",
            "/internal/workspaces/{workspace_id}/agents/{agent_id}",
            "/internal/workspaces/ws_demo/agents/agent_7",
            auth="IAM",
            body={"active": True},
            path_parameters={"workspace_id": "ws_demo", "agent_id": "agent_7"},
        ),
        "internal-release": http_event(
            "POST",
            "/internal/workspaces/{workspace_id}/emails/{activity_id}/release",
            "/internal/workspaces/ws_demo/emails/act_1002/release",
            auth="IAM",
            path_parameters={"workspace_id": "ws_demo", "activity_id": "act_1002"},
        ),
        "internal-cancel": http_event(
            "DELETE",
            "/internal/workspaces/{workspace_id}/emails/{activity_id}",
            "/internal/workspaces/ws_demo/emails/act_1002",
            auth="IAM",
            path_parameters={"workspace_id": "ws_demo", "activity_id": "act_1002"},
        ),
        "internal-suppressions": http_event(
            "GET",
            "/internal/workspaces/{workspace_id}/suppressions",
            "/internal/workspaces/ws_demo/suppressions",
            auth="IAM",
            path_parameters={"workspace_id": "ws_demo"},
        ),
        "internal-lift-suppression": http_event(
            "DELETE",
            "/internal/workspaces/{workspace_id}/suppressions/{address}",
            "/internal/workspaces/ws_demo/suppressions/pat%40prospect.com",
            auth="IAM",
            path_parameters={"workspace_id": "ws_demo", "address": "pat%40prospect.com"},
        ),
        "internal-sending": http_event(
            "PUT",
            "/internal/workspaces/{workspace_id}/sending",
            "/internal/workspaces/ws_demo/sending",
            auth="IAM",
            body={"min_gap_s": 45, "max_per_hour": 60},
            path_parameters={"workspace_id": "ws_demo"},
        ),
        "send-email-batch": {
            "Records": [
                sqs_record("outsales-gmail-dev-send", _send("act_1001"), 1, fifo=False),
                sqs_record(
                    "outsales-gmail-dev-send",
                    _send("act_1002", html="<p>Hi Pat,</p><p>The proposal is attached.</p>"),
                    2,
                    fifo=False,
                ),
            ]
        },
        "poll-mailbox-batch": {
            "Records": [
                sqs_record("outsales-gmail-dev-poll.fifo", {"workspace_id": "ws_demo"}, 1, fifo=True),
                sqs_record("outsales-gmail-dev-poll.fifo", {"workspace_id": "ws_other"}, 2, fifo=True),
            ]
        },
        "schedule-polls": {
            "version": "0",
            "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2026-11-30T08:00:00Z",
            "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/outsales-gmail-dev-schedule-polls"],
            "detail": {},
        },
    }


def write(root: Path = ROOT) -> list[Path]:
    folder = root / EVENTS
    folder.mkdir(exist_ok=True)
    written = []
    for name, event in samples().items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(event, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
