"""SnapStart: every function publishes versions behind one alias, SnapStart applies to them under a parameter, and
everything that invokes a function (API Gateway, the SQS event sources, the schedule) invokes the alias, since SnapStart
never applies to $LATEST."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .cfn import of_type, target
from .test_template import FUNCTIONS, function_property

ALIAS = "live"


def test_the_parameter_turns_snapstart_on_or_off_and_is_on_by_default(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["SnapStart"]
    assert parameter["AllowedValues"] == ["enabled", "disabled"]
    assert parameter["Default"] == "enabled"
    assert template["Conditions"]["UseSnapStart"] == {"Fn::Equals": [{"Ref": "SnapStart"}, "enabled"]}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_applies_snapstart_to_published_versions_under_the_condition(
    template: dict[str, Any], function: str
) -> None:
    snap_start = function_property(template, function, "SnapStart")
    assert snap_start == {"ApplyOn": {"Fn::If": ["UseSnapStart", "PublishedVersions", "None"]}}
    assert function_property(template, function, "AutoPublishAlias") == ALIAS
    # Our code lives in the layer: a new layer must publish a new version, or the alias would keep the old code.
    assert function_property(template, function, "AutoPublishAliasAllProperties") is True
    assert target(function_property(template, function, "Layers")[0]) == "SharedLayer"
    assert template["Resources"]["SharedLayer"]["Properties"]["PublishLambdaVersion"] is True


def _alias_of(translated: dict[str, Any], function: str) -> str:
    aliases = [
        name
        for name, resource in of_type(translated["Resources"], "AWS::Lambda::Alias")
        if target(resource["Properties"]["FunctionName"]) == function
    ]
    assert len(aliases) == 1, (function, aliases)
    props = translated["Resources"][aliases[0]]["Properties"]
    assert props["Name"] == ALIAS
    version = props["FunctionVersion"]["Fn::GetAtt"][0]
    assert translated["Resources"][version]["Type"] == "AWS::Lambda::Version"
    # A replaced version goes once the alias has moved: a retained one would keep a billed snapshot.
    assert translated["Resources"][version]["DeletionPolicy"] == "Delete"
    return aliases[0]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_after_the_transform_each_function_has_snapstart_and_an_alias_on_a_version(
    translated: dict[str, Any], function: str
) -> None:
    props = translated["Resources"][function]["Properties"]
    assert props["SnapStart"] == {"ApplyOn": {"Fn::If": ["UseSnapStart", "PublishedVersions", "None"]}}
    _alias_of(translated, function)


def test_event_sources_schedules_and_permissions_name_the_alias(translated: dict[str, Any]) -> None:
    aliases = {_alias_of(translated, function): function for function in FUNCTIONS}
    resources = translated["Resources"]
    invoked = set()
    mappings = list(of_type(resources, "AWS::Lambda::EventSourceMapping"))
    assert mappings, "the SQS consumers' event source mappings"
    for _, mapping in mappings:
        alias = target(mapping["Properties"]["FunctionName"])
        assert alias in aliases
        invoked.add(aliases[alias])
    for _, rule in of_type(resources, "AWS::Events::Rule"):
        for rule_target in rule["Properties"].get("Targets", []):
            if target(rule_target["Arn"]) in FUNCTIONS:
                pytest.fail(f"a rule invokes $LATEST of {target(rule_target['Arn'])}")
    for name, permission in of_type(resources, "AWS::Lambda::Permission"):
        function = target(permission["Properties"]["FunctionName"])
        assert function not in FUNCTIONS, f"{name} lets a caller invoke $LATEST"
        invoked.add(aliases.get(function or ""))
    assert set(FUNCTIONS) <= invoked  # every function is invoked by something, and only through its alias


def test_every_http_api_integration_invokes_an_alias(translated: dict[str, Any]) -> None:
    """The HTTP API's integrations live in its OpenAPI body: each must name a function's alias, never the function."""
    aliases = {_alias_of(translated, function) for function in FUNCTIONS}
    (_, api), *_ = [(n, r) for n, r in of_type(translated["Resources"], "AWS::ApiGatewayV2::Api")]
    body = json.dumps(api["Properties"]["Body"])
    uris = [chunk.split("}/invocations")[0] for chunk in body.split("lambda:path/2015-03-31/functions/${")[1:]]
    assert uris, "no Lambda integration found in the HTTP API body"
    assert set(uris) <= aliases, set(uris) - aliases
