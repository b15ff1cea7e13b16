"""Login CSRF in real Chromium: a consent link started in one browser cannot connect a Gmail from another.

Two browser contexts are two browsers (own cookie jars). The attacker starts a connect on the demo page and hands
the consent URL to the victim, who opens it in their own browser and clicks Continue.
"""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.demo_page import DemoPage, google_account
from tests.integration.conftest import LocalStack

MISMATCH_WORDS = "This sign-in was started in another browser or by someone else, so Gmail was not connected."


def test_a_second_browser_completing_another_browsers_consent_is_refused(
    demo: DemoPage, stack: LocalStack, browser: Browser, context: BrowserContext
) -> None:
    victim_email = google_account(stack, "Vic Tim")
    exchanges_before = len([c for c in stack.google("GET", "calls").json()["calls"] if c["method"] == "oauth.token"])
    # The attacker's browser: the binding cookie is stored for the API's origin, HttpOnly, on the callback path.
    popup = demo.open_popup(demo.card_button("Connect"))
    consent_url = popup.url
    (binding,) = [
        c
        for c in context.cookies(stack["api_url"] + "/gmail/oauth/callback")
        if c["name"].startswith("outsales_gmail_flow_")
    ]
    assert binding["httpOnly"]
    assert binding["sameSite"] == "Lax"
    assert binding["path"] == "/gmail/oauth/callback"
    assert demo.page.evaluate("document.cookie") == "", "no script of the page can read the binding"

    victim = browser.new_context()
    try:
        page = victim.new_page()
        page.goto(consent_url)
        page.get_by_role("radio", name=victim_email).check()
        page.get_by_role("button", name="Continue", exact=True).click()
        page.wait_for_url(f"{stack['api_url']}/gmail/oauth/callback**")
        # No opener in the victim's tab: the page says in words why nothing was connected.
        expect(page.get_by_text(MISMATCH_WORDS)).to_be_visible()
    finally:
        victim.close()

    calls = stack.google("GET", "calls").json()["calls"]
    assert len([c for c in calls if c["method"] == "oauth.token"]) == exchanges_before, "no code was exchanged"
    assert demo.api_status()["status"] == "disconnected"
    assert not stack.events("GmailConnected", where={"workspace_id": demo.workspace_id})
    popup.close()


def test_the_browser_that_started_the_flow_still_connects_and_its_binding_is_spent(
    demo: DemoPage, stack: LocalStack, context: BrowserContext
) -> None:
    email = google_account(stack)
    demo.connect(email)
    assert demo.api_status()["email"] == email
    left = [
        c
        for c in context.cookies(stack["api_url"] + "/gmail/oauth/callback")
        if c["name"].startswith("outsales_gmail_flow_")
    ]
    assert left == [], "the callback clears the spent binding"
