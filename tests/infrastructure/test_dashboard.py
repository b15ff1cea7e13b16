"""The dashboard shows what the issue asks of it, and only metrics that something actually emits."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from .cfn import ROOT, of_type

APP_NAMESPACE = "OutSales/Gmail"
LAYER = ROOT / "layers" / "gmail_integration" / "gmail_integration"
WANTED_APP_METRICS = {
    "EmailsSent",
    "EmailsParked",
    "EmailsFailed",
    "RepliesDetected",
    "SendsRetried",
    "GmailRateLimited",
    "AuthorizationLost",
    "ReplyLatency",
}


@pytest.fixture(scope="module")
def body(resources: dict[str, Any]) -> dict[str, Any]:
    (_, dashboard), *others = list(of_type(resources, "AWS::CloudWatch::Dashboard"))
    assert not others, "one dashboard for the service"
    text = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    assert isinstance(text, str)
    # Every ${...} must name something the template has; a placeholder keeps the JSON parseable.
    for name in re.findall(r"\$\{([^}]+)\}", text):
        logical = name.split(".", 1)[0]
        assert logical in resources or logical in {"AWS::Region", "Stage"}, f"dashboard names unknown {name}"
    parsed: dict[str, Any] = json.loads(re.sub(r"\$\{[^}]+\}", "x", text))
    return parsed


def _metric_rows(body: dict[str, Any]) -> list[list[Any]]:
    return [row for w in body["widgets"] if w["type"] == "metric" for row in w["properties"]["metrics"]]


def _app_metrics(body: dict[str, Any]) -> set[str]:
    found = set()
    for row in _metric_rows(body):
        if isinstance(row[0], dict):
            found |= set(re.findall(r'MetricName="(\w+)"', row[0]["expression"]))
        elif row[0] == APP_NAMESPACE:
            found.add(row[1])
    return found


def _emitted() -> set[str]:
    source = "\n".join(path.read_text(encoding="utf-8") for path in LAYER.rglob("*.py"))
    return set(re.findall(r'(?:count|measure_seconds)\(\s*"(\w+)"', source))


def test_shows_the_service_metrics_the_issue_names(body: dict[str, Any]) -> None:
    assert _app_metrics(body) >= WANTED_APP_METRICS


def test_every_app_metric_it_shows_is_emitted_by_the_code(body: dict[str, Any]) -> None:
    assert _app_metrics(body) <= _emitted()


def test_queues_dlqs_functions_and_alarms_are_all_on_it(body: dict[str, Any], resources: dict[str, Any]) -> None:
    text = json.dumps(body)
    raw = next(r for _, r in of_type(resources, "AWS::CloudWatch::Dashboard"))["Properties"]["DashboardBody"]["Fn::Sub"]
    for name, _ in of_type(resources, "AWS::SQS::Queue"):
        assert f"${{{name}.QueueName}}" in raw, f"{name} is missing from the dashboard"
    for _, function in of_type(resources, "AWS::Serverless::Function"):
        suffix = function["Properties"]["FunctionName"]["Fn::Sub"].rsplit("-${Stage}-", 1)[1]
        assert raw.count(f'outsales-gmail-${{Stage}}-{suffix}"') >= 2, f"{suffix}: errors and duration"
    for name, _ in of_type(resources, "AWS::CloudWatch::Alarm"):
        assert f"${{{name}.Arn}}" in raw, f"{name} is missing from the alarm widget"
    assert "ApproximateAgeOfOldestMessage" in text
    assert "ApproximateNumberOfMessagesVisible" in text


def test_widgets_fit_the_grid(body: dict[str, Any]) -> None:
    for widget in body["widgets"]:
        assert widget["x"] + widget["width"] <= 24
