"""Automatic answers from real responders' shapes, delivered into the thread, end as auto-replies, never as bounces.

Each goes through the emulator's threading (the localised prefixes must group it with our email), the schedule,
the poll queue and the classifier; the last line of defence against a false bounce is here, end to end.
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import account, approved, connect, new_workspace, wait_email

PROSPECT = "kim.kinds@prospect.example"


@pytest.fixture
def three_sent(stack: LocalStack) -> tuple[str, str, dict[str, dict[str, object]]]:
    """Three emails to one prospect, each in its own thread: (token, owner's address, emails by activity)."""
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example", "Sam Seller")
    account(stack, PROSPECT, "Kim Berger")
    token = connect(stack, workspace, owner)
    activities = ("act_de", "act_icloud", "act_delay")
    for activity in activities:
        stack.send(approved(workspace, activity, subject=f"Intro {activity}", to={"email": PROSPECT, "name": "Kim"}))
    emails = {activity: wait_email(stack, token, activity, "SENT") for activity in activities}
    return token, owner, emails


def _deliver(stack: LocalStack, owner: str, email: dict[str, object], **message: object) -> None:
    answer = stack.google(
        "POST",
        f"mailboxes/{owner}/messages",
        {"in_reply_to": email["message_id"], "references": email["message_id"], **message},
    )
    assert answer.status_code < 300, answer.text
    assert answer.json()["threadId"] == email["gmail_thread_id"], "Gmail groups it with our email"


def test_german_exchange_and_icloud_auto_replies_and_a_delay_notice_end_auto_replied(
    stack: LocalStack, three_sent: tuple[str, str, dict[str, dict[str, object]]]
) -> None:
    token, owner, emails = three_sent
    _deliver(  # Exchange: only the localised subject and the suppress request, no Auto-Submitted
        stack,
        owner,
        emails["act_de"],
        **{
            "from": f"Kim Berger <{PROSPECT}>",
            "subject": "Automatische Antwort: Intro act_de",
            "text": "Bin im Urlaub.",
        },
        headers={"X-Auto-Response-Suppress": "All"},
    )
    _deliver(
        stack,
        owner,
        emails["act_icloud"],
        **{"from": f"Kim Berger <{PROSPECT}>", "subject": "Auto reply: Intro act_icloud", "text": "Away until Monday."},
        headers={"Auto-Submitted": "auto-replied"},
    )
    _deliver(  # Gmail's delay warning: the same sender and headers as its failure reports
        stack,
        owner,
        emails["act_delay"],
        **{
            "from": "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "subject": "Delivery Status Notification (Delay)",
            "text": "Delivery incomplete. Gmail will retry for 47 more hours.",
        },
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert stack.schedule().status_code == 200
    for activity in ("act_de", "act_icloud", "act_delay"):
        assert wait_email(stack, token, activity, "AUTO_REPLIED")["auto_replied_at"]
    for activity in ("act_de", "act_icloud", "act_delay"):
        email = wait_email(stack, token, activity, "AUTO_REPLIED")
        assert email["status"] == "AUTO_REPLIED", activity
        assert not email.get("bounced_at"), activity
