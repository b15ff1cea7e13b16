"""docs/openapi.json is what the handlers' resolvers describe today, and it describes the routes the template has."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

from contracts import openapi
from contracts.handlers import ROOT
from gmail_integration.http.resolver import error_response
from local_stack.template import load

REGENERATE = "docs/openapi.json differs from what the handlers describe: run `make openapi` and commit the result."


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return openapi.build()


def test_committed_document_is_the_generated_one(generated: dict[str, Any]) -> None:
    committed = json.loads(openapi.DOCUMENT.read_text(encoding="utf-8"))
    assert committed == generated, REGENERATE


def test_rendering_is_stable(generated: dict[str, Any]) -> None:
    # The committed text, not only its parsed value, comes out the same: a regeneration never makes a noisy diff.
    assert openapi.render(generated) == openapi.DOCUMENT.read_text(encoding="utf-8"), REGENERATE


def _template_routes() -> set[tuple[str, str]]:
    template = load(ROOT / "template.yaml")
    found = set()
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] == "HttpApi":
                found.add((event["Properties"]["Method"].lower(), event["Properties"]["Path"]))
    return found


def test_every_route_of_the_template_is_documented_and_nothing_else(generated: dict[str, Any]) -> None:
    documented = {(method, path) for path, item in generated["paths"].items() for method in item}
    assert documented == _template_routes()


def test_errors_are_described_in_the_shape_the_resolver_answers(generated: dict[str, Any]) -> None:
    body = error_response(HTTPStatus.BAD_REQUEST, "invalid_request", "The request is not valid.").body
    assert openapi.ErrorBody.model_validate(body).error == "invalid_request"
    assert set(generated["components"]["schemas"]["Error"]["required"]) == {"error", "message"}
    for path, item in generated["paths"].items():
        for method, operation in item.items():
            assert "422" not in operation["responses"], f"{method} {path}: the resolver answers 400, never 422"
            if path != "/gmail/oauth/callback":
                assert operation["responses"]["500"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }


def test_each_route_names_the_authorizer_the_gateway_applies(generated: dict[str, Any]) -> None:
    template = Path(ROOT / "template.yaml").read_text(encoding="utf-8")
    assert "DefaultAuthorizer: WorkspaceJwt" in template
    for path, item in generated["paths"].items():
        for operation in item.values():
            if path.startswith("/internal/"):
                assert operation["security"] == [{"AwsSigV4": []}]
            elif path == "/gmail/oauth/callback":
                assert operation["security"] == []
            elif path == "/gmail/push":  # no gateway authorizer: the function verifies Pub/Sub's OIDC token
                assert operation["security"] == [{"PubSubOidc": []}]
            else:
                assert operation["security"] == [{"WorkspaceJwt": []}]


def test_every_reference_resolves(generated: dict[str, Any]) -> None:
    names = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(generated)))
    assert names
    assert names <= set(generated["components"]["schemas"])


def test_request_models_come_from_the_code(generated: dict[str, Any]) -> None:
    put_profile = generated["paths"]["/profile"]["put"]
    assert put_profile["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Profile"
    }
    limit = next(p for p in generated["paths"]["/emails"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 100)
