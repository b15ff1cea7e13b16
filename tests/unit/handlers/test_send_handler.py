"""The send function's batch handling: a failed record comes back alone (ReportBatchItemFailures)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from tests.unit.load_file import load_file

HANDLER = Path(__file__).resolve().parents[3] / "functions" / "send_email" / "handler.py"


def _load() -> ModuleType:
    return load_file("send_email_handler_under_test", HANDLER)


def _record(message_id: str, body: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "2",
            "SentTimestamp": "1732442400000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1732442400000",
        },
        "messageAttributes": {},
        "md5OfBody": "x",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:send",
        "awsRegion": "us-east-1",
    }


class _Context:
    function_name = "send"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:send"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def test_only_the_failed_record_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str, int]] = []

    def process(
        body: str, receipt_handle: str, receive_count: int, not_before: float | None, ticket: str | None = None
    ) -> None:
        seen.append((json.loads(body)["activity_id"], receipt_handle, receive_count))
        if json.loads(body)["activity_id"] == "act_bad":
            raise RuntimeError("Gmail said 503")

    handler = _load()
    monkeypatch.setattr(handler, "bootstrap", lambda: SimpleNamespace(process_send_message=process))
    event = {
        "Records": [
            _record("m1", json.dumps({"activity_id": "act_1"})),
            _record("m2", json.dumps({"activity_id": "act_bad"})),
            _record("m3", json.dumps({"activity_id": "act_3"})),
        ]
    }
    answer = handler.lambda_handler(event, _Context())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert seen == [("act_1", "rh-m1", 2), ("act_bad", "rh-m2", 2), ("act_3", "rh-m3", 2)]


class _Clock:
    """A Lambda context whose remaining time drops by each record's cost."""

    function_name = "send"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:send"
    aws_request_id = "req-2"

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_a_batch_stops_taking_records_when_one_more_gmail_call_would_outlive_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a 30 s function, a 20 s Gmail timeout and records that each take 9 s,
    context = _Clock(30_000)
    seen: list[str] = []

    def process(
        body: str, receipt_handle: str, receive_count: int, not_before: float | None, ticket: str | None = None
    ) -> None:
        seen.append(json.loads(body)["activity_id"])
        context.remaining_ms -= 9_000

    process.defer = lambda *_: False  # type: ignore[attr-defined] # no queue to hand them back to
    handler = _load()
    monkeypatch.setattr(handler, "bootstrap", lambda: SimpleNamespace(process_send_message=process))
    deferred: list[str] = []
    monkeypatch.setattr(handler, "count", lambda name, **_: deferred.append(name))
    event = {"Records": [_record(f"m{i}", json.dumps({"activity_id": f"act_{i}"})) for i in range(10)]}
    # When the batch runs,
    answer = handler.lambda_handler(event, context)
    # Then only the first record started (after it 21 s are left: less than 20 s + the margin), the rest come back.
    assert seen == ["act_0"]
    assert deferred == ["SendRecordsDeferred"] * 9
    assert answer == {"batchItemFailures": [{"itemIdentifier": f"m{i}"} for i in range(1, 10)]}


def test_records_without_time_left_go_back_on_the_queue_instead_of_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    context = _Clock(30_000)
    seen: list[str] = []
    handed_back: list[str] = []

    def process(
        body: str, receipt_handle: str, receive_count: int, not_before: float | None, ticket: str | None = None
    ) -> None:
        seen.append(json.loads(body)["activity_id"])
        context.remaining_ms -= 9_000

    def defer(body: str, not_before: float | None, ticket: str | None = None) -> bool:
        handed_back.append(json.loads(body)["activity_id"])
        return True

    process.defer = defer  # type: ignore[attr-defined]
    handler = _load()
    monkeypatch.setattr(handler, "bootstrap", lambda: SimpleNamespace(process_send_message=process))
    monkeypatch.setattr(handler, "count", lambda *_, **__: None)
    event = {"Records": [_record(f"m{i}", json.dumps({"activity_id": f"act_{i}"})) for i in range(4)]}
    assert handler.lambda_handler(event, context) == {"batchItemFailures": []}, "no receive is used up"
    assert (seen, handed_back) == (["act_0"], ["act_1", "act_2", "act_3"])
