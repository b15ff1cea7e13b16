"""Google's redirect after the consent page: completes the connection and answers the popup's result page.

No authorizer: the single-use ``state`` proves which workspace started the flow. The query string holds the
authorization code, so nothing of it is logged.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from gmail_integration.bootstrap import bootstrap
from gmail_integration.http.popup import page_headers, render_result_page
from gmail_integration.http.resolver import make_resolver
from gmail_integration.models.authorization import ConnectError
from gmail_integration.observability import logger, metrics, tracer
from gmail_integration.settings import get_settings

app = make_resolver(frontend_origin=None)


@app.get("/gmail/oauth/callback")
def callback() -> Response[str]:
    query = app.current_event.query_string_parameters or {}
    origin = get_settings().frontend_origin
    try:
        connected = bootstrap().complete_connect()(query.get("state"), query.get("code"), query.get("error"))
        page = render_result_page(origin, email=connected.email)
    except ConnectError as exc:
        page = render_result_page(origin, error=exc.code.value)
    return Response(status_code=200, headers=page_headers(), body=page)


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
