"""Bodies are kept only while needed: a final email keeps ids and reason, loses its stored command, and expires."""

from __future__ import annotations

import time

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import account, approved, connect, new_workspace, wait_email

DAY_S = 86_400


def _item(stack: LocalStack, workspace: str, activity: str) -> dict[str, object]:
    item = stack.table().get_item(Key={"pk": f"WS#{workspace}", "sk": f"EMAIL#{activity}"}, ConsistentRead=True)
    return dict(item["Item"])


def test_sent_and_failed_emails_drop_their_bodies_and_get_a_ttl(stack: LocalStack) -> None:
    workspace = new_workspace()
    token = connect(stack, workspace, account(stack, f"sam.{workspace}@company.example"))
    account(stack, "pat.retention@prospect.example")
    billing = f"/internal/workspaces/{workspace}/billing"
    assert stack.signed("PUT", billing, {"status": "past_due"}).status_code == 200
    stack.send(approved(workspace, "act_keep", to={"email": "pat.retention@prospect.example"}))
    wait_email(stack, token, "act_keep", "EMAIL_READY")
    parked = _item(stack, workspace, "act_keep")
    assert parked.get("command"), "a parked email keeps its message until it can be sent"
    assert "expires_at" not in parked, "a waiting email never expires"
    assert stack.signed("PUT", billing, {"status": "current"}).status_code == 200
    wait_email(stack, token, "act_keep", "SENT")
    sent = _item(stack, workspace, "act_keep")
    assert "command" not in sent
    expires = int(str(sent["expires_at"]))
    assert 364 * DAY_S < expires - time.time() < 366 * DAY_S, "EmailRetentionDays' default: 365 days"

    fault = {"method": "gmail.users.messages.send", "status": 400, "count": 1, "reason": "invalidArgument"}
    assert stack.google("POST", "faults", fault).status_code < 300
    stack.send(approved(workspace, "act_refused", to={"email": "pat.retention@prospect.example"}))
    wait_email(stack, token, "act_refused", "FAILED")
    failed = _item(stack, workspace, "act_refused")
    assert "command" not in failed, "subject and bodies are not kept once the email is final"
    assert int(str(failed["expires_at"])) > time.time()
