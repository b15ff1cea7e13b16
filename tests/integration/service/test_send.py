"""Sending approved emails from the send queue through the Gmail emulator, with the real Google client."""

from __future__ import annotations

import base64
import json
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import (
    account,
    activity_marker,
    approved,
    calls,
    connect,
    mailbox,
    new_workspace,
    settle,
    wait_email,
)

PROSPECT = "pat@prospect.example"


@pytest.fixture
def connected(stack: LocalStack) -> tuple[str, str, str]:
    """A workspace connected to its own Gmail account, with a profile; returns (workspace, token, address)."""
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example", "Sam Seller")
    account(stack, PROSPECT, "Pat Lee")
    token = connect(stack, workspace, owner)
    profile = {"display_name": "Sam Séller", "signature_text": "Sam Séller\nOutSales", "signature_html": "<b>Sam</b>"}
    assert stack.api("PUT", "/profile", token=token, json=profile).status_code == 200
    return workspace, token, owner


def _parsed(message: dict[str, Any]) -> EmailMessage:
    parsed = message_from_bytes(base64.urlsafe_b64decode(message["raw"] + "=="), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _received(stack: LocalStack, email: str) -> list[tuple[dict[str, Any], EmailMessage]]:
    """What the prospect received of `email` ("<workspace>/<activity>"), found by its opaque activity header."""
    workspace, activity = email.split("/", 1)
    marker = activity_marker(stack, workspace, activity)
    if marker is None:
        return []
    found = [(m, _parsed(m)) for m in mailbox(stack, PROSPECT)]
    return [(m, p) for m, p in found if p["X-OutSales-Activity"] == marker]


def test_an_approved_email_reaches_the_prospect_signed_and_a_follow_up_joins_its_thread(
    stack: LocalStack, connected: tuple[str, str, str]
) -> None:
    workspace, token, owner = connected
    stack.send(approved(workspace, "act_1", subject="Notre échange"))
    first = wait_email(stack, token, "act_1", "SENT")
    assert first["gmail_message_id"]
    assert first["message_id"].endswith("@mail.outsales.app>")
    [(delivered, message)] = _received(stack, f"{workspace}/act_1")
    assert "INBOX" in delivered["labelIds"]
    assert message["From"].addresses[0].addr_spec == owner
    assert message["From"].addresses[0].display_name == "Sam Séller"
    assert message["To"].addresses[0].display_name == "Pat Lee"
    assert message["Subject"] == "Notre échange"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "-- \r\nSam Séller\r\nOutSales" in text or "-- \nSam Séller\nOutSales" in text
    assert '<div class="outsales-signature"><b>Sam</b></div>' in html
    sent_copy = [m for m in mailbox(stack, owner) if m["id"] == first["gmail_message_id"]]
    assert sent_copy
    assert "SENT" in sent_copy[0]["labelIds"]
    assert stack.events("EmailSent", where={"workspace_id": workspace, "activity_id": "act_1"})

    stack.send(approved(workspace, "act_2", subject="Checking in", in_reply_to_activity_id="act_1"))
    second = wait_email(stack, token, "act_2", "SENT")
    assert second["gmail_thread_id"] == first["gmail_thread_id"], "the follow-up joins the thread in Gmail"
    [(follow_delivered, follow_up)] = _received(stack, f"{workspace}/act_2")
    assert follow_delivered["threadId"] == delivered["threadId"], "and in the prospect's mailbox too"
    assert follow_up["In-Reply-To"] == message["Message-ID"]
    assert follow_up["References"] == message["Message-ID"]
    assert follow_up["Subject"] == "Re: Notre échange"


def test_the_same_message_twice_and_twice_at_once_sends_one_email(
    stack: LocalStack, connected: tuple[str, str, str]
) -> None:
    workspace, token, _ = connected
    message = approved(workspace, "act_dup")
    stack.send(message)
    stack.send(message)
    wait_email(stack, token, "act_dup", "SENT")
    entries = [{"Id": str(i), "MessageBody": json.dumps(approved(workspace, "act_dup2"))} for i in range(3)]
    stack.client("sqs").send_message_batch(QueueUrl=stack["send_queue_url"], Entries=entries)
    wait_email(stack, token, "act_dup2", "SENT")
    settle(2)
    stack.send(message)
    settle(2)
    assert len(_received(stack, f"{workspace}/act_dup")) == 1
    assert len(_received(stack, f"{workspace}/act_dup2")) == 1
    assert len(stack.events("EmailSent", where={"workspace_id": workspace}, count=3, timeout=2)) == 2


@pytest.mark.parametrize(
    ("route", "closed", "opened", "reason"),
    [
        ("billing", {"status": "past_due"}, {"status": "current"}, "billing_past_due"),
        ("agents/ag_1", {"active": False}, {"active": True}, "agent_inactive"),
    ],
)
def test_each_gate_parks_with_its_reason_and_opening_it_sends_each_email_once(
    stack: LocalStack, connected: tuple[str, str, str], route: str, closed: Any, opened: Any, reason: str
) -> None:
    workspace, token, _ = connected
    path = f"/internal/workspaces/{workspace}/{route}"
    assert stack.signed("PUT", path, closed).status_code == 200
    for activity in ("act_g1", "act_g2"):
        stack.send(approved(workspace, activity))
    for activity in ("act_g1", "act_g2"):
        assert wait_email(stack, token, activity, "EMAIL_READY")["reason"] == reason
    answer = stack.signed("PUT", path, opened)
    assert answer.status_code == 200
    assert answer.json()["redriven"] == 2
    for activity in ("act_g1", "act_g2"):
        wait_email(stack, token, activity, "SENT")
    stack.signed("PUT", path, opened)  # opening again re-drives nothing new and sends nothing twice
    settle(2)
    for activity in ("act_g1", "act_g2"):
        assert len(_received(stack, f"{workspace}/{activity}")) == 1


def test_internal_routes_refuse_unsigned_requests(stack: LocalStack) -> None:
    path = f"/internal/workspaces/{new_workspace()}/billing"
    assert stack.api("PUT", path, json={"status": "past_due"}).status_code == 403
    assert stack.signed("PUT", path, {"status": "past_due"}, secret_key="wrong").status_code == 403


def test_a_rate_limit_with_retry_after_is_retried_after_that_wait(
    stack: LocalStack, connected: tuple[str, str, str]
) -> None:
    workspace, token, _ = connected
    fault = {"method": "gmail.users.messages.send", "status": 429, "count": 1, "retry_after": 2}
    assert stack.google("POST", "faults", fault).status_code < 300
    stack.send(approved(workspace, "act_429"))
    wait_email(stack, token, "act_429", "SENT", timeout=30)
    sends = calls(stack, "gmail.users.messages.send")
    assert 429 in [c["status"] for c in sends]
    assert len(_received(stack, f"{workspace}/act_429")) == 1


def test_a_server_error_is_retried_and_sent_once(stack: LocalStack, connected: tuple[str, str, str]) -> None:
    workspace, token, _ = connected
    fault = {"method": "gmail.users.messages.send", "status": 500, "count": 1}
    assert stack.google("POST", "faults", fault).status_code < 300
    stack.send(approved(workspace, "act_500"))
    wait_email(stack, token, "act_500", "SENT", timeout=40)
    assert len(_received(stack, f"{workspace}/act_500")) == 1


def test_invalid_grant_parks_the_email_needing_reconnect(stack: LocalStack, connected: tuple[str, str, str]) -> None:
    workspace, token, owner = connected
    # Connecting already refreshed the token once (users.watch); the send must refresh it again to meet the fault.
    assert stack.google("POST", "tokens/expire", {"email": owner}).status_code < 300
    fault = {"method": "oauth.token", "status": 400, "count": 1, "error": "invalid_grant"}
    assert stack.google("POST", "faults", fault).status_code < 300
    stack.send(approved(workspace, "act_grant"))
    email = wait_email(stack, token, "act_grant", "EMAIL_READY")
    assert email["reason"] == "gmail_needs_reconnect"
    assert stack.api("GET", "/gmail/status", token=token).json()["status"] == "needs_reconnect"


def test_header_injection_is_refused(stack: LocalStack, connected: tuple[str, str, str]) -> None:
    workspace, token, _ = connected
    attempts = {
        "act_inj_subject": {"subject": "Hello\r\nBcc: everyone@example.com"},
        "act_inj_name": {"to": {"email": PROSPECT, "name": "Pat\r\nBcc: everyone@example.com"}},
        "act_inj_address": {"to": {"email": f"{PROSPECT}\r\nBcc: everyone@example.com", "name": "Pat"}},
    }
    for activity, change in attempts.items():
        stack.send(approved(workspace, activity, **change))
    for activity in attempts:
        assert wait_email(stack, token, activity, "FAILED")["reason"] == "invalid_message"
        assert not _received(stack, f"{workspace}/{activity}")
    assert stack.google("GET", "mailboxes/everyone@example.com/messages").status_code == 404, "nobody got a Bcc"
