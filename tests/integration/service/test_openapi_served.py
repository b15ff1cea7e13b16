"""make dev serves the OpenAPI document at {api_url}/openapi.json: the committed one, pointing at the front door."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.conftest import LocalStack

pytestmark = pytest.mark.integration
COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_the_front_door_serves_the_document_of_the_running_handlers(stack: LocalStack) -> None:
    answer = stack.api("GET", "/openapi.json")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    served = answer.json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served["servers"] == [{"url": stack["api_url"]}]
    assert {**served, "servers": committed["servers"]} == committed


def test_every_documented_route_is_routed_by_the_front_door(stack: LocalStack) -> None:
    # An unrouted path answers API Gateway's own 404 {"message"}; a routed one reaches the gateway's authorizer or
    # the handler. No token: nothing runs for a workspace.
    for path, item in stack.api("GET", "/openapi.json").json()["paths"].items():
        concrete = path.replace("{", "").replace("}", "")
        for method in item:
            answer = stack.api(method.upper(), concrete)
            assert (answer.status_code, answer.text) != (404, '{"message": "Not Found"}'), f"{method} {path} not routed"
