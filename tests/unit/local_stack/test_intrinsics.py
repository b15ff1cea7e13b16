"""The resolver answers Ref/GetAtt/Sub/If... as CloudFormation does, for the values the local stack reads itself."""

from __future__ import annotations

from typing import Any

import pytest

from local_stack.intrinsics import Resolver, UnresolvedError


def make_resolver() -> Resolver:
    resources = {"Queue": "https://queue/url", "Bus": "bus-name"}
    attributes = {("Queue", "Arn"): "arn:aws:sqs:us-east-1:1:q", ("Bus", "Name"): "bus-name"}

    def ref(name: str) -> Any:
        if name not in resources:
            raise UnresolvedError(name)
        return resources[name]

    def get_att(name: str, attribute: str) -> Any:
        if (name, attribute) not in attributes:
            raise UnresolvedError(f"{name}.{attribute}")
        return attributes[(name, attribute)]

    return Resolver(
        parameters={"Stage": "dev", "Audiences": ["a", "b"]},
        pseudo={"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"},
        conditions={
            "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
            "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
        },
        mappings={"Sizes": {"dev": {"Memory": 128}}},
        ref=ref,
        get_att=get_att,
    )


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ({"Ref": "Stage"}, "dev"),
        ({"Ref": "Audiences"}, ["a", "b"]),
        ({"Ref": "Queue"}, "https://queue/url"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, "arn:aws:sqs:us-east-1:1:q"),
        ({"Fn::GetAtt": "Bus.Name"}, "bus-name"),
        ({"Fn::Sub": "svc-${Stage}-${AWS::Region}"}, "svc-dev-us-east-1"),
        ({"Fn::Sub": "${Queue.Arn}/${!Literal}"}, "arn:aws:sqs:us-east-1:1:q/${Literal}"),
        ({"Fn::Sub": ["${X}-${Stage}", {"X": {"Ref": "Bus"}}]}, "bus-name-dev"),
        ({"Fn::Join": [",", {"Ref": "Audiences"}]}, "a,b"),
        ({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}, "y"),
        ({"Fn::If": ["IsProd", "big", "small"]}, "small"),
        ({"Fn::If": ["IsDev", "dev-only", {"Ref": "AWS::NoValue"}]}, "dev-only"),
        ({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}, 128),
        ({"Fn::And": [{"Condition": "IsDev"}, {"Fn::Equals": ["a", "a"]}]}, True),
        ({"Fn::Or": [{"Condition": "IsProd"}, False]}, False),
        ({"Fn::Base64": "hi"}, "aGk="),
        ({"Nested": {"Key": {"Ref": "Stage"}}}, {"Nested": {"Key": "dev"}}),
    ],
)
def test_resolves(expression: Any, value: Any) -> None:
    assert make_resolver().resolve(expression) == value


def test_no_value_removes_the_key_or_item() -> None:
    resolver = make_resolver()
    no_value = {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]}
    assert resolver.resolve({"Keep": 1, "Drop": no_value}) == {"Keep": 1}
    assert resolver.resolve([1, no_value, 2]) == [1, 2]


@pytest.mark.parametrize(
    "expression",
    [{"Ref": "Missing"}, {"Fn::GetAtt": ["Queue", "Nope"]}, {"Fn::If": ["NoSuchCondition", 1, 2]}],
)
def test_unknown_names_raise(expression: Any) -> None:
    with pytest.raises(UnresolvedError):
        make_resolver().resolve(expression)
