"""What the local stack reads from a template: the plain CloudFormation for moto, and the SAM functions' events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from local_stack import template
from local_stack.options import PROJECT_ROOT

SAM: dict[str, Any] = {
    "Transform": "AWS::Serverless-2016-10-31",
    "Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
    "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
    "Globals": {
        "Function": {"Runtime": "python3.13", "Timeout": 30, "Environment": {"Variables": {"A": "g", "B": "g"}}}
    },
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "DependsOn": ["Fn", "Dlq"]},
        "Dlq": {"Type": "AWS::SQS::Queue"},
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {"Dimensions": [{"Value": {"Fn::GetAtt": ["Dlq", "QueueName"]}}]},
        },
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Subscription": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Ref": "Topic"}}},
        "FnLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${Fn}"}}},
        "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "FnRole"}]}},
        "UsesLogs": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "k", "Value": {"Ref": "FnLogs"}}]}},
        "Fn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "functions/fn",
                "Handler": "app.main",
                "Timeout": 5,
                "Environment": {"Variables": {"B": "own"}},
                "Events": {
                    "Get": {"Type": "HttpApi", "Properties": {"Method": "get", "Path": "/x/{id}"}},
                    "Open": {
                        "Type": "HttpApi",
                        "Properties": {"Path": "/open", "Method": "POST", "Auth": {"Authorizer": "NONE"}},
                    },
                    "Q": {
                        "Type": "SQS",
                        "Properties": {
                            "Queue": {"Fn::GetAtt": ["Queue", "Arn"]},
                            "FunctionResponseTypes": ["ReportBatchItemFailures"],
                        },
                    },
                    "Tick": {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)", "Enabled": False}},
                },
            },
        },
        "Api": {"Type": "AWS::Serverless::HttpApi", "Properties": {"CorsConfiguration": {"AllowOrigins": ["o"]}}},
    },
    "Outputs": {"Url": {"Value": {"Fn::Sub": "https://${Api}"}}},
}


def test_plain_cloudformation_keeps_what_moto_can_create() -> None:
    body, skipped = template.plain_cloudformation(
        SAM, lambda kind: kind != "AWS::CloudWatch::Alarm" and "Subscription" not in kind
    )
    assert set(body["Resources"]) == {"Queue", "Dlq", "Topic"}
    assert body["Resources"]["Queue"]["DependsOn"] == ["Dlq"]  # the SAM function dropped from DependsOn
    assert set(body) == {"AWSTemplateFormatVersion", "Resources", "Parameters", "Conditions"}
    reasons = {s.logical_id: s.reason for s in skipped}
    assert set(reasons) == {"Alarm", "Subscription", "FnLogs", "Policy", "UsesLogs"}
    assert "cannot create" in reasons["Alarm"]
    assert "Fn" in reasons["FnLogs"]
    assert "FnRole" in reasons["Policy"]
    assert "FnLogs" in reasons["UsesLogs"]  # dropped because what it refers to was dropped
    assert SAM["Resources"]["Queue"]["DependsOn"] == ["Fn", "Dlq"]  # the input is left alone


def test_functions_merge_globals_and_read_their_events() -> None:
    (fn,) = template.functions(SAM)
    assert (fn.code_uri, fn.handler, fn.timeout_s, fn.memory_mb) == ("functions/fn", "app.main", 5, 128)
    assert fn.environment == {"A": "g", "B": "own"}
    assert [(r.method, r.path, r.authorizer, r.api) for r in fn.routes] == [
        ("GET", "/x/{id}", None, None),
        ("POST", "/open", "NONE", None),
    ]
    (queue,) = fn.queues
    assert (queue.batch_size, queue.batching_window_s, queue.report_item_failures) == (10, 0, True)
    (tick,) = fn.schedules
    assert (tick.expression, tick.enabled) == ("rate(5 minutes)", False)


def test_references_cover_ref_getatt_and_sub() -> None:
    expression = {
        "A": {"Ref": "One"},
        "B": {"Fn::GetAtt": "Two.Arn"},
        "C": {"Fn::Sub": ["${Three}-${Local}-${!Not}", {"Local": {"Ref": "Four"}}]},
        "D": {"Fn::If": ["SomeCondition", {"Ref": "Five"}, "x"]},
    }
    assert sorted(template.references(expression)) == ["Five", "Four", "One", "Three", "Two"]


def test_the_real_template_reads() -> None:
    tmpl = template.load(PROJECT_ROOT / "template.yaml")
    functions = {f.logical_id: f for f in template.functions(tmpl)}
    assert ("GET", "/gmail/status") in [(r.method, r.path) for r in functions["ApiFunction"].routes]
    callback = functions["OAuthCallbackFunction"].routes[0]
    assert callback.authorizer == "NONE"
    assert {r.authorizer for r in functions["InternalApiFunction"].routes} == {"AWS_IAM"}
    assert functions["SendEmailFunction"].queues[0].report_item_failures
    assert functions["SchedulePollsFunction"].schedules[0].expression == "rate(1 minute)"
    apis = template.http_apis(tmpl)
    assert apis["HttpApi"].default_authorizer in apis["HttpApi"].jwt_authorizers
    body, _ = template.plain_cloudformation(tmpl, lambda _kind: True)
    assert not [r for r in body["Resources"].values() if r["Type"].startswith("AWS::Serverless::")]


def test_load_turns_short_tags_into_long_form(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
        "      Name: !Sub a-${AWS::Region}\n      D: !GetAtt X.Arn\n"
    )
    loaded = template.load(path)
    assert loaded["Resources"]["Q"]["Properties"] == {
        "Name": {"Fn::Sub": "a-${AWS::Region}"},
        "D": {"Fn::GetAtt": ["X", "Arn"]},
    }
