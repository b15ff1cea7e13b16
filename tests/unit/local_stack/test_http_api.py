"""API Gateway HTTP API rules, checked without a network: routes, the 2.0 event, responses, CORS."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from local_stack.http_api import (
    Cors,
    IncomingRequest,
    InvalidResponseError,
    Route,
    build_event,
    map_response,
    select_route,
)

ROUTES = [
    Route("GET", "/emails", "list"),
    Route("GET", "/emails/{activity_id}", "one"),
    Route("GET", "/emails/export", "export"),
    Route("ANY", "/emails/export", "export-any"),
    Route("ANY", "/files/{proxy+}", "files"),
    Route("PUT", "/internal/workspaces/{workspace_id}/agents/{agent_id}", "agent"),
]


@pytest.mark.parametrize(
    ("method", "path", "target", "params"),
    [
        ("GET", "/emails", "list", {}),
        ("GET", "/emails/act_1", "one", {"activity_id": "act_1"}),
        ("GET", "/emails/export", "export", {}),
        ("POST", "/emails/export", "export-any", {}),
        ("GET", "/emails/a%2Fb", "one", {"activity_id": "a/b"}),
        ("DELETE", "/files/a/b.txt", "files", {"proxy": "a/b.txt"}),
        ("PUT", "/internal/workspaces/ws_1/agents/ag_2", "agent", {"workspace_id": "ws_1", "agent_id": "ag_2"}),
    ],
)
def test_route_selection_prefers_the_most_specific_route(
    method: str, path: str, target: str, params: dict[str, str]
) -> None:
    selected = select_route(ROUTES, method, path)
    assert selected is not None
    route, found = selected
    assert (route.target, found) == (target, params)


@pytest.mark.parametrize(("method", "path"), [("POST", "/emails"), ("GET", "/emails/a/b"), ("GET", "/nothing")])
def test_no_route_means_none(method: str, path: str) -> None:
    assert select_route(ROUTES, method, path) is None


def test_default_route_catches_the_rest_last() -> None:
    routes = [*ROUTES, Route("ANY", "$default", "default")]
    assert select_route(routes, "GET", "/nothing")[0].target == "default"  # type: ignore[index]
    assert select_route(routes, "GET", "/emails")[0].target == "list"  # type: ignore[index]
    assert Route("ANY", "$default", None).key == "$default"


def request(**overrides: object) -> IncomingRequest:
    values: dict[str, object] = {
        "method": "POST",
        "raw_path": "/emails/act%201",
        "raw_query": "a=1&a=2&b=x+y&empty=",
        "headers": [
            ("Host", "127.0.0.1:4000"),
            ("X-Multi", "one"),
            ("x-multi", "two"),
            ("Cookie", "s=1; t=2"),
            ("Content-Type", "application/json; charset=utf-8"),
            ("User-Agent", "ua/1"),
        ],
        "body": b'{"k": "v"}',
        "source_ip": "127.0.0.1",
    }
    values.update(overrides)
    return IncomingRequest(**values)  # type: ignore[arg-type]


def test_event_follows_payload_format_2_0() -> None:
    now = datetime(2026, 3, 12, 19, 3, 58, 390000, tzinfo=UTC)
    event = build_event(
        request(),
        "POST /emails/{activity_id}",
        {"activity_id": "act 1"},
        {"jwt": {"claims": {"sub": "u"}, "scopes": None}},
        api_id="api",
        account_id="123456789012",
        request_id="rid",
        now=now,
    )
    assert event["version"] == "2.0"
    assert event["rawPath"] == "/emails/act%201"
    assert event["rawQueryString"] == "a=1&a=2&b=x+y&empty="
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y", "empty": ""}
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["headers"]["x-multi"] == "one,two"
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert event["pathParameters"] == {"activity_id": "act 1"}
    assert (event["body"], event["isBase64Encoded"]) == ('{"k": "v"}', False)
    context = event["requestContext"]
    assert context["time"] == "12/Mar/2026:19:03:58 +0000"
    assert context["timeEpoch"] == 1773342238390
    assert context["http"] == {
        "method": "POST",
        "path": "/emails/act 1",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "ua/1",
    }
    assert context["authorizer"] == {"jwt": {"claims": {"sub": "u"}, "scopes": None}}
    assert (context["stage"], context["routeKey"], context["requestId"]) == ("$default", event["routeKey"], "rid")


def test_event_leaves_out_what_the_request_lacks() -> None:
    event = build_event(
        request(raw_query="", headers=[("Host", "h")], body=b""),
        "GET /x",
        {},
        None,
        api_id="api",
        account_id="1",
        request_id="r",
    )
    for absent in ("cookies", "queryStringParameters", "pathParameters", "body"):
        assert absent not in event
    assert "authorizer" not in event["requestContext"]
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize(
    ("content_type", "encoded"),
    [
        ("application/json", False),
        ("text/plain; charset=utf-8", False),
        ("application/problem+json", False),
        ("application/x-www-form-urlencoded", True),
        ("application/octet-stream", True),
        (None, True),
    ],
)
def test_binary_and_form_bodies_are_base64(content_type: str | None, encoded: bool) -> None:
    headers = [("Content-Type", content_type)] if content_type else []
    event = build_event(
        request(headers=headers, body=b"a=1"), "POST /x", {}, None, api_id="a", account_id="1", request_id="r"
    )
    assert event["isBase64Encoded"] is encoded
    assert (base64.b64decode(event["body"]) if encoded else event["body"].encode()) == b"a=1"


def test_formatted_response() -> None:
    response = map_response(
        {
            "statusCode": 302,
            "headers": {"location": "/x", "x-flag": True},
            "cookies": ["a=1", "b=2; HttpOnly"],
            "body": base64.b64encode(b"\x00\x01").decode(),
            "isBase64Encoded": True,
        }
    )
    assert response.status == 302
    assert ("location", "/x") in response.headers
    assert ("x-flag", "true") in response.headers
    assert [v for k, v in response.headers if k == "set-cookie"] == ["a=1", "b=2; HttpOnly"]
    assert response.body == b"\x00\x01"


@pytest.mark.parametrize(
    ("result", "body"),
    [({"a": 1}, b'{"a": 1}'), ([1, 2], b"[1, 2]"), ("words", b"words"), (None, b"null"), (7, b"7")],
)
def test_inferred_response(result: object, body: bytes) -> None:
    response = map_response(result)
    assert (response.status, response.body) == (200, body)
    assert response.headers == [("content-type", "application/json")]


@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": "abc"},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "body": "%%", "isBase64Encoded": True},
    ],
)
def test_unmappable_responses_are_refused(result: object) -> None:
    with pytest.raises(InvalidResponseError):
        map_response(result)


CORS = Cors.from_config(
    {
        "AllowOrigins": ["https://app.example"],
        "AllowMethods": ["GET", "POST"],
        "AllowHeaders": ["Authorization", "Content-Type"],
        "MaxAge": 600,
    }
)


def test_preflight_for_an_allowed_origin_method_and_headers() -> None:
    assert CORS is not None
    answer = CORS.preflight("https://app.example", "POST", "authorization, content-type")
    headers = dict(answer.headers)
    assert answer.status == 204
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-allow-methods"] == "GET,POST"
    assert headers["access-control-allow-headers"] == "authorization,content-type"
    assert headers["access-control-max-age"] == "600"


@pytest.mark.parametrize(
    ("origin", "method", "headers"),
    [
        ("https://evil.example", "GET", ""),
        ("https://app.example", "DELETE", ""),
        ("https://app.example", "GET", "x-other"),
    ],
)
def test_preflight_mismatch_gets_no_cors_headers(origin: str, method: str, headers: str) -> None:
    assert CORS is not None
    answer = CORS.preflight(origin, method, headers)
    assert (answer.status, answer.headers) == (204, [])


def test_decorate_replaces_the_integrations_cors_headers() -> None:
    assert CORS is not None
    response = map_response({"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"}, "body": ""})
    ours = dict(CORS.decorate("https://app.example", response).headers)
    assert ours == {"access-control-allow-origin": "https://app.example"}
    assert CORS.decorate("https://evil.example", response).headers == []
