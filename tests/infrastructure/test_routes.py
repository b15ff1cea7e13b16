"""The HTTP API of design.md, route by route, with the authorization each route must have."""

from __future__ import annotations

import re
from typing import Any

from .cfn import of_type, target

# design.md's route table (its "HTTP API" section), as (method, path, auth). Path parameters are compared by position
# only: design.md writes {id} where the template names it {workspace_id}.
DESIGN_ROUTES = {
    ("POST", "/gmail/connect", "JWT"),
    ("GET", "/gmail/oauth/callback", "NONE"),
    ("GET", "/gmail/status", "JWT"),
    ("DELETE", "/gmail/connection", "JWT"),
    ("GET", "/emails", "JWT"),
    ("GET", "/emails/{}", "JWT"),
    ("GET", "/profile", "JWT"),
    ("PUT", "/profile", "JWT"),
    ("PUT", "/internal/workspaces/{}/billing", "IAM"),
    ("PUT", "/internal/workspaces/{}/agents/{}", "IAM"),
    ("POST", "/gmail/push", "NONE"),
    ("POST", "/internal/workspaces/{}/emails/{}/release", "IAM"),
    ("DELETE", "/internal/workspaces/{}/emails/{}", "IAM"),
    ("GET", "/internal/workspaces/{}/suppressions", "IAM"),
    ("DELETE", "/internal/workspaces/{}/suppressions/{}", "IAM"),
    ("PUT", "/internal/workspaces/{}/sending", "IAM"),
}


def normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def template_routes(template: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    """(method, normalised path) -> (function, auth) for every HttpApi event."""
    routes = {}
    default = template["Resources"]["HttpApi"]["Properties"]["Auth"]["DefaultAuthorizer"]
    for function, resource in of_type(template["Resources"], "AWS::Serverless::Function"):
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            props = event["Properties"]
            assert target(props["ApiId"]) == "HttpApi", f"{function}: routes belong on the HttpApi resource"
            authorizer = props.get("Auth", {}).get("Authorizer", default)
            auth = {"WorkspaceJwt": "JWT", "AWS_IAM": "IAM", "NONE": "NONE"}[authorizer]
            key = (props["Method"].upper(), normalise(props["Path"]))
            assert key not in routes, f"route {key} is declared twice"
            routes[key] = (function, auth)
    return routes


def test_every_design_route_exists_with_its_authorization(template: dict[str, Any]) -> None:
    routes = template_routes(template)
    for method, path, auth in sorted(DESIGN_ROUTES):
        assert (method, path) in routes, f"{method} {path} is missing"
        assert routes[(method, path)][1] == auth, f"{method} {path} should use {auth}"
    assert set(routes) == {(m, p) for m, p, _ in DESIGN_ROUTES}, "a route that design.md does not list"


def test_routes_are_served_by_the_right_functions(template: dict[str, Any]) -> None:
    routes = template_routes(template)
    for (method, path), (function, auth) in routes.items():
        expected = {"JWT": "ApiFunction", "IAM": "InternalApiFunction", "NONE": "OAuthCallbackFunction"}[auth]
        if (method, path) == ("POST", "/gmail/push"):
            expected = "GmailPushFunction"
        assert function == expected, f"{method} {path}"
        if path.startswith("/internal/"):
            assert auth == "IAM"
        assert not path.startswith("/_local"), "local-only routes never belong in the template"


def test_only_the_callback_and_the_push_go_without_authorizer(template: dict[str, Any]) -> None:
    # The callback is proven by its single-use state, the push by Google's OIDC token (checked in code).
    routes = template_routes(template)
    unauthenticated = sorted(key for key, (_, auth) in routes.items() if auth == "NONE")
    assert unauthenticated == [("GET", "/gmail/oauth/callback"), ("POST", "/gmail/push")]
