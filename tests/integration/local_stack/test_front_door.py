"""The front door behaves as API Gateway's HTTP API does: events, responses, CORS, and both authorizers."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integration.conftest import LocalStack, http


def echo(stack: LocalStack, path: str = "/echo", **kwargs: Any) -> dict[str, Any]:
    answer = stack.api("GET", path, token=stack.jwt("ws_echo"), **kwargs)
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


# ---------- the payload 2.0 event ----------


def test_event_has_the_payload_2_0_shape(toy_stack: LocalStack) -> None:
    # Given a token for a workspace
    token = toy_stack.jwt("ws_shape", user_id="u_shape")

    # When a route with a path parameter is called with a query, cookies and a repeated header
    answer = toy_stack.api(
        "GET",
        "/items/item%201",
        token=token,
        params=[("tag", "a"), ("tag", "b"), ("q", "x y")],
        headers={"Cookie": "c1=v1; c2=v2", "X-Custom": "One", "User-Agent": "shape-test"},
    )

    # Then the handler got API Gateway's 2.0 event
    assert answer.status_code == 200, answer.text
    event = answer.json()["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /items/{item_id}"
    assert event["rawPath"] == "/items/item%201"
    assert event["rawQueryString"] == "tag=a&tag=b&q=x+y"
    assert event["queryStringParameters"] == {"tag": "a,b", "q": "x y"}
    assert event["pathParameters"] == {"item_id": "item 1"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-custom"] == "One"
    assert all(name == name.lower() for name in event["headers"])
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    context = event["requestContext"]
    assert context["accountId"] == toy_stack["account_id"]
    assert context["routeKey"] == "GET /items/{item_id}"
    assert context["stage"] == "$default"
    assert context["http"] == {
        "method": "GET",
        "path": "/items/item 1",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "shape-test",
    }
    assert abs(context["timeEpoch"] / 1000 - time.time()) < 60
    assert datetime.strptime(context["time"], "%d/%b/%Y:%H:%M:%S +0000")
    assert context["requestId"]
    assert context["authorizer"]["jwt"]["claims"]["sub"] == "u_shape"


def test_literal_route_wins_over_a_path_variable_and_greedy_paths_match(toy_stack: LocalStack) -> None:
    assert echo(toy_stack, "/items/mine")["event"]["routeKey"] == "GET /items/mine"
    greedy = toy_stack.api("DELETE", "/files/a/b/c.txt", token=toy_stack.jwt("ws_echo")).json()["event"]
    assert greedy["routeKey"] == "ANY /files/{proxy+}"
    assert greedy["pathParameters"] == {"proxy": "a/b/c.txt"}


def test_json_body_is_text_and_binary_body_is_base64(toy_stack: LocalStack) -> None:
    token = toy_stack.jwt("ws_body")
    as_json = toy_stack.api("POST", "/echo", token=token, json={"hello": "wörld"}).json()["event"]
    assert as_json["body"] == '{"hello": "w\\u00f6rld"}'
    assert as_json["isBase64Encoded"] is False

    raw = bytes(range(256))
    as_bytes = toy_stack.api(
        "POST", "/echo", token=token, body=raw, headers={"Content-Type": "application/octet-stream"}
    ).json()["event"]
    assert as_bytes["isBase64Encoded"] is True
    assert base64.b64decode(as_bytes["body"]) == raw


def test_lambda_context_is_passed(toy_stack: LocalStack) -> None:
    context = echo(toy_stack)["context"]
    assert context["function_name"] == toy_stack["functions"]["EchoFunction"]
    assert context["memory_limit_in_mb"] == 1024  # the function's own MemorySize over Globals'
    assert context["invoked_function_arn"].endswith(f":function:{context['function_name']}")
    assert 0 < context["remaining_ms"] <= 10_000  # Globals Timeout: 10
    assert uuid.UUID(context["aws_request_id"])


# ---------- responses ----------


def test_formatted_response_with_cookies_and_base64_body(toy_stack: LocalStack) -> None:
    answer = toy_stack.api("GET", "/echo", token=toy_stack.jwt("ws_r"), params={"mode": "binary"})
    assert answer.status_code == 201
    assert answer.content == bytes(range(256))
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["x-count"] == "3"
    assert answer.cookies == ["a=1; Path=/", "b=2"]
    assert answer.headers["apigw-requestid"]


def test_inferred_response_format(toy_stack: LocalStack) -> None:
    as_dict = toy_stack.api("GET", "/echo", token=toy_stack.jwt("ws_r"), params={"mode": "inferred"})
    assert (as_dict.status_code, as_dict.json()) == (200, {"inferred": True})
    assert as_dict.headers["content-type"] == "application/json"
    as_text = toy_stack.api("GET", "/echo", token=toy_stack.jwt("ws_r"), params={"mode": "string"})
    assert (as_text.status_code, as_text.text) == (200, "plain words")


@pytest.mark.parametrize("mode", ["raise", "nonsense"])
def test_a_failing_handler_is_an_internal_server_error(toy_stack: LocalStack, mode: str) -> None:
    answer = toy_stack.api("GET", "/echo", token=toy_stack.jwt("ws_r"), params={"mode": mode})
    assert answer.status_code == 500
    assert answer.json() == {"message": "Internal Server Error"}


def test_unknown_route_and_wrong_method_are_not_found(toy_stack: LocalStack) -> None:
    token = toy_stack.jwt("ws_r")
    for method, path in [("GET", "/nowhere"), ("DELETE", "/echo"), ("GET", "/_local/nothing")]:
        answer = toy_stack.api(method, path, token=token)
        assert (answer.status_code, answer.json()) == (404, {"message": "Not Found"}), (method, path)


# ---------- CORS ----------


def test_preflight_is_answered_for_the_front_end_origin_only(toy_stack: LocalStack) -> None:
    origin = toy_stack["frontend_origin"]
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = toy_stack.api("OPTIONS", "/echo", headers={"Origin": origin, **preflight})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == origin
    assert allowed.headers["access-control-allow-methods"] == "GET,POST,PUT"
    assert allowed.headers["access-control-allow-headers"] == "authorization,content-type"
    assert allowed.headers["access-control-max-age"] == "600"

    foreign = toy_stack.api("OPTIONS", "/echo", headers={"Origin": "https://evil.example", **preflight})
    assert foreign.status_code == 204
    assert "access-control-allow-origin" not in foreign.headers


def test_responses_carry_cors_headers_for_the_front_end_origin_only(toy_stack: LocalStack) -> None:
    origin = toy_stack["frontend_origin"]
    token = toy_stack.jwt("ws_cors")
    ours = toy_stack.api("GET", "/echo", token=token, headers={"Origin": origin})
    assert ours.headers["access-control-allow-origin"] == origin
    assert ours.headers["access-control-expose-headers"] == "x-echo"
    # The integration's own CORS headers are replaced by the API's, as API Gateway does.
    theirs = toy_stack.api(
        "GET", "/echo", token=token, headers={"Origin": "https://evil.example"}, params={"mode": "cors"}
    )
    assert "access-control-allow-origin" not in theirs.headers
    unauthorized = toy_stack.api("GET", "/echo", headers={"Origin": origin})
    assert unauthorized.status_code == 401
    assert unauthorized.headers["access-control-allow-origin"] == origin


# ---------- the JWT authorizer ----------


def _foreign_token(stack: LocalStack, **overrides: Any) -> str:
    """A token with the stack's kid, signed by another key unless `key` is given."""
    kid = http("GET", f"{stack['api_url']}/_local/jwks.json").json()["keys"][0]["kid"]
    now = int(time.time())
    claims = {
        "iss": stack["jwt_issuer"],
        "aud": stack["jwt_audience"],
        "sub": "intruder",
        stack["workspace_claim"]: "ws_victim",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_jwks_and_minted_token_describe_the_local_issuer(toy_stack: LocalStack) -> None:
    keys = http("GET", toy_stack["jwks_url"]).json()["keys"]
    token = toy_stack.jwt("ws_1", user_id="u9")
    claims = jwt.decode(
        token,
        jwt.PyJWK(keys[0]).key,
        algorithms=["RS256"],
        audience=toy_stack["jwt_audience"],
        issuer=toy_stack["jwt_issuer"],
    )
    assert claims[toy_stack["workspace_claim"]] == "ws_1"
    assert claims["sub"] == "u9"
    assert toy_stack["jwt_issuer"] == f"{toy_stack['api_url']}/_local"


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("Bearer not-a-jwt", id="garbage"),
        pytest.param("expired", id="expired"),
        pytest.param("wrong-signature", id="wrong-signature"),
        pytest.param("wrong-audience", id="wrong-audience"),
        pytest.param("wrong-issuer", id="wrong-issuer"),
        pytest.param("alg-none", id="unsigned"),
    ],
)
def test_jwt_authorizer_refuses(toy_stack: LocalStack, authorization: str | None) -> None:
    tokens = {
        "expired": lambda: toy_stack.jwt("ws_1", ttl_s=-30),
        "wrong-signature": lambda: _foreign_token(toy_stack),
        "wrong-audience": lambda: toy_stack.jwt("ws_1", claims={"aud": "someone-else"}),
        "wrong-issuer": lambda: toy_stack.jwt("ws_1", claims={"iss": "https://issuer.example"}),
        "alg-none": lambda: jwt.encode(
            {"iss": toy_stack["jwt_issuer"], "aud": toy_stack["jwt_audience"], "exp": int(time.time()) + 600},
            key=None,
            algorithm="none",
        ),
    }
    headers = {}
    if authorization is not None:
        headers["Authorization"] = (
            authorization if authorization.startswith("Bearer ") else f"Bearer {tokens[authorization]()}"
        )
    answer = toy_stack.api("GET", "/echo", headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"message": "Unauthorized"}


def test_token_without_bearer_prefix_is_accepted_as_api_gateway_does(toy_stack: LocalStack) -> None:
    answer = toy_stack.api("GET", "/echo", headers={"Authorization": toy_stack.jwt("ws_plain")})
    assert answer.status_code == 200


def test_claims_come_only_from_the_verified_token(toy_stack: LocalStack) -> None:
    # Given a token for ws_mine, and a request that names another workspace everywhere else it can
    token = toy_stack.jwt("ws_mine", claims={"groups": ["a", "b"], "admin": True})
    answer = toy_stack.api(
        "POST",
        "/echo",
        token=token,
        json={"workspace_id": "ws_other"},
        params={"workspace_id": "ws_other"},
        headers={"X-Workspace-Id": "ws_other"},
    )

    # Then the authorizer context holds the token's workspace, as API Gateway's strings
    claims = answer.json()["event"]["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["workspace_id"] == "ws_mine"
    assert claims["groups"] == "[a b]"
    assert claims["admin"] == "true"
    assert claims["exp"].isdigit()


def test_public_route_needs_no_token_and_gets_no_authorizer(toy_stack: LocalStack) -> None:
    answer = toy_stack.api("GET", "/public")
    assert answer.status_code == 200
    assert "authorizer" not in answer.json()["event"]["requestContext"]


# ---------- the IAM authorizer ----------


def test_signed_request_reaches_the_iam_route(toy_stack: LocalStack) -> None:
    answer = toy_stack.signed("PUT", "/internal/things/t1", {"active": True}, params={"dry": "1"})
    assert answer.status_code == 200, answer.text
    event = answer.json()["event"]
    assert event["pathParameters"] == {"thing_id": "t1"}
    assert event["body"] == '{"active": true}'
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == toy_stack["aws_access_key_id"]
    assert iam["accountId"] == toy_stack["account_id"]
    assert set(iam) == {"accessKey", "accountId", "callerId", "cognitoIdentity", "principalOrgId", "userArn", "userId"}


def test_unsigned_request_to_an_iam_route_is_forbidden(toy_stack: LocalStack) -> None:
    answer = toy_stack.api("PUT", "/internal/things/t1", json={"active": True})
    assert answer.status_code == 403
    assert answer.json() == {"message": "Missing Authentication Token"}


def test_a_jwt_does_not_open_an_iam_route(toy_stack: LocalStack) -> None:
    token = toy_stack.jwt("ws_1")
    answer = toy_stack.api("PUT", "/internal/things/t1", json={"active": True}, token=token)
    assert answer.status_code == 403
    assert answer.json()["message"].startswith("Authorization header requires 'Credential' parameter.")
    assert token not in answer.text
    assert token not in toy_stack.functions_log()


@pytest.mark.parametrize(
    ("how", "message_starts"),
    [
        ("wrong-secret", "The request signature we calculated does not match"),
        ("unknown-key", "The security token included in the request is invalid"),
        ("wrong-region", "Credential should be scoped to a valid region"),
    ],
)
def test_wrongly_signed_request_is_forbidden(toy_stack: LocalStack, how: str, message_starts: str) -> None:
    options = {
        "wrong-secret": {"secret_key": "not-the-secret"},
        "unknown-key": {"access_key": "AKIAUNKNOWN000000000"},
        "wrong-region": {"region": "eu-west-1"},
    }[how]
    answer = toy_stack.signed("PUT", "/internal/things/t1", {"active": True}, **options)  # type: ignore[arg-type]
    assert answer.status_code == 403
    assert answer.json()["message"].startswith(message_starts)


def test_tampered_body_or_stale_signature_is_forbidden(toy_stack: LocalStack) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{toy_stack['api_url']}/internal/things/t1"
    credentials = Credentials(toy_stack["aws_access_key_id"], toy_stack["aws_secret_access_key"])
    request = AWSRequest(method="PUT", url=url, data=b'{"active": true}', headers={"Content-Type": "application/json"})
    SigV4Auth(credentials, "execute-api", toy_stack["aws_region"]).add_auth(request)
    tampered = http("PUT", url, body=b'{"active": false}', headers=dict(request.headers.items()))
    assert tampered.status_code == 403
    assert tampered.json()["message"].startswith("The request signature we calculated does not match")

    class Stale(SigV4Auth):
        def _modify_request_before_signing(self, request: AWSRequest) -> None:
            request.context["timestamp"] = (datetime.now(UTC) - timedelta(minutes=20)).strftime("%Y%m%dT%H%M%SZ")
            super()._modify_request_before_signing(request)

    stale = AWSRequest(method="PUT", url=url, data=b"{}", headers={"Content-Type": "application/json"})
    Stale(credentials, "execute-api", toy_stack["aws_region"]).add_auth(stale)
    answer = http("PUT", url, body=b"{}", headers=dict(stale.headers.items()))
    assert answer.status_code == 403
    assert answer.json()["message"].startswith("Signature expired")
