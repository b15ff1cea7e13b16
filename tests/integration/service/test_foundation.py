"""The foundation's promises, through the front door and SQS of the running local stack."""

from __future__ import annotations

import json

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import approved, new_workspace, wait_email


def test_a_new_workspace_is_disconnected(stack: LocalStack) -> None:
    answer = stack.api("GET", "/gmail/status", token=stack.jwt(new_workspace()))
    assert answer.status_code == 200
    assert answer.json()["status"] == "disconnected"


def test_missing_or_expired_tokens_are_refused(stack: LocalStack) -> None:
    assert stack.api("GET", "/gmail/status").status_code == 401
    assert stack.api("GET", "/gmail/status", token=stack.jwt("ws_x", ttl_s=-60)).status_code == 401
    assert stack.api("GET", "/gmail/status", token="not.a.jwt").status_code == 401


def test_the_workspace_comes_from_the_token_never_from_the_request(stack: LocalStack) -> None:
    mine, theirs = new_workspace(), new_workspace()
    their_token = stack.jwt(theirs)
    stack.send(approved(theirs, "act_theirs"))
    wait_email(stack, their_token, "act_theirs", "EMAIL_READY")
    token = stack.jwt(mine)
    # A workspace id in the query or body changes nothing: the token's workspace is the only one.
    listed = stack.api("GET", "/emails", token=token, params={"workspace_id": theirs})
    assert listed.status_code == 200
    assert listed.json()["items"] == []
    assert stack.api("GET", "/emails/act_theirs", token=token, params={"workspace_id": theirs}).status_code == 404
    refused = stack.api("PUT", "/profile", token=token, json={"display_name": "X", "workspace_id": theirs})
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_request"
    assert stack.api("GET", "/profile", token=their_token).json()["display_name"] == ""


def test_an_approved_email_without_gmail_waits_in_email_ready_with_its_reason(stack: LocalStack) -> None:
    workspace = new_workspace()
    token = stack.jwt(workspace)
    stack.send(approved(workspace, "act_1"))
    email = wait_email(stack, token, "act_1", "EMAIL_READY")
    assert email["reason"] == "gmail_not_connected"
    assert "Settings > Integrations" in email["reason_message"]
    parked = stack.events("EmailParked", where={"workspace_id": workspace, "activity_id": "act_1"})
    assert len(parked) == 1
    assert parked[0]["source"] == "outsales.gmail"
    assert parked[0]["detail"]["reason"] == "gmail_not_connected"
    assert "text" not in parked[0]["detail"], "events carry ids, never bodies"


def test_a_malformed_message_ends_on_the_dead_letter_queue(stack: LocalStack) -> None:
    workspace = new_workspace()
    body = json.dumps({"version": 1, "workspace_id": workspace, "activity_id": "act_bad", "subject": "Hi"})
    stack.send(body)

    def on_dlq() -> list[dict[str, object]]:
        return [m for m in stack.queue_messages("send_dlq_url") if m["Body"] == body]

    stack.wait_for(on_dlq, timeout=20, message="the malformed message never reached the DLQ")
    email = wait_email(stack, stack.jwt(workspace), "act_bad", "FAILED")
    assert email["reason"] == "invalid_message"
    assert "agent_id" in email["reason_message"]
