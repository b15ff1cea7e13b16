"""The HTTP API resolver every route function uses: validation, CORS and errors in one shape.

A validation failure answers 400 ``invalid_request`` naming the fields (never echoing their values); anything
unexpected answers 500 ``internal_error`` and is logged with its stack, so a caller never sees internals.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from gmail_integration.http.errors import ApiError
from gmail_integration.observability import logger


def error_response(status: HTTPStatus, code: str, message: str) -> Response[dict[str, str]]:
    return Response(
        status_code=status.value,
        content_type="application/json",
        body={"error": code, "message": message},
    )


def _describe(errors: Any) -> str:
    fields = []
    for error in list(errors)[:5]:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        fields.append(f"{'.'.join(location) or 'body'}: {error.get('msg', 'invalid')}")
    return "The request is not valid (" + "; ".join(fields) + ")."


def _api_error(exc: ApiError) -> Response[dict[str, str]]:
    return error_response(exc.status, exc.code, exc.message)


def _invalid(exc: RequestValidationError) -> Response[dict[str, str]]:
    logger.info("request refused", extra={"errors": [e.get("loc") for e in exc.errors()]})
    return error_response(HTTPStatus.BAD_REQUEST, "invalid_request", _describe(exc.errors()))


def _not_found(_: Exception) -> Response[dict[str, str]]:
    return error_response(HTTPStatus.NOT_FOUND, "not_found", "No such route.")


def _unexpected(_: Exception) -> Response[dict[str, str]]:
    logger.exception("request failed")
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong; try again.")


def make_resolver(frontend_origin: str | None) -> APIGatewayHttpResolver:
    cors = None
    if frontend_origin:
        # Credentials: the front end sends POST /gmail/connect with them so the browser-binding cookie is stored.
        cors = CORSConfig(
            allow_origin=frontend_origin, allow_headers=["Authorization", "Content-Type"], allow_credentials=True
        )
    app = APIGatewayHttpResolver(enable_validation=True, cors=cors)
    app.exception_handler(ApiError)(_api_error)
    app.exception_handler(RequestValidationError)(_invalid)
    app.not_found(_not_found)
    app.exception_handler(Exception)(_unexpected)
    return app
