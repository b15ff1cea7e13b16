"""A sent email shows the prospect no internal id: its Message-ID and activity header are random."""

from __future__ import annotations

import base64
import uuid

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import account, approved, connect, mailbox, new_workspace, wait_email

PROSPECT = "pat.opaque@prospect.example"


def test_the_prospect_sees_no_workspace_or_activity_id(stack: LocalStack) -> None:
    workspace = new_workspace()
    sender = f"sam.{uuid.uuid4().hex[:8]}@company.example"  # an address that does not spell the workspace id
    token = connect(stack, workspace, account(stack, sender))
    account(stack, PROSPECT)
    stack.send(approved(workspace, "act_opaque_1", to={"email": PROSPECT}))
    stack.send(approved(workspace, "act_opaque_2", to={"email": PROSPECT}, in_reply_to_activity_id="act_opaque_1"))
    first = wait_email(stack, token, "act_opaque_1", "SENT")
    second = wait_email(stack, token, "act_opaque_2", "SENT")
    received = [base64.urlsafe_b64decode(m["raw"] + "==") for m in mailbox(stack, PROSPECT)]
    ours = [
        raw for raw in received if str(first["message_id"]).encode() in raw or str(second["message_id"]).encode() in raw
    ]
    assert len(ours) == 2, "both emails arrived, the follow-up naming the first"
    for raw in ours:
        assert workspace.encode() not in raw
        assert b"act_opaque" not in raw
    assert first["message_id"] != second["message_id"]
