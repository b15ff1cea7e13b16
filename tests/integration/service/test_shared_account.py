"""One Gmail account connected in two workspaces: letting go in one does not cut the other off at Google."""

from __future__ import annotations

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import account, approved, calls, connect, new_workspace, wait_email


def test_disconnecting_one_workspace_keeps_the_others_grant(stack: LocalStack) -> None:
    shared = account(stack, "shared.owner@company.example")
    account(stack, "pat.shared@prospect.example")
    a, b = new_workspace(), new_workspace()
    token_a, token_b = connect(stack, a, shared), connect(stack, b, shared)
    revokes_before = len(calls(stack, "oauth.revoke"))
    assert stack.api("DELETE", "/gmail/connection", token=token_a).json()["status"] == "disconnected"
    assert len(calls(stack, "oauth.revoke")) == revokes_before, "Google's grant is the other workspace's too"
    stack.send(approved(b, "act_shared", to={"email": "pat.shared@prospect.example"}))
    wait_email(stack, token_b, "act_shared", "SENT")
    assert stack.api("GET", "/gmail/status", token=token_b).json()["status"] == "connected"
    # The last workspace letting go revokes the grant.
    assert stack.api("DELETE", "/gmail/connection", token=token_b).status_code == 200
    revokes = calls(stack, "oauth.revoke")[revokes_before:]
    assert [c["status"] for c in revokes] == [200]
