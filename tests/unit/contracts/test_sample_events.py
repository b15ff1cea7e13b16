"""Every file under events/ is a valid input of its function: parsed by the handler's own parser and routed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventV2Model,
    EventBridgeModel,
    SqsModel,
)

from contracts import sample_events
from contracts.handlers import ROOT, load_handler
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.replies.intake import PollJob
from local_stack.template import load

EVENTS = ROOT / sample_events.EVENTS
PREFIX_TO_FUNCTION = {
    "api": "api",
    "internal": "internal_api",
    "callback": "oauth_callback",
    "send": "send_email",
    "poll": "poll_mailbox",
    "schedule": "schedule_polls",
    "push": "gmail_push",
}
HTTP_FUNCTIONS = {"api", "internal_api", "oauth_callback", "gmail_push"}
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


class _Context:
    function_name = "sample"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:sample"
    aws_request_id = "req-sample"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class _Reached(Exception):
    """Raised by the stub container: the request got through routing, the authorizer's claims and validation."""


def _function(path: Path) -> str:
    return PREFIX_TO_FUNCTION[path.stem.split("-", 1)[0]]


def _event(path: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return event


FILES = sorted(EVENTS.glob("*.json"))


def test_committed_samples_are_the_generated_ones() -> None:
    expected = sample_events.samples()
    assert {path.stem for path in FILES} == set(expected), "run `make events` and commit events/"
    for path in FILES:
        assert _event(path) == expected[path.stem], f"{path.name}: run `make events`"


def test_every_function_and_every_route_has_a_sample() -> None:
    template = load(ROOT / "template.yaml")
    functions = {
        Path(r["Properties"]["CodeUri"]).name
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert {_function(path) for path in FILES} == functions
    routes = {
        f"{e['Properties']['Method'].upper()} {e['Properties']['Path']}"
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
        for e in r["Properties"].get("Events", {}).values()
        if e["Type"] == "HttpApi"
    }
    sampled = {_event(path)["routeKey"] for path in FILES if _function(path) in HTTP_FUNCTIONS}
    assert sampled == routes


@pytest.mark.parametrize("path", [p for p in FILES if _function(p) in HTTP_FUNCTIONS], ids=lambda p: p.stem)
def test_http_sample_reaches_its_route(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    event = _event(path)
    parse(event=event, model=APIGatewayProxyEventV2Model)
    handler = load_handler(_function(path))

    def reached() -> Any:
        raise _Reached(path.stem)

    monkeypatch.setattr(handler, "bootstrap", reached)
    answer = handler.lambda_handler(event, _Context())
    # 500 internal_error is the stub's exception: routing, the claims and the request models all accepted the
    # sample (a refused one answers 400, an unrouted one 404, a claim-less one 401).
    assert (answer["statusCode"], json.loads(answer["body"])["error"]) == (500, "internal_error"), answer["body"]


def test_send_batch_reaches_the_consumer_with_valid_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    event = _event(EVENTS / "send-email-batch.json")
    assert parse(event=event, model=SqsModel).Records
    seen: list[SendEmailV1] = []
    handler = load_handler("send_email")

    def process(
        body: str, receipt_handle: str, receive_count: int, not_before: float | None, ticket: str | None = None
    ) -> None:
        seen.append(SendEmailV1.model_validate_json(body))

    monkeypatch.setattr(handler, "bootstrap", lambda: SimpleNamespace(process_send_message=process))
    assert handler.lambda_handler(event, _Context()) == {"batchItemFailures": []}
    assert [command.activity_id for command in seen] == ["act_1001", "act_1002"]


def test_poll_batch_reaches_the_consumer_with_valid_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    event = _event(EVENTS / "poll-mailbox-batch.json")
    assert all(record.attributes.MessageGroupId for record in parse(event=event, model=SqsModel).Records)
    seen: list[str] = []
    handler = load_handler("poll_mailbox")

    def process(body: str, receipt_handle: str, time_left: Callable[[], float]) -> None:
        seen.append(PollJob.model_validate_json(body).workspace_id)
        assert time_left() == 30.0, "the invocation's remaining time reaches the job, for a long recovery"

    monkeypatch.setattr(handler, "bootstrap", lambda: SimpleNamespace(process_poll_job=process))
    assert handler.lambda_handler(event, _Context()) == {"batchItemFailures": []}
    assert seen == ["ws_demo", "ws_other"]


def test_schedule_sample_reaches_the_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    event = _event(EVENTS / "schedule-polls.json")
    tick = parse(event=event, model=EventBridgeModel)
    handler = load_handler("schedule_polls")
    seen: list[tuple[object, ...]] = []

    def schedule(at: object, run: str, time_left: Callable[[], float]) -> int:
        seen.append((at, run, time_left()))
        return 1

    monkeypatch.setattr(handler, "bootstrap", lambda: SimpleNamespace(schedule_polls=schedule))
    assert handler.lambda_handler(event, _Context()) == {"scheduled": 1}
    assert seen == [(tick.time, event["id"], 30.0)], "the tick's time and event id, and the time left to split by"


def test_a_handed_off_shard_reaches_the_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps({"at": "2026-11-30T08:00:00Z", "run": "53dc4d37", "shard": 3})
    event = {
        "Records": [
            {"messageId": "m1", "receiptHandle": "r1", "body": body, "attributes": {}, "eventSource": "aws:sqs"}
        ]
    }
    handler = load_handler("schedule_polls")
    seen: list[str] = []

    def handed_off(text: str, time_left: Callable[[], float]) -> int:
        seen.append(text)
        return 1

    scheduler = SimpleNamespace(handed_off=handed_off)
    monkeypatch.setattr(handler, "bootstrap", lambda: SimpleNamespace(schedule_polls=scheduler))
    assert handler.lambda_handler(event, _Context()) == {"batchItemFailures": []}
    assert seen == [body]


def test_a_broken_sample_would_be_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    event = _event(EVENTS / "internal-billing.json")
    event["body"] = json.dumps({"status": "maybe"})
    handler = load_handler("internal_api")
    monkeypatch.setattr(handler, "bootstrap", lambda: pytest.fail("a refused body must not reach the service"))
    answer = handler.lambda_handler(event, _Context())
    assert (answer["statusCode"], json.loads(answer["body"])["error"]) == (400, "invalid_request")
