"""Gmail push through a Pub/Sub push subscription: a verified notification becomes a poll job.

No JWT authorizer: the caller is Google's Pub/Sub, which proves itself with a Google-signed OIDC token that the use
case checks (issuer, audience, service account, expiry). It answers 204 quickly; anything but 2xx makes Pub/Sub
retry with backoff, which is what a refused or failed request should get.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from gmail_integration.bootstrap import bootstrap
from gmail_integration.http.resolver import make_resolver
from gmail_integration.models.push import PushRejectedError
from gmail_integration.observability import logger, metrics, tracer
from gmail_integration.snapstart import register_hooks

app = make_resolver(frontend_origin=None)
register_hooks("receive_push")


@app.post("/gmail/push")
def push() -> Response[str]:
    event = app.current_event
    try:
        bootstrap().receive_push(event.headers.get("authorization"), event.decoded_body or "")
    except PushRejectedError as exc:
        body = json.dumps({"error": exc.reason.replace(" ", "_"), "message": "The push was refused."})
        return Response(status_code=exc.status, content_type="application/json", body=body)
    return Response(status_code=204, body="")


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
