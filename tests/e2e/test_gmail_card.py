"""The Settings > Integrations Gmail card and the onboarding step, in Chromium, against the whole local stack.

Every connect goes through the Google emulator's real consent page in a real popup: choose the account, then
Continue or Cancel.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.demo_page import ERROR_WORDS, DemoPage, google_account
from tests.integration.conftest import PROJECT_ROOT, LocalStack

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"
DOCS_SCREENSHOT = PROJECT_ROOT / "docs" / "images" / "gmail-card.png"
DISCONNECT_WARNING = "Disconnecting will prevent your agents from sending emails."


def test_connect_from_the_wizard_closes_the_popup_and_shows_connected_and_the_checkmark(
    demo: DemoPage, stack: LocalStack
) -> None:
    email = google_account(stack)
    expect(demo.wizard_check).to_be_hidden()
    popup = demo.open_popup(demo.wizard_connect)
    expect(demo.card).to_have_attribute("data-busy", "connecting")
    demo.consent(popup, email)

    assert popup.is_closed()
    demo.expect_connected(email)
    expect(demo.card).to_have_attribute("data-connect-via", "message")  # the popup's postMessage, not the fallback
    expect(demo.wizard_check).to_be_visible()
    expect(demo.wizard_connect).to_be_hidden()
    expect(demo.card_button("Disconnect")).to_be_visible()
    expect(demo.card_button("Connect")).to_be_hidden()
    expect(demo.card_error).to_be_hidden()
    status = demo.api_status()
    assert (status["status"], status["email"]) == ("connected", email)


def test_connect_from_the_settings_card(demo: DemoPage, stack: LocalStack) -> None:
    """Also the README's picture of the connected card (written to docs/ only with OUTSALES_DOCS_SCREENSHOT=1)."""
    email = google_account(stack, "Sam Seller", "sam.seller@company.example")
    demo.connect(email)
    expect(demo.card_status).to_contain_text("Connected")
    expect(demo.card_status).to_contain_text(email)
    expect(demo.wizard_check).to_be_visible()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    demo.card.screenshot(path=str(ARTIFACTS / "gmail-card.png"), animations="disabled")
    if os.environ.get("OUTSALES_DOCS_SCREENSHOT") == "1":
        Path(DOCS_SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
        demo.card.screenshot(path=str(DOCS_SCREENSHOT), animations="disabled")


def test_cancel_on_the_consent_page_shows_access_denied(demo: DemoPage, stack: LocalStack) -> None:
    email = google_account(stack)
    popup = demo.open_popup(demo.card_button("Connect"))
    demo.consent(popup, email, allow=False)

    expect(demo.card_error).to_be_visible()
    expect(demo.card_error).to_have_attribute("data-code", "access_denied")
    expect(demo.card_error).to_have_text(ERROR_WORDS["access_denied"])
    expect(demo.card).to_have_attribute("data-state", "disconnected")
    expect(demo.card).to_have_attribute("data-busy", "")
    expect(demo.card_button("Connect")).to_be_enabled()
    expect(demo.wizard_check).to_be_hidden()
    assert demo.api_status()["status"] == "disconnected"


def test_disconnect_asks_first_cancel_keeps_the_connection_and_disconnect_ends_it(
    demo: DemoPage, stack: LocalStack
) -> None:
    email = google_account(stack)
    demo.connect(email)
    dialog = demo.page.get_by_role("dialog", name="Disconnect Gmail?")

    demo.card_button("Disconnect").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(DISCONNECT_WARNING)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    demo.expect_connected(email)
    assert demo.api_status()["status"] == "connected"

    demo.card_button("Disconnect").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Disconnect").click()
    expect(dialog).to_be_hidden()
    expect(demo.card).to_have_attribute("data-state", "disconnected")
    expect(demo.page.locator("#gmail-badge")).to_have_text("Not connected")
    expect(demo.page.locator("#gmail-address")).to_have_text("")
    expect(demo.card_button("Connect")).to_be_visible()
    expect(demo.card_button("Disconnect")).to_be_hidden()
    expect(demo.wizard_connect).to_be_visible()
    assert demo.api_status()["status"] == "disconnected"


def test_a_revoked_grant_shows_needs_reconnect_with_the_reason_and_reconnect_connects(
    demo: DemoPage, stack: LocalStack
) -> None:
    email = google_account(stack)
    demo.connect(email)
    assert stack.google("POST", f"accounts/{email}/revoke").status_code < 300
    demo.put_on_send_queue("act_waits")  # the send finds out that the grant is gone

    expect(demo.card).to_have_attribute("data-state", "needs_reconnect")
    status = demo.api_status()
    assert status["status"] == "needs_reconnect"
    assert status["last_error"]
    expect(demo.page.locator("#gmail-badge")).to_have_text("Needs reconnecting")
    expect(demo.page.locator("#gmail-address")).to_have_text(email)
    expect(demo.page.locator("#gmail-detail")).to_have_text(status["last_error"])
    waiting = demo.activity_row("act_waits")
    expect(waiting).to_contain_text("Email Ready")
    expect(waiting).to_contain_text(demo.api_email("act_waits")["reason_message"])
    expect(demo.wizard_check).to_be_hidden()

    popup = demo.open_popup(demo.card_button("Reconnect"))
    demo.consent(popup, email)
    demo.expect_connected(email)
    expect(demo.card_button("Reconnect")).to_be_hidden()
    expect(demo.activity_row("act_waits")).to_contain_text("Sent")  # reconnecting re-drives what waited


def test_an_email_on_the_send_queue_shows_sent_then_replied(demo: DemoPage, stack: LocalStack) -> None:
    email = google_account(stack)
    demo.connect(email)
    demo.put_on_send_queue("act_reply", to="pat.e2e@prospect.example", subject="Next steps")

    row = demo.activity_row("act_reply")
    expect(row).to_contain_text("pat.e2e@prospect.example")
    expect(row).to_contain_text("Next steps")
    expect(row.locator(".pill")).to_have_text("Sent")
    sent = demo.api_email("act_reply")
    assert sent["status"] == "SENT"
    assert sent["message_id"]

    delivered = stack.google(
        "POST",
        f"mailboxes/{email}/messages",
        {
            "from": "Pat Lee <pat.e2e@prospect.example>",
            "subject": "Re: Next steps",
            "text": "Sounds good, Thursday works.",
            "in_reply_to": sent["message_id"],
            "references": sent["message_id"],
        },
    )
    assert delivered.status_code < 300, delivered.text
    assert stack.schedule().status_code == 200

    expect(row.locator(".pill")).to_have_text("Replied")
    assert demo.api_email("act_reply")["status"] == "REPLIED"


def test_with_coop_on_the_consent_page_the_status_fallback_still_connects(
    demo: DemoPage, stack: LocalStack, coop: None
) -> None:
    email = google_account(stack)
    popup = demo.open_popup(demo.card_button("Connect"))
    # The policy cut the link: the opener's handle reports the popup closed although it is open on Google's page.
    expect(demo.card).to_have_attribute("data-busy", "waiting")
    expect(demo.page.locator("#gmail-progress")).to_contain_text("Lost contact with the Google window")
    assert not popup.is_closed()

    demo.consent(popup, email, closes=False)
    # Without an opener the callback page says it in words and stays open; the card learns it from GET /gmail/status.
    expect(popup.get_by_text(f"Gmail is connected as {email}")).to_be_visible()
    demo.expect_connected(email)
    expect(demo.card).to_have_attribute("data-connect-via", "status")
    expect(demo.wizard_check).to_be_visible()
    expect(demo.card_error).to_be_hidden()
    popup.close()


def test_a_popup_closed_by_hand_leaves_the_card_waiting_until_cancel(demo: DemoPage, stack: LocalStack) -> None:
    google_account(stack)
    popup = demo.open_popup(demo.card_button("Connect"))
    popup.close()

    expect(demo.card).to_have_attribute("data-busy", "waiting")
    demo.card_button("Cancel").click()
    expect(demo.card).to_have_attribute("data-busy", "")
    expect(demo.card).to_have_attribute("data-state", "disconnected")
    expect(demo.card_button("Connect")).to_be_enabled()
    expect(demo.card_error).to_be_hidden()


def test_a_blocked_popup_says_so(demo: DemoPage) -> None:
    demo.page.evaluate("window.open = () => null")  # what a popup blocker makes window.open return
    demo.card_button("Connect").click()

    expect(demo.card_error).to_have_attribute("data-code", "popup_blocked")
    expect(demo.card_error).to_have_text(ERROR_WORDS["popup_blocked"])
    expect(demo.card).to_have_attribute("data-busy", "")
    expect(demo.card).to_have_attribute("data-state", "disconnected")
