"""API Gateway HTTP API semantics without the network: route selection, payload 2.0 events, responses, CORS.

Pure functions, so the details (header folding, the inferred response format, base64 bodies) can be checked
against AWS's documentation in unit tests without starting anything.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

# ---------- routes ----------


@dataclass(frozen=True)
class Route:
    method: str  # "GET" ... or "ANY"
    path: str  # "/emails/{activity_id}", "/files/{proxy+}" or "$default"
    target: Any  # what the front door invokes (function, authorization)
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names: list[str] = []
        parts = []
        for segment in self.path.strip("/").split("/") if self.path != "$default" else []:
            variable = re.fullmatch(r"\{([^}+]+)(\+?)\}", segment)
            if variable:
                names.append(variable.group(1))
                parts.append("(.+)" if variable.group(2) else "([^/]+)")
            else:
                parts.append(re.escape(segment))
        object.__setattr__(self, "_pattern", re.compile("/" + "/".join(parts)))
        object.__setattr__(self, "_names", tuple(names))

    @property
    def key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.method not in ("ANY", method):
            return None
        if self.path == "$default":
            return {}
        found = self._pattern.fullmatch(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in zip(self._names, found.groups(), strict=True)}

    def specificity(self) -> tuple[int, int, int, int]:
        # API Gateway prefers full literal matches, then path variables, then greedy ones, then $default;
        # a route for the exact method wins over ANY.
        segments = [] if self.path == "$default" else self.path.strip("/").split("/")
        literal = sum(1 for s in segments if not s.startswith("{"))
        greedy = any(s.endswith("+}") for s in segments)
        return (self.path != "$default", not greedy, literal, self.method != "ANY")


def select_route(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    matches = [(route, params) for route in routes if (params := route.match(method, path)) is not None]
    if not matches:
        return None
    return max(matches, key=lambda m: m[0].specificity())


# ---------- requests ----------

# HTTP APIs pass these bodies as text and base64-encode every other one (form posts included).
_TEXT_TYPES = re.compile(r"^\s*(text/[^;]+|application/(json|javascript|xml|[\w.-]+\+(json|xml)))\s*(;.*)?$", re.I)


def is_text(content_type: str | None) -> bool:
    return bool(content_type) and bool(_TEXT_TYPES.match(content_type or ""))


@dataclass(frozen=True)
class IncomingRequest:
    method: str
    raw_path: str  # as received, percent-encoded
    raw_query: str
    headers: list[tuple[str, str]]  # as received, in order, repeated names kept
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ",".join(values) if values else None


def build_event(
    request: IncomingRequest,
    route_key: str,
    path_parameters: dict[str, str],
    authorizer: dict[str, Any] | None,
    *,
    api_id: str,
    account_id: str,
    request_id: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The payload format 2.0 event that API Gateway hands a Lambda proxy integration."""
    headers, cookies = _headers_and_cookies(request)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = _joined(parse_qsl(request.raw_query, keep_blank_values=True))
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = _request_context(
        request, headers, route_key, authorizer, api_id, account_id, request_id, now or datetime.now(UTC)
    )
    if path_parameters:
        event["pathParameters"] = path_parameters
    event.update(_body(request, headers.get("content-type")))
    return event


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Repeated names joined with commas, as API Gateway does for headers and query strings."""
    joined: dict[str, str] = {}
    for key, value in pairs:
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


def _headers_and_cookies(request: IncomingRequest) -> tuple[dict[str, str], list[str]]:
    """Lower-case headers with the X-Forwarded ones API Gateway adds; cookies apart, as format 2.0 carries them."""
    cookies: list[str] = []
    others: list[tuple[str, str]] = []
    for name, value in request.headers:
        if name.lower() == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
        else:
            others.append((name.lower(), value))
    headers = _joined(others)
    host = headers.get("host", "")
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    if ":" in host:
        headers.setdefault("x-forwarded-port", host.rsplit(":", 1)[1])
    return headers, cookies


def _request_context(
    request: IncomingRequest,
    headers: dict[str, str],
    route_key: str,
    authorizer: dict[str, Any] | None,
    api_id: str,
    account_id: str,
    request_id: str,
    now: datetime,
) -> dict[str, Any]:
    domain_name = headers.get("host", "")
    context: dict[str, Any] = {"accountId": account_id, "apiId": api_id}
    if authorizer is not None:
        context["authorizer"] = authorizer
    context.update(
        {
            "domainName": domain_name,
            "domainPrefix": domain_name.split(".", 1)[0].split(":", 1)[0],
            "http": {
                "method": request.method,
                "path": unquote(request.raw_path),
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        }
    )
    return context


def _body(request: IncomingRequest, content_type: str | None) -> dict[str, Any]:
    """Text bodies as they are, anything else base64-encoded, as API Gateway decides by the content type."""
    if not request.body:
        return {"isBase64Encoded": False}
    text = _as_text(request.body) if is_text(content_type) else None
    if text is not None:
        return {"body": text, "isBase64Encoded": False}
    return {"body": base64.b64encode(request.body).decode(), "isBase64Encoded": True}


def _as_text(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


# ---------- responses ----------


@dataclass(frozen=True)
class OutgoingResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class InvalidResponseError(ValueError):
    """The handler returned what API Gateway cannot map (it answers 500 Internal Server Error)."""


def map_response(result: Any) -> OutgoingResponse:
    """Maps a 2.0 response; a result without statusCode is the "inferred" format (200, JSON of the result)."""
    if isinstance(result, dict) and "statusCode" in result:
        try:
            status = int(result["statusCode"])
        except (TypeError, ValueError) as error:
            raise InvalidResponseError(f"statusCode {result['statusCode']!r}") from error
        headers = [(str(k), _header_value(v)) for k, v in (result.get("headers") or {}).items()]
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers.extend((str(name), _header_value(v)) for v in values)
        headers.extend(("set-cookie", str(c)) for c in result.get("cookies") or [])
        body = result.get("body")
        if body is None:
            payload = b""
        elif not isinstance(body, str):
            raise InvalidResponseError("body must be a string")
        elif result.get("isBase64Encoded"):
            try:
                payload = base64.b64decode(body, validate=True)
            except ValueError as error:
                raise InvalidResponseError("isBase64Encoded but the body is not base64") from error
        else:
            payload = body.encode("utf-8")
        return OutgoingResponse(status, headers, payload)
    text = result if isinstance(result, str) else json.dumps(result)
    return OutgoingResponse(200, [("content-type", "application/json")], text.encode("utf-8"))


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def message(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> OutgoingResponse:
    """API Gateway's own answers: {"message": ...} as JSON."""
    return OutgoingResponse(
        status, [("content-type", "application/json"), *(headers or [])], json.dumps({"message": text}).encode()
    )


# ---------- CORS ----------


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def from_config(cls, config: Any) -> Cors | None:
        if not config:
            return None
        if config is True or config == "*":
            return cls(allow_origins=("*",), allow_methods=("*",), allow_headers=("*",))
        if isinstance(config, str):
            return cls(allow_origins=(config.strip("'"),))

        def many(key: str) -> tuple[str, ...]:
            value = config.get(key) or []
            return tuple(str(v) for v in ([value] if isinstance(value, str) else value))

        max_age = config.get("MaxAge")
        return cls(
            allow_origins=many("AllowOrigins"),
            allow_methods=tuple(m.upper() for m in many("AllowMethods")),
            allow_headers=tuple(h.lower() for h in many("AllowHeaders")),
            expose_headers=many("ExposeHeaders"),
            max_age=int(max_age) if max_age is not None else None,
            allow_credentials=str(config.get("AllowCredentials", False)).lower() == "true",
        )

    def origin_allowed(self, origin: str | None) -> bool:
        return origin is not None and ("*" in self.allow_origins or origin in self.allow_origins)

    def _allow_origin_value(self, origin: str) -> str:
        return "*" if "*" in self.allow_origins and not self.allow_credentials else origin

    def preflight(self, origin: str | None, method: str | None, headers: str | None) -> OutgoingResponse:
        """API Gateway answers preflights itself, before routes and authorizers; a mismatch gets no CORS headers."""
        requested = [h.strip().lower() for h in (headers or "").split(",") if h.strip()]
        ok = (
            self.origin_allowed(origin)
            and method is not None
            and ("*" in self.allow_methods or method.upper() in self.allow_methods)
            and ("*" in self.allow_headers or all(h in self.allow_headers for h in requested))
        )
        if not ok or origin is None or method is None:
            return OutgoingResponse(204, [], b"")
        out = [
            ("access-control-allow-origin", self._allow_origin_value(origin)),
            ("access-control-allow-methods", ",".join(self.allow_methods)),
        ]
        if self.allow_headers:
            out.append(("access-control-allow-headers", ",".join(self.allow_headers)))
        if self.max_age is not None:
            out.append(("access-control-max-age", str(self.max_age)))
        if self.allow_credentials:
            out.append(("access-control-allow-credentials", "true"))
        return OutgoingResponse(204, out, b"")

    def decorate(self, origin: str | None, response: OutgoingResponse) -> OutgoingResponse:
        """With CORS configured, API Gateway drops the integration's CORS headers and sets its own."""
        headers = [(k, v) for k, v in response.headers if not k.lower().startswith("access-control-")]
        if origin is not None and self.origin_allowed(origin):
            headers.append(("access-control-allow-origin", self._allow_origin_value(origin)))
            if self.expose_headers:
                headers.append(("access-control-expose-headers", ",".join(self.expose_headers)))
            if self.allow_credentials:
                headers.append(("access-control-allow-credentials", "true"))
        return OutgoingResponse(response.status, headers, response.body)
