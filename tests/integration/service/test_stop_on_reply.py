"""Stop on reply, through the send queue, the internal routes (SigV4) and the Gmail emulator, with no poll between
the prospect's answer and the follow-up: the send path's own look at the thread must find it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import account, approved, calls, connect, new_workspace, wait_email

PROSPECT = "pat.stop@prospect.example"
SEND = "gmail.users.messages.send"


@pytest.fixture
def first(stack: LocalStack) -> tuple[str, str, str, dict[str, Any]]:
    """A connected workspace with a first email sent: (workspace, token, owner, email)."""
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example")
    account(stack, PROSPECT, "Pat Lee")
    token = connect(stack, workspace, owner)
    stack.send(approved(workspace, "act_1", to={"email": PROSPECT, "name": "Pat"}))
    return workspace, token, owner, wait_email(stack, token, "act_1", "SENT")


def _answer(stack: LocalStack, owner: str, email: dict[str, Any], **extra: Any) -> None:
    message = {
        "from": f"Pat Lee <{PROSPECT}>",
        "subject": "Re: Following up",
        "text": "Thanks, let's talk.",
        "in_reply_to": email["message_id"],
        "references": email["message_id"],
        **extra,
    }
    answer = stack.google("POST", f"mailboxes/{owner}/messages", message)
    assert answer.status_code < 300, answer.text


def _follow_up(stack: LocalStack, workspace: str, activity: str) -> None:
    stack.send(approved(workspace, activity, to={"email": PROSPECT, "name": "Pat"}, in_reply_to_activity_id="act_1"))


def _sends(stack: LocalStack) -> int:
    return len(calls(stack, SEND))


def test_a_reply_after_the_last_poll_parks_the_follow_up_and_release_sends_it_once(
    stack: LocalStack, first: tuple[str, str, str, dict[str, Any]]
) -> None:
    workspace, token, owner, email = first
    _answer(stack, owner, email)  # no schedule tick: no poll has seen it
    sends = _sends(stack)
    _follow_up(stack, workspace, "act_2")
    parked = wait_email(stack, token, "act_2", "EMAIL_READY")
    assert parked["reason"] == "prospect_replied"
    assert _sends(stack) == sends
    # The reply is recorded as the poll would have: REPLIED and one ReplyDetected.
    wait_email(stack, token, "act_1", "REPLIED")
    detected = stack.events("ReplyDetected", where={"workspace_id": workspace, "activity_id": "act_1"})
    assert [e["detail"]["kind"] for e in detected] == ["reply"]
    assert stack.events("EmailParked", where={"workspace_id": workspace, "activity_id": "act_2"})

    path = f"/internal/workspaces/{workspace}/emails/act_2"
    released = stack.signed("POST", f"{path}/release")
    assert released.status_code == 200, released.text
    wait_email(stack, token, "act_2", "SENT")
    again = stack.signed("POST", f"{path}/release")
    assert (again.status_code, again.json()["status"]) == (200, "SENT")
    assert _sends(stack) == sends + 1
    assert stack.signed("DELETE", path).status_code == 409, "a sent email is not parked"


def test_cancel_ends_a_held_follow_up(stack: LocalStack, first: tuple[str, str, str, dict[str, Any]]) -> None:
    workspace, token, owner, email = first
    _answer(stack, owner, email)
    _follow_up(stack, workspace, "act_3")
    wait_email(stack, token, "act_3", "EMAIL_READY")
    path = f"/internal/workspaces/{workspace}/emails/act_3"
    cancelled = stack.signed("DELETE", path)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "CANCELLED"), cancelled.text
    assert stack.signed("DELETE", path).status_code == 200, "cancel is idempotent"
    assert len(stack.events("EmailCancelled", where={"workspace_id": workspace, "activity_id": "act_3"})) == 1
    assert stack.signed("POST", f"{path}/release").status_code == 409
    assert stack.signed("DELETE", f"/internal/workspaces/{workspace}/emails/act_unknown").status_code == 404


def test_an_auto_reply_does_not_stop_the_follow_up(
    stack: LocalStack, first: tuple[str, str, str, dict[str, Any]]
) -> None:
    workspace, token, owner, email = first
    _answer(
        stack,
        owner,
        email,
        subject="Automatic reply: Following up",
        text="I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
    )
    sends = _sends(stack)
    _follow_up(stack, workspace, "act_4")
    wait_email(stack, token, "act_4", "SENT")
    assert _sends(stack) == sends + 1
    wait_email(stack, token, "act_1", "AUTO_REPLIED")
