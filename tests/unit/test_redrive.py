"""infra/scripts/redrive.py asks SQS itself to move a DLQ back (a message move task) and refuses what SQS can't move."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tests.unit.load_file import load_file

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "scripts" / "redrive.py"
DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/outsales-gmail-prod-send-dlq"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:outsales-gmail-prod-send-dlq"


def _load() -> ModuleType:
    return load_file("redrive_under_test", SCRIPT)


class _Session:
    def __init__(self) -> None:
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        self.clients = {name: session.client(name) for name in ("sqs", "cloudformation")}
        self.stubs = {name: Stubber(client) for name, client in self.clients.items()}

    def client(self, name: str) -> Any:
        return self.clients[name]


def _stack_outputs(session: _Session, stack: str) -> None:
    session.stubs["cloudformation"].add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": stack,
                    "CreationTime": "2026-11-01T00:00:00Z",
                    "StackStatus": "UPDATE_COMPLETE",
                    "Outputs": [{"OutputKey": "SendDeadLetterQueueUrl", "OutputValue": DLQ_URL}],
                }
            ]
        },
        {"StackName": stack},
    )
    session.stubs["sqs"].add_response(
        "get_queue_attributes",
        {"Attributes": {"QueueArn": DLQ_ARN}},
        {"QueueUrl": DLQ_URL, "AttributeNames": ["QueueArn"]},
    )


def _depth(session: _Session, visible: int) -> None:
    session.stubs["sqs"].add_response(
        "get_queue_attributes",
        {"Attributes": {"ApproximateNumberOfMessages": str(visible), "ApproximateNumberOfMessagesNotVisible": "0"}},
        {
            "QueueUrl": DLQ_URL,
            "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        },
    )


def _task(status: str, moved: int) -> dict[str, Any]:
    return {"TaskHandle": "h1", "Status": status, "SourceArn": DLQ_ARN, "ApproximateNumberOfMessagesMoved": moved}


def test_moves_the_send_dlq_back_to_its_source_and_waits_for_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    redrive = _load()
    monkeypatch.setattr(redrive.time, "sleep", lambda _: None)
    session = _Session()
    _stack_outputs(session, "outsales-gmail-prod")
    _depth(session, 3)
    sqs = session.stubs["sqs"]
    sqs.add_response("list_message_move_tasks", {"Results": []}, {"SourceArn": DLQ_ARN})
    # No DestinationArn: SQS sends each message back to the queue it came from.
    sqs.add_response("start_message_move_task", {"TaskHandle": "h1"}, {"SourceArn": DLQ_ARN})
    sqs.add_response("list_message_move_tasks", {"Results": [_task("RUNNING", 1)]}, {"SourceArn": DLQ_ARN})
    sqs.add_response("list_message_move_tasks", {"Results": [_task("COMPLETED", 3)]}, {"SourceArn": DLQ_ARN})
    with sqs, session.stubs["cloudformation"]:
        assert redrive.main(["send", "--stage", "prod", "--yes"], session=session) == 0
        sqs.assert_no_pending_responses()


def test_asks_first_and_moves_nothing_without_a_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    redrive = _load()
    monkeypatch.setattr("builtins.input", lambda _: "n")
    session = _Session()
    _stack_outputs(session, "outsales-gmail-dev")
    _depth(session, 2)
    with session.stubs["sqs"], session.stubs["cloudformation"]:
        assert redrive.main(["send"], session=session) == 1  # any start_message_move_task would be unstubbed


def test_refuses_a_second_task_on_the_same_queue() -> None:
    redrive = _load()
    session = _Session()
    sqs = session.stubs["sqs"]
    running = {**_task("RUNNING", 0), "StartedTimestamp": 1796025600000}
    sqs.add_response("list_message_move_tasks", {"Results": [running]}, {"SourceArn": DLQ_ARN})
    with sqs, pytest.raises(redrive.RedriveError, match="already running"):
        redrive.redrive(session.client("sqs"), DLQ_ARN, rate=None)


def test_the_schedule_dlq_is_refused_with_what_to_do_instead(capsys: pytest.CaptureFixture[str]) -> None:
    redrive = _load()
    session = _Session()
    with session.stubs["sqs"], session.stubs["cloudformation"]:
        assert redrive.main(["schedule", "--yes"], session=session) == 2
    assert "purge" in capsys.readouterr().err


def test_a_failed_task_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    redrive = _load()
    session = _Session()
    sqs = session.stubs["sqs"]
    sqs.add_response("list_message_move_tasks", {"Results": []}, {"SourceArn": DLQ_ARN})
    sqs.add_response(
        "start_message_move_task", {"TaskHandle": "h1"}, {"SourceArn": DLQ_ARN, "MaxNumberOfMessagesPerSecond": 5}
    )
    failed = {**_task("FAILED", 0), "FailureReason": "AccessDenied"}
    sqs.add_response("list_message_move_tasks", {"Results": [failed]}, {"SourceArn": DLQ_ARN})
    with sqs:
        task = redrive.redrive(session.client("sqs"), DLQ_ARN, rate=5, say=lambda _: None)
    assert task["FailureReason"] == "AccessDenied"
