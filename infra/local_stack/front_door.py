"""The local API Gateway: HTTP in, payload 2.0 events to the same handlers, their 2.0 responses out.

Order of work follows API Gateway's: CORS preflight (answered before routing and authorization), route selection
(404 {"message":"Not Found"}), the route's authorizer (JWT → 401, IAM → 403), then the integration (a handler that
raises or answers nonsense → 500 {"message":"Internal Server Error"}). The local-only routes live under /_local/,
plus GET /openapi.json where OpenAPI tools look for it (local-only too: the deployed API does not publish it).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any

from werkzeug.wrappers import Request, Response

from local_stack import sigv4
from local_stack.http_api import (
    Cors,
    IncomingRequest,
    InvalidResponseError,
    OutgoingResponse,
    Route,
    build_event,
    map_response,
    message,
    select_route,
)
from local_stack.jwt_authority import (
    JwtAuthority,
    JwtAuthorizerConfig,
    Unauthorized,
    claims_as_api_gateway_passes_them,
    scopes_of,
)
from local_stack.lambda_runtime import LocalFunction
from local_stack.schedule import Scheduler

log = logging.getLogger("local_stack.front_door")

API_ID = "outsaleslocal"
LOCAL_PREFIX = "/_local/"
OPENAPI_PATH = "/openapi.json"


@dataclass(frozen=True)
class RouteTarget:
    function: LocalFunction
    authorization: str  # "NONE", "AWS_IAM" or "JWT"
    jwt: JwtAuthorizerConfig | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class IamKey:
    access_key: str
    secret_key: str
    region: str
    account_id: str


class FrontDoor:
    def __init__(
        self,
        routes: list[Route],
        cors: Cors | None,
        authority: JwtAuthority,
        iam: IamKey,
        scheduler: Scheduler,
        openapi: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self._routes = routes
        self._openapi = openapi
        self._cors = cors
        self._authority = authority
        self._iam = iam
        self._scheduler = scheduler

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.monotonic()
        request = _incoming(environ)
        request_id = base64.b64encode(os.urandom(10)).decode().rstrip("=")
        response, target = self._handle(request, request_id)
        response = OutgoingResponse(
            response.status, [*response.headers, ("apigw-requestid", request_id)], response.body
        )
        if not request.raw_path.startswith(LOCAL_PREFIX) or response.status >= 400:
            log.info(
                "%s %s -> %d%s %.0f ms",
                request.method,
                request.raw_path,
                response.status,
                f" ({target})" if target else "",
                (time.monotonic() - started) * 1000,
            )
        out = Response(response.body, status=response.status)
        out.headers.clear()  # no werkzeug default content type: the handler's headers are the whole set
        for name, value in response.headers:
            out.headers.add(name, value)
        out.headers["Content-Length"] = str(len(response.body))
        return out(environ, start_response)

    def _handle(self, request: IncomingRequest, request_id: str) -> tuple[OutgoingResponse, str | None]:
        origin = request.header("origin")
        if (
            self._cors is not None
            and request.method == "OPTIONS"
            and origin is not None
            and request.header("access-control-request-method") is not None
        ):
            preflight = self._cors.preflight(
                origin,
                request.header("access-control-request-method"),
                request.header("access-control-request-headers"),
            )
            return preflight, None
        if request.raw_path.startswith(LOCAL_PREFIX):
            return self._with_cors(origin, self._local(request)), None
        if self._openapi is not None and (request.method, request.raw_path) == ("GET", OPENAPI_PATH):
            return self._with_cors(origin, _json(200, self._openapi())), None
        selected = select_route(self._routes, request.method, request.raw_path)
        if selected is None:
            return self._with_cors(origin, message(404, "Not Found")), None
        route, path_parameters = selected
        target: RouteTarget = route.target
        authorizer, refusal = self._authorize(request, target)
        if refusal is not None:
            return self._with_cors(origin, refusal), route.key
        event = build_event(
            request,
            route.key,
            path_parameters,
            authorizer,
            api_id=API_ID,
            account_id=self._iam.account_id,
            request_id=request_id,
        )
        try:
            response = map_response(target.function.invoke(event))
        except InvalidResponseError as error:
            log.error("%s answered what API Gateway cannot map: %s", target.function.logical_id, error)
            response = message(500, "Internal Server Error")
        except Exception as error:
            log.error("%s failed: %r", target.function.logical_id, error)
            response = message(500, "Internal Server Error")
        return self._with_cors(origin, response), f"{route.key} → {target.function.logical_id}"

    def _with_cors(self, origin: str | None, response: OutgoingResponse) -> OutgoingResponse:
        return self._cors.decorate(origin, response) if self._cors is not None else response

    def _authorize(
        self, request: IncomingRequest, target: RouteTarget
    ) -> tuple[dict[str, Any] | None, OutgoingResponse | None]:
        if target.authorization == "NONE":
            return None, None
        if target.authorization == "AWS_IAM":
            if not ip_address(request.source_ip).is_loopback:
                return None, message(403, "Forbidden")
            try:
                caller = sigv4.verify(
                    request, self._iam.access_key, self._iam.secret_key, self._iam.region, self._iam.account_id
                )
            except sigv4.SignatureError as error:
                log.info("IAM authorization refused %s %s: %s", request.method, request.raw_path, error.message)
                return None, message(403, error.message)
            return caller.authorizer(), None
        assert target.jwt is not None
        try:
            claims = self._authority.verify(request.header(target.jwt.identity_header), target.jwt)
        except Unauthorized as reason:
            log.info("JWT authorizer refused %s %s: %s", request.method, request.raw_path, reason)
            return None, message(401, "Unauthorized", [("www-authenticate", 'Bearer error="invalid_token"')])
        scopes = scopes_of(claims)
        if target.scopes and not set(scopes or []) & set(target.scopes):
            return None, message(403, "Forbidden")
        return {"jwt": {"claims": claims_as_api_gateway_passes_them(claims), "scopes": scopes}}, None

    # ---------- /_local/ ----------

    def _local(self, request: IncomingRequest) -> OutgoingResponse:
        route = (request.method, request.raw_path[len(LOCAL_PREFIX) :])
        if route == ("GET", "jwks.json"):
            return _json(200, self._authority.jwks())
        if route == ("GET", ".well-known/openid-configuration"):
            return _json(200, self._authority.openid_configuration())
        if route == ("POST", "jwt"):
            return self._mint(request)
        if route == ("POST", "schedule"):
            try:
                at = _tick_time(request.body)
            except ValueError as error:
                return message(400, f"time must be an ISO 8601 instant: {error}")
            outcomes = self._scheduler.run_once(at)
            ok = all(o["ok"] for o in outcomes)
            return _json(200 if ok else 500, {"ran": outcomes})
        return message(404, "Not Found")

    def _mint(self, request: IncomingRequest) -> OutgoingResponse:
        try:
            body = json.loads(request.body or b"{}")
            workspace_id = body["workspace_id"]
            user_id = body.get("user_id", "local-user")
            ttl_s = int(body.get("ttl_s", 3600))
            extra = body.get("claims") or {}
            if not isinstance(workspace_id, str) or not workspace_id or not isinstance(user_id, str):
                raise ValueError("workspace_id and user_id must be strings")
            if not isinstance(extra, dict):
                raise ValueError("claims must be an object")
        except (ValueError, KeyError, TypeError) as error:
            return _json(
                400, {"error": "bad_request", "message": f"expected {{workspace_id, user_id, ttl_s?}}: {error}"}
            )
        token = self._authority.mint(workspace_id, user_id, ttl_s, extra)
        return _json(200, {"token": token, "expires_in": ttl_s})


def _json(status: int, payload: Any) -> OutgoingResponse:
    return OutgoingResponse(status, [("content-type", "application/json")], json.dumps(payload).encode())


def _incoming(environ: dict[str, Any]) -> IncomingRequest:
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
    raw_path, _, raw_query = str(raw_uri).partition("?")
    if raw_path.startswith(("http://", "https://")):  # absolute-form request target
        raw_path = "/" + raw_path.split("/", 3)[3] if raw_path.count("/") >= 3 else "/"
    headers: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].replace("_", "-").lower(), str(value)))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append((key.replace("_", "-").lower(), str(value)))
    body = Request(environ).get_data(cache=False)
    return IncomingRequest(
        method=str(environ["REQUEST_METHOD"]).upper(),
        raw_path=raw_path or "/",
        raw_query=raw_query,
        headers=headers,
        body=body,
        source_ip=str(environ.get("REMOTE_ADDR", "127.0.0.1")),
        protocol=str(environ.get("SERVER_PROTOCOL", "HTTP/1.1")),
    )


def _tick_time(body: bytes | None) -> datetime | None:
    """The optional ``{"time": "2026-11-28T10:00:00Z"}`` of POST /_local/schedule."""
    payload = json.loads(body or b"{}") if (body or b"").strip() else {}
    value = payload.get("time") if isinstance(payload, dict) else None
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
