"""A bounce suppresses its address: through the send queue, the poll, the internal routes and the Gmail emulator."""

from __future__ import annotations

import urllib.parse

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import account, approved, calls, connect, new_workspace, settle, wait_email

PROSPECT = "Pat.Bounce@Prospect.example"
SEND = "gmail.users.messages.send"


def _bounce(stack: LocalStack, owner: str, message_id: str) -> None:
    answer = stack.google(
        "POST",
        f"mailboxes/{owner}/messages",
        {
            "from": "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "subject": "Delivery Status Notification (Failure)",
            "text": "Address not found",
            "in_reply_to": message_id,
            "references": message_id,
            "headers": {"X-Failed-Recipients": PROSPECT, "Auto-Submitted": "auto-replied"},
        },
    )
    assert answer.status_code < 300, answer.text


def test_a_bounced_address_is_not_mailed_again_until_the_suppression_is_lifted(stack: LocalStack) -> None:
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example")
    account(stack, PROSPECT, "Pat Lee")
    token = connect(stack, workspace, owner)
    stack.send(approved(workspace, "act_1", to={"email": PROSPECT, "name": "Pat"}))
    first = wait_email(stack, token, "act_1", "SENT")
    _bounce(stack, owner, str(first["message_id"]))
    assert stack.schedule().status_code == 200
    wait_email(stack, token, "act_1", "BOUNCED")

    listed = stack.signed("GET", f"/internal/workspaces/{workspace}/suppressions")
    assert listed.status_code == 200, listed.text
    [entry] = listed.json()["suppressions"]
    assert (entry["address"], entry["reason"], entry["activity_id"]) == (
        "Pat.Bounce@prospect.example",
        "bounce",
        "act_1",
    )
    assert entry["since"]

    sends_before = len(calls(stack, SEND))
    # The domain in another case is the same address.
    stack.send(approved(workspace, "act_2", to={"email": "Pat.Bounce@PROSPECT.EXAMPLE", "name": "Pat"}))
    second = wait_email(stack, token, "act_2", "FAILED")
    assert second["reason"] == "recipient_suppressed"
    settle()
    assert len(calls(stack, SEND)) == sends_before, "a suppressed address costs no Gmail call"

    path = f"/internal/workspaces/{workspace}/suppressions/{urllib.parse.quote(PROSPECT, safe='')}"
    lifted = stack.signed("DELETE", path)
    assert (lifted.status_code, lifted.json()["lifted"]) == (200, True), lifted.text
    again = stack.signed("DELETE", path)
    assert (again.status_code, again.json()["lifted"]) == (200, False), "lifting is idempotent"
    assert stack.signed("GET", f"/internal/workspaces/{workspace}/suppressions").json()["suppressions"] == []

    stack.send(approved(workspace, "act_3", to={"email": PROSPECT, "name": "Pat"}))
    wait_email(stack, token, "act_3", "SENT")
    assert len(calls(stack, SEND)) == sends_before + 1


def test_suppression_routes_refuse_unsigned_requests_and_bad_addresses(stack: LocalStack) -> None:
    workspace = new_workspace()
    assert stack.api("GET", f"/internal/workspaces/{workspace}/suppressions").status_code == 403
    bad = stack.signed("DELETE", f"/internal/workspaces/{workspace}/suppressions/not-an-address")
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_request"), bad.text


def test_gmails_permanent_invalid_recipient_refusal_suppresses_the_address(stack: LocalStack) -> None:
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example")
    token = connect(stack, workspace, owner)
    refusal = {"method": SEND, "status": 400, "count": 1, "reason": "invalidArgument", "message": "Invalid To header"}
    assert stack.google("POST", "faults", refusal).status_code < 300
    to = {"email": "nobody.here@prospect.example", "name": "Nobody"}
    stack.send(approved(workspace, "act_1", to=to))
    assert wait_email(stack, token, "act_1", "FAILED")["reason"] == "invalid_recipient"
    [entry] = stack.signed("GET", f"/internal/workspaces/{workspace}/suppressions").json()["suppressions"]
    assert (entry["address"], entry["reason"]) == ("nobody.here@prospect.example", "invalid_recipient")
    sends = len(calls(stack, SEND))
    stack.send(approved(workspace, "act_2", to=to))
    assert wait_email(stack, token, "act_2", "FAILED")["reason"] == "recipient_suppressed"
    settle()
    assert len(calls(stack, SEND)) == sends
