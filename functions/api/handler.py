"""Browser routes behind the JWT authorizer: the Gmail card (connect, status, disconnect), emails and profile."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from gmail_integration.bootstrap import bootstrap
from gmail_integration.http.binding_cookie import binding_cookie
from gmail_integration.http.errors import NotFoundError
from gmail_integration.http.identity import api_domain, current_user, current_workspace
from gmail_integration.http.resolver import make_resolver
from gmail_integration.http.strict_body import refuse_malformed_body
from gmail_integration.models.api import ConnectStarted, EmailPage, EmailView, StatusView
from gmail_integration.models.profile import Profile
from gmail_integration.models.times import iso
from gmail_integration.models.types import Identifier
from gmail_integration.observability import logger, metrics, tracer
from gmail_integration.settings import get_settings
from gmail_integration.snapstart import register_hooks

app = make_resolver(get_settings().frontend_origin)
register_hooks(
    "get_mailbox_status",
    "emails",
    "sender_profiles",
    "states",
    "vault",
    "gmail",
    "events",
    "grant_holders",
    "redrive",
    "watch_mailbox",
    modules=("gmail_integration.mailbox.connect", "gmail_integration.mailbox.disconnect"),
)
Workspace = Annotated[str, Depends(current_workspace)]
User = Annotated[str, Depends(current_user)]
ApiDomain = Annotated[str, Depends(api_domain)]


@app.post("/gmail/connect")
def connect(workspace_id: Workspace, user_id: User, domain: ApiDomain) -> Response[ConnectStarted]:
    started = bootstrap().start_connect()(workspace_id, user_id, domain)
    return Response(
        status_code=200,
        content_type="application/json",
        body=ConnectStarted(authorization_url=started.authorization_url),
        cookies=[binding_cookie(started.binding)],
        headers={"Cache-Control": "no-store"},
    )


@app.get("/gmail/status")
def gmail_status(workspace_id: Workspace) -> StatusView:
    return StatusView(**asdict(bootstrap().get_mailbox_status(workspace_id)))


@app.delete("/gmail/connection")
def disconnect(workspace_id: Workspace) -> StatusView:
    bootstrap().disconnect()(workspace_id)
    return StatusView(**asdict(bootstrap().get_mailbox_status(workspace_id)))


@app.get("/emails")
def list_emails(
    workspace_id: Workspace,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[Identifier | None, Query()] = None,
) -> EmailPage:
    records, next_cursor = bootstrap().emails.list_page(workspace_id, limit, cursor)
    return EmailPage(items=[EmailView.of(r) for r in records], next_cursor=next_cursor)


@app.get("/emails/<activity_id>")
def get_email(workspace_id: Workspace, activity_id: Annotated[Identifier, Path()]) -> EmailView:
    record = bootstrap().emails.get(workspace_id, activity_id)
    if record is None:
        raise NotFoundError("No email with this activity id in your workspace.")
    return EmailView.of(record)


@app.get("/profile")
def get_profile(workspace_id: Workspace) -> Profile:
    return bootstrap().sender_profiles.get(workspace_id)


@app.put("/profile")
def put_profile(workspace_id: Workspace, profile: Annotated[Profile, Body()]) -> Profile:
    container = bootstrap()
    container.sender_profiles.put(workspace_id, profile, iso(container.clock()))
    return profile


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refuse_malformed_body(event) or app.resolve(event, context)
