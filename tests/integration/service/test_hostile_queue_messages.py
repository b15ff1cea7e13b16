"""Hostile send-queue messages through the local stack: nothing stalls SENDING, nothing parked is destroyed."""

from __future__ import annotations

import pytest

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import (
    account,
    approved,
    connect,
    email_of,
    mailbox,
    new_workspace,
    settle,
    wait_email,
)

PROSPECT = "pat.hostile@prospect.example"


@pytest.fixture
def connected(stack: LocalStack) -> tuple[str, str]:
    workspace = new_workspace()
    token = connect(stack, workspace, account(stack, f"sam.{workspace}@company.example"))
    account(stack, PROSPECT, "Pat Lee")
    return workspace, token


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"], ids=["U+2028", "U+2029", "U+0085"])
def test_a_subject_with_a_unicode_line_separator_fails_at_once_with_its_reason(
    stack: LocalStack, connected: tuple[str, str], separator: str
) -> None:
    workspace, token = connected
    activity = f"act_sep_{ord(separator):04x}"
    stack.send(approved(workspace, activity, subject=f"Quick{separator}question", to={"email": PROSPECT}))
    email = wait_email(stack, token, activity, "FAILED", timeout=15)
    assert email["reason"] == "invalid_message"

    def dead_lettered() -> list[str]:
        letters = stack.client("sqs").receive_message(
            QueueUrl=stack["send_dlq_url"], MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=1
        )
        return [
            m["MessageAttributes"]["failure_reason"]["StringValue"]
            for m in letters.get("Messages", [])
            if activity in m["Body"]
        ]

    reasons = stack.wait_for(dead_lettered, timeout=15, message="no DLQ message for the activity")
    assert reasons, "the dead-lettered message carries its failure_reason"
    assert "subject" in reasons[0]
    assert activity in stack.functions_log(), "the functions log names the activity"
    assert not [m for m in mailbox(stack, PROSPECT) if activity in m["raw"]]


def test_an_invalid_message_reusing_a_parked_activity_leaves_it_untouched(
    stack: LocalStack, connected: tuple[str, str]
) -> None:
    workspace, token = connected
    billing = f"/internal/workspaces/{workspace}/billing"
    assert stack.signed("PUT", billing, {"status": "past_due"}).status_code == 200
    stack.send(approved(workspace, "act_parked", to={"email": PROSPECT, "name": "Pat"}))
    parked = wait_email(stack, token, "act_parked", "EMAIL_READY")
    assert parked["reason"] == "billing_past_due"
    # The attack: same activity id, a message that cannot be valid.
    stack.send(approved(workspace, "act_parked", subject="Hi\r\nBcc: everyone@example.com"))
    stack.send({"version": 1, "workspace_id": workspace, "activity_id": "act_parked"})
    settle(3)
    after = email_of(stack, token, "act_parked")
    assert after is not None
    assert (after["status"], after["reason"]) == ("EMAIL_READY", "billing_past_due")
    item = stack.table().get_item(Key={"pk": f"WS#{workspace}", "sk": "EMAIL#act_parked"}).get("Item")
    assert item is not None
    assert item.get("command"), "the stored command is kept"
    assert stack.signed("PUT", billing, {"status": "current"}).status_code == 200
    wait_email(stack, token, "act_parked", "SENT", timeout=20)
