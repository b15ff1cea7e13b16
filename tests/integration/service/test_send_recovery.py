"""A send interrupted after Gmail accepted the email, before the service recorded it, sends one email.

This runs its own local stack with a short claim lease and Gmail timeout: the emulator accepts the message and
holds its answer back longer than the client waits, which is what a crash between the two looks like from Gmail.
"""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import LocalStack, start_local_stack
from tests.integration.service.flows import (
    account,
    activity_marker,
    approved,
    calls,
    connect,
    mailbox,
    new_workspace,
    wait_email,
)

PROSPECT = "pat.recovery@prospect.example"


@pytest.fixture(scope="module")
def quick_stack() -> Iterator[LocalStack]:
    args = ["--parameter", "SendLeaseSeconds=5", "--parameter", "GmailHttpTimeoutSeconds=2", "--no-schedule"]
    with (
        tempfile.TemporaryDirectory(prefix="outsales-recovery-") as state_dir,
        start_local_stack(Path(state_dir), extra_args=args) as running,
    ):
        yield running


def test_a_send_interrupted_after_gmail_accepted_it_is_recorded_not_repeated(quick_stack: LocalStack) -> None:
    stack = quick_stack
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example")
    account(stack, PROSPECT, "Pat Lee")
    token = connect(stack, workspace, owner)
    fault = {"method": "gmail.users.messages.send", "count": 1, "delay_after_s": 4}
    assert stack.google("POST", "faults", fault).status_code < 300
    stack.send(approved(workspace, "act_crash", to={"email": PROSPECT, "name": "Pat Lee"}))
    sent = wait_email(stack, token, "act_crash", "SENT", timeout=45)
    marker = f"X-OutSales-Activity: {activity_marker(stack, workspace, 'act_crash')}".encode()
    delivered = [m for m in mailbox(stack, PROSPECT) if marker in base64.urlsafe_b64decode(m["raw"] + "==")]
    sends = calls(stack, "gmail.users.messages.send")
    assert len(sends) == 1, "the retry found the email in Gmail instead of sending it again"
    assert sent["gmail_message_id"]
    assert len([m for m in mailbox(stack, owner) if m["id"] == sent["gmail_message_id"]]) == 1
    history = calls(stack, "gmail.users.history.list")
    assert history, "the retry looked in the SENT history"
    assert all("SENT" in str(c["query"]) for c in history)
    assert len(stack.events("EmailSent", where={"workspace_id": workspace}, count=2, timeout=2)) == 1
    assert len(delivered) == 1, "the prospect got one email"
