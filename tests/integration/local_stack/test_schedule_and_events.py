"""The schedule runs on demand with EventBridge's Scheduled Event, and every event on the bus reaches the log."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from tests.integration.conftest import LocalStack


def test_schedule_runs_on_demand_with_a_scheduled_event(toy_stack: LocalStack) -> None:
    # When the schedule is run on demand
    before = len(toy_stack.events("ScheduleRan", count=0))
    answer = toy_stack.schedule()

    # Then it answers once the function has run, and the function got a Scheduled Event
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ran": [{"function": "ScheduleFunction", "event": "EveryMinute", "ok": True}]}
    ran = toy_stack.events("ScheduleRan", count=before + 1)
    event = ran[-1]["detail"]["event"]
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["account"] == toy_stack["account_id"]
    assert event["region"] == toy_stack["aws_region"]
    assert event["detail"] == {}
    assert event["resources"][0].startswith(f"arn:aws:events:{toy_stack['aws_region']}:")
    assert ":rule/" in event["resources"][0]
    assert ran[-1]["detail"]["function"] == toy_stack["functions"]["ScheduleFunction"]


def test_handler_output_and_errors_reach_the_functions_log(toy_stack: LocalStack) -> None:
    assert toy_stack.schedule().status_code == 200
    toy_stack.wait_for(lambda: '"message": "schedule ran"' in toy_stack.functions_log(), message="no handler output")
    failing = toy_stack.api("GET", "/echo", token=toy_stack.jwt("ws_log"), params={"mode": "raise"})
    assert failing.status_code == 500
    errors = [json.loads(line) for line in toy_stack.functions_log().splitlines() if '"errorMessage"' in line]
    assert any(e["errorType"] == "RuntimeError" and e["errorMessage"] == "asked to fail" for e in errors)


def test_every_event_put_on_the_bus_is_logged_whole(toy_stack: LocalStack) -> None:
    # Given events from two different sources put on the service's bus
    marker = uuid.uuid4().hex
    events = toy_stack.client("events")
    events.put_events(
        Entries=[
            {
                "Source": "outsales.gmail",
                "DetailType": "EmailParked",
                "Detail": json.dumps({"workspace_id": "ws_log", "activity_id": marker, "reason": "not_connected"}),
                "EventBusName": toy_stack["event_bus_name"],
            },
            {
                "Source": "someone.else",
                "DetailType": "Unrelated",
                "Detail": json.dumps({"activity_id": marker}),
                "EventBusName": toy_stack["event_bus_name"],
            },
        ]
    )

    # Then both appear in the events log with their whole EventBridge envelope, one JSON object per line
    (parked,) = toy_stack.events("EmailParked", where={"activity_id": marker})
    assert set(parked) >= {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
    assert parked["source"] == "outsales.gmail"
    assert parked["detail"] == {"workspace_id": "ws_log", "activity_id": marker, "reason": "not_connected"}
    assert toy_stack.events("Unrelated", where={"activity_id": marker})
    for line in Path(toy_stack["events_log"]).read_text().splitlines():
        assert isinstance(json.loads(line), dict)


def test_events_on_another_bus_are_not_logged(toy_stack: LocalStack) -> None:
    marker = uuid.uuid4().hex
    toy_stack.client("events").put_events(
        Entries=[{"Source": "outsales.gmail", "DetailType": "Elsewhere", "Detail": json.dumps({"m": marker})}]
    )
    time.sleep(1.5)
    assert not toy_stack.events("Elsewhere", count=0)
