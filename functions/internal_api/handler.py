"""Internal routes (IAM-signed): billing and agent systems open and close the send gates, release or cancel a
parked email, read or lift the workspace's suppressed addresses, and set the workspace's sending pace."""

from __future__ import annotations

from functools import cache
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import TypeAdapter, ValidationError

from gmail_integration.bootstrap import bootstrap
from gmail_integration.http.errors import ApiError, NotFoundError
from gmail_integration.http.resolver import make_resolver
from gmail_integration.http.strict_body import refuse_malformed_body
from gmail_integration.models.api import (
    AgentUpdate,
    BillingUpdate,
    GateAnswer,
    ParkedDecision,
    SendingPace,
    SendingUpdate,
    SuppressionLifted,
    SuppressionsView,
)
from gmail_integration.models.decisions import Decision
from gmail_integration.models.pacing import PaceSettings
from gmail_integration.models.types import EmailAddress, Identifier
from gmail_integration.observability import logger, metrics, tracer
from gmail_integration.snapstart import register_hooks

app = make_resolver(frontend_origin=None)
register_hooks(
    "set_billing",
    "set_agent_active",
    "release_parked",
    "cancel_parked",
    "held_emails",
    "list_suppressions",
    "lift_suppression",
)


@cache
def _address() -> TypeAdapter[str]:
    """Built by the first lift, not at import: the other routes' cold starts do not pay for it."""
    return TypeAdapter(EmailAddress)


@app.put("/internal/workspaces/<workspace_id>/billing")
def put_billing(workspace_id: Annotated[Identifier, Path()], update: Annotated[BillingUpdate, Body()]) -> GateAnswer:
    return GateAnswer(workspace_id=workspace_id, redriven=bootstrap().set_billing(workspace_id, update.status))


@app.put("/internal/workspaces/<workspace_id>/agents/<agent_id>")
def put_agent(
    workspace_id: Annotated[Identifier, Path()],
    agent_id: Annotated[Identifier, Path()],
    update: Annotated[AgentUpdate, Body()],
) -> GateAnswer:
    redriven = bootstrap().set_agent_active(workspace_id, agent_id, update.active)
    return GateAnswer(workspace_id=workspace_id, redriven=redriven)


@app.put("/internal/workspaces/<workspace_id>/sending")
def put_sending(workspace_id: Annotated[Identifier, Path()], update: Annotated[SendingUpdate, Body()]) -> SendingPace:
    """The mailbox's own pace: the least gap between two sends and the most per clock hour (0 turns either off)."""
    settings = PaceSettings(min_gap_s=update.min_gap_s, max_per_hour=update.max_per_hour)
    policy = bootstrap().set_sending_pace(workspace_id, settings)
    return SendingPace(workspace_id=workspace_id, min_gap_s=policy.min_gap_s, max_per_hour=policy.max_per_hour)


def _decided(workspace_id: str, activity_id: str, decision: Decision) -> ParkedDecision:
    if decision is Decision.NOT_FOUND:
        raise NotFoundError("This workspace has no email for that activity.")
    if decision is Decision.NOT_PARKED:
        raise ApiError(HTTPStatus.CONFLICT, "not_parked", "The email is not parked: it is in flight or already done.")
    email = bootstrap().held_emails.get(workspace_id, activity_id)
    assert email is not None
    return ParkedDecision(workspace_id=workspace_id, activity_id=activity_id, status=email.status)


@app.post("/internal/workspaces/<workspace_id>/emails/<activity_id>/release")
def release_email(
    workspace_id: Annotated[Identifier, Path()], activity_id: Annotated[Identifier, Path()]
) -> ParkedDecision:
    return _decided(workspace_id, activity_id, bootstrap().release_parked(workspace_id, activity_id))


@app.delete("/internal/workspaces/<workspace_id>/emails/<activity_id>")
def cancel_email(
    workspace_id: Annotated[Identifier, Path()], activity_id: Annotated[Identifier, Path()]
) -> ParkedDecision:
    return _decided(workspace_id, activity_id, bootstrap().cancel_parked(workspace_id, activity_id))


@app.get("/internal/workspaces/<workspace_id>/suppressions")
def get_suppressions(workspace_id: Annotated[Identifier, Path()]) -> SuppressionsView:
    return SuppressionsView(suppressions=bootstrap().list_suppressions(workspace_id))


@app.delete("/internal/workspaces/<workspace_id>/suppressions/<address>")
def delete_suppression(
    workspace_id: Annotated[Identifier, Path()], address: Annotated[str, Path(max_length=1000)]
) -> SuppressionLifted:
    """Idempotent: lifting an address that is not (or no longer) suppressed answers ``lifted: false``.

    The address arrives percent-encoded (``%40`` for ``@``) or not, depending on the caller and the gateway.
    """
    try:
        plain = _address().validate_python(unquote(address))
    except ValidationError as exc:
        raise ApiError(HTTPStatus.BAD_REQUEST, "invalid_request", "address is not an email address") from exc
    return SuppressionLifted(address=plain, lifted=bootstrap().lift_suppression(workspace_id, plain))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refuse_malformed_body(event) or app.resolve(event, context)
