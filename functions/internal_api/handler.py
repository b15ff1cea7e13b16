"""Internal routes (IAM-signed) through which billing and agent systems open and close the send gates."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from gmail_integration.bootstrap import bootstrap
from gmail_integration.http.resolver import make_resolver
from gmail_integration.http.strict_body import refuse_malformed_body
from gmail_integration.models.api import AgentUpdate, BillingUpdate, GateAnswer
from gmail_integration.models.types import Identifier
from gmail_integration.observability import logger, metrics, tracer

app = make_resolver(frontend_origin=None)


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


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refuse_malformed_body(event) or app.resolve(event, context)
