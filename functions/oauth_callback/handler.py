"""Google's redirect after the consent page: completes the connection and answers the popup's result page.

No authorizer: the single-use ``state`` proves which workspace started the flow, and the binding cookie that
``POST /gmail/connect`` set proves this browser started it. The query string holds the authorization code, so
nothing of it is logged.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from gmail_integration.bootstrap import bootstrap
from gmail_integration.http.binding_cookie import cleared_cookie, request_cookies
from gmail_integration.http.popup import page_headers, render_result_page
from gmail_integration.http.resolver import make_resolver
from gmail_integration.models.authorization import ConnectError, binding_cookie_name
from gmail_integration.observability import logger, metrics, tracer
from gmail_integration.settings import get_settings, is_plain_loopback
from gmail_integration.snapstart import register_hooks

app = make_resolver(frontend_origin=None)
register_hooks(
    "states",
    "connections",
    "vault",
    "gmail",
    "events",
    "grant_holders",
    "redrive",
    "watch_mailbox",
    modules=("gmail_integration.mailbox.connect",),
)


@app.get("/gmail/oauth/callback")
def callback() -> Response[str]:
    event = app.current_event
    query = event.query_string_parameters or {}
    settings = get_settings()
    state = query.get("state")
    try:
        connected = bootstrap().complete_connect()(
            state, query.get("code"), query.get("error"), request_cookies(event.get("cookies"))
        )
        page = render_result_page(settings.frontend_origin, email=connected.email)
    except ConnectError as exc:
        page = render_result_page(settings.frontend_origin, error=exc.code.value)
    cookies = []
    if state:
        secure = not is_plain_loopback(settings.oauth_redirect_uri)
        cookies.append(cleared_cookie(binding_cookie_name(state), event.path, secure))
    return Response(status_code=200, headers=page_headers(), body=page, cookies=cookies)


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
