"""The page believes only the callback page's message: from the API's origin, from its own popup, of the right shape."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.demo_page import ERROR_WORDS, DemoPage, google_account
from tests.integration.conftest import LocalStack

FORGED_CONNECTED = {"source": "outsales-gmail", "status": "connected", "email": "mallory@evil.example"}

WRONG_SHAPES: list[Any] = [
    {"source": "other-app", "status": "connected", "email": "mallory@evil.example"},
    {"source": "outsales-gmail", "status": "connected"},
    {"source": "outsales-gmail", "status": "connected", "email": 42},
    {"source": "outsales-gmail", "status": "ok", "email": "mallory@evil.example"},
    {"source": "outsales-gmail", "status": "error", "error": "<img src=x onerror=alert(1)>"},
    {"source": "outsales-gmail", "status": "error"},
    ["outsales-gmail", "connected", "mallory@evil.example"],
    "connected",
    None,
]


def _expect_unchanged(demo: DemoPage) -> None:
    expect(demo.card).to_have_attribute("data-state", "disconnected")
    expect(demo.card).to_have_attribute("data-busy", "connecting")
    expect(demo.page.locator("#gmail-address")).to_have_text("")
    expect(demo.card_error).to_be_hidden()
    expect(demo.wizard_check).to_be_hidden()


def _post_to_opener(popup: Page, message: Any) -> None:
    popup.evaluate("(message) => window.opener.postMessage(message, '*')", message)


def test_messages_from_other_origins_or_of_other_shapes_change_nothing(demo: DemoPage, stack: LocalStack) -> None:
    google_account(stack)
    popup = demo.open_popup(demo.card_button("Connect"))
    _expect_unchanged(demo)

    # Synthetic events in the page: another origin, and the API's origin claimed by something that is not the popup.
    for origin in ("http://evil.example", stack["google_url"], stack["api_url"].rstrip("/")):
        demo.page.evaluate(
            """([data, origin]) => window.dispatchEvent(new MessageEvent("message", {data, origin}))""",
            [FORGED_CONNECTED, origin],
        )
    _expect_unchanged(demo)

    # Real messages from the real popup while it shows Google's page: the right shape from the wrong origin.
    _post_to_opener(popup, FORGED_CONNECTED)
    _post_to_opener(popup, {"source": "outsales-gmail", "status": "error", "error": "access_denied"})

    # From the API's own origin (the popup on another page of the API), every wrong shape...
    popup.goto(f"{stack['api_url'].rstrip('/')}/gmail/status")
    for message in WRONG_SHAPES:
        _post_to_opener(popup, message)
    # ...and then one right message, which the page must believe. Messages arrive in order, so when it has shown,
    # every earlier one has been looked at: had any been believed, the card would show it instead.
    _post_to_opener(popup, {"source": "outsales-gmail", "status": "error", "error": "state_invalid"})

    expect(demo.card_error).to_have_attribute("data-code", "state_invalid")
    expect(demo.card).to_have_attribute("data-busy", "")
    expect(demo.card).to_have_attribute("data-state", "disconnected")
    expect(demo.page.locator("#gmail-address")).to_have_text("")
    expect(demo.wizard_check).to_be_hidden()
    assert demo.card_error.text_content() != ERROR_WORDS["access_denied"]
    assert demo.api_status()["status"] == "disconnected"
