"""The caller's workspace, read from the claims that API Gateway's JWT authorizer verified.

Never from the body, the query or a header the browser controls: a user can only ever act on their own workspace.
"""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools.event_handler.request import Request
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from pydantic import TypeAdapter, ValidationError

from gmail_integration.http.errors import UnauthorizedError
from gmail_integration.models.types import Identifier
from gmail_integration.settings import get_settings


@cache
def _identifier() -> TypeAdapter[str]:
    """Built on the first request, not at import: a cold start of a route that never reads claims skips it."""
    return TypeAdapter(Identifier)


def workspace_from_claims(claims: dict[str, object], claim: str) -> str:
    value = claims.get(claim)
    try:
        return _identifier().validate_python(value)
    except ValidationError as exc:
        raise UnauthorizedError("Your sign-in does not name a workspace.") from exc


def current_workspace(request: Request) -> str:
    """A Depends() provider for routes behind the JWT authorizer."""
    event = request.resolved_event
    assert isinstance(event, APIGatewayProxyEventV2)
    return workspace_from_claims(event.request_context.authorizer.jwt_claim, get_settings().workspace_claim)


def current_user(request: Request) -> str:
    """The signed-in user (the token's ``sub``), recorded with the connection for the audit trail."""
    event = request.resolved_event
    assert isinstance(event, APIGatewayProxyEventV2)
    return str(event.request_context.authorizer.jwt_claim.get("sub") or "unknown")


def api_domain(request: Request) -> str:
    event = request.resolved_event
    assert isinstance(event, APIGatewayProxyEventV2)
    return event.request_context.domain_name
