"""Malformed request bodies through the front door, on the JWT and the IAM routes: each a 400 JSON error."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.conftest import LocalStack, Response
from tests.integration.service.flows import new_workspace

JSON = {"Content-Type": "application/json"}
HOSTILE: list[tuple[str, bytes, dict[str, str]]] = [
    ("100k-deep JSON", b"[" * 100_000 + b"]" * 100_000, JSON),
    ("100k-deep objects", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, JSON),
    ("invalid UTF-8", b'{"status": "\xff\xfe"}', JSON),
    ("UTF-16", '{"status": "current"}'.encode("utf-16"), JSON),
    (
        "UTF-16 declared",
        '{"status": "current"}'.encode("utf-16-le"),
        {"Content-Type": "application/json; charset=utf-16"},
    ),
    ("text/plain", b'{"status": "current"}', {"Content-Type": "text/plain"}),
    ("form", b"status=current", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("no content type", b'{"status": "current"}', {}),
    ("5000-digit number", b'{"status": "current", "x": ' + b"9" * 5000 + b"}", JSON),
    ("NaN", b'{"status": NaN}', JSON),
    ("duplicate keys", b'{"status": "past_due", "status": "current"}', JSON),
    ("truncated", b'{"status": "curr', JSON),
    ("lone surrogate", b'{"status": "\\ud800"}', JSON),
    ("array", b"[]", JSON),
    ("null", b"null", JSON),
    ("empty text/plain", b"", {"Content-Type": "text/plain"}),
]


def _routes(stack: LocalStack) -> dict[str, Callable[[bytes, dict[str, str]], Response]]:
    workspace = new_workspace()
    token = stack.jwt(workspace)
    return {
        "PUT /profile": lambda body, headers: stack.api("PUT", "/profile", token=token, body=body, headers=headers),
        "PUT billing": lambda body, headers: stack.signed(
            "PUT", f"/internal/workspaces/{workspace}/billing", body=body, headers=headers
        ),
        "PUT agent": lambda body, headers: stack.signed(
            "PUT", f"/internal/workspaces/{workspace}/agents/ag_1", body=body, headers=headers
        ),
    }


@pytest.mark.parametrize(("case", "body", "headers"), HOSTILE, ids=[c for c, _, _ in HOSTILE])
def test_every_malformed_body_is_a_clear_400(
    stack: LocalStack, case: str, body: bytes, headers: dict[str, str]
) -> None:
    for route, call in _routes(stack).items():
        answer = call(body, headers)
        assert answer.status_code == 400, f"{route} {case}: {answer.status_code} {answer.text[:200]}"
        assert answer.headers["content-type"].startswith("application/json")
        error = answer.json()
        assert error["error"] in ("invalid_request", "bad_request"), error
        assert error["message"]


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "1", None, [], {}])
def test_booleans_are_strict(stack: LocalStack, value: object) -> None:
    workspace = new_workspace()
    answer = stack.signed("PUT", f"/internal/workspaces/{workspace}/agents/ag_1", {"active": value})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_request"
    assert stack.signed("PUT", f"/internal/workspaces/{workspace}/agents/ag_1", {"active": False}).status_code == 200


def test_duplicate_keys_change_nothing(stack: LocalStack) -> None:
    workspace = new_workspace()
    token = stack.jwt(workspace)
    body = b'{"display_name": "Sam", "display_name": "Mallory", "signature_text": "", "signature_html": ""}'
    assert stack.api("PUT", "/profile", token=token, body=body, headers=JSON).status_code == 400
    assert stack.api("GET", "/profile", token=token).json()["display_name"] == ""
