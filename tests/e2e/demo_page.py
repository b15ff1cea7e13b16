"""The demo page as the tests see it: signing in, the Gmail card, the wizard's step, the activity list, the popup."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.integration.conftest import LocalStack

ERROR_WORDS = {
    "access_denied": "You cancelled on Google's page, so Gmail was not connected.",
    "popup_blocked": "The browser blocked the Google window. Allow popups for this site and click Connect again.",
}


def new_workspace() -> str:
    return f"ws_e2e_{uuid.uuid4().hex[:10]}"


def google_account(stack: LocalStack, name: str = "Sam Seller", email: str | None = None) -> str:
    """An account in the Google emulator, of its own unless `email` is given (revoking one touches no other test)."""
    address = email or f"sam.{uuid.uuid4().hex[:8]}@company.example"
    answer = stack.google("POST", "accounts", {"email": address, "name": name})
    assert answer.status_code < 300, answer.text
    return address


@dataclass
class DemoPage:
    stack: LocalStack
    page: Page
    workspace_id: str

    @classmethod
    def open(cls, stack: LocalStack, page: Page, workspace_id: str | None = None) -> DemoPage:
        workspace = workspace_id or new_workspace()
        page.goto(f"{stack['demo_url'].rstrip('/')}/?refresh=500")
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        page.get_by_label("Workspace id").fill(workspace)
        page.get_by_role("button", name="Sign in as demo workspace").click()
        opened = cls(stack, page, workspace)
        expect(opened.card).to_have_attribute("data-state", "disconnected")
        return opened

    # ---------- parts of the page ----------

    @property
    def card(self) -> Locator:
        return self.page.locator("#gmail-card")

    @property
    def card_status(self) -> Locator:
        return self.card.get_by_role("status")

    def card_button(self, name: str) -> Locator:
        return self.card.get_by_role("button", name=name, exact=True)

    @property
    def card_error(self) -> Locator:
        return self.page.locator("#gmail-error")

    @property
    def wizard_connect(self) -> Locator:
        return self.page.locator("#wizard-gmail").get_by_role("button", name="Connect", exact=True)

    @property
    def wizard_check(self) -> Locator:
        return self.page.locator("#wizard-gmail").get_by_role("img", name="Gmail connected")

    def activity_row(self, activity_id: str) -> Locator:
        return self.page.locator(f'#activity-rows tr[data-activity-id="{activity_id}"]')

    # ---------- what a person does ----------

    def open_popup(self, button: Locator) -> Page:
        """Clicks a Connect button; returns the popup once it shows Google's consent page."""
        with self.page.context.expect_page() as opened:
            button.click()
        popup = opened.value
        popup.wait_for_url(f"{self.stack['google_url']}/o/oauth2/**")
        expect(popup.get_by_role("heading", name="Choose an account")).to_be_visible()
        return popup

    def consent(self, popup: Page, email: str, *, allow: bool = True, closes: bool = True) -> None:
        """Chooses the account on the consent page and clicks Continue (or Cancel); waits for the popup to close."""
        popup.get_by_role("radio", name=email).check()
        button = popup.get_by_role("button", name="Continue" if allow else "Cancel", exact=True)
        if closes:
            with popup.expect_event("close"):
                button.click()
        else:
            button.click()

    def connect(self, email: str, button: Locator | None = None) -> None:
        """The whole connect flow through the real consent page, ending with the card Connected."""
        popup = self.open_popup(button or self.card_button("Connect"))
        self.consent(popup, email)
        self.expect_connected(email)

    def expect_connected(self, email: str) -> None:
        expect(self.card).to_have_attribute("data-state", "connected")
        expect(self.card).to_have_attribute("data-busy", "")
        expect(self.page.locator("#gmail-badge")).to_have_text("Connected")
        expect(self.page.locator("#gmail-address")).to_have_text(email)

    # ---------- the service, as the test checks it ----------

    def token(self) -> str:
        return self.stack.jwt(self.workspace_id)

    def api_status(self) -> dict[str, Any]:
        answer = self.stack.api("GET", "/gmail/status", token=self.token())
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def api_email(self, activity_id: str) -> dict[str, Any]:
        answer = self.stack.api("GET", f"/emails/{activity_id}", token=self.token())
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def put_on_send_queue(
        self, activity_id: str, to: str = "pat@prospect.example", subject: str = "Following up"
    ) -> None:
        """An approved email from upstream, put on the SQS send queue with boto3 as upstream does."""
        self.stack.send(
            {
                "version": 1,
                "workspace_id": self.workspace_id,
                "activity_id": activity_id,
                "agent_id": "ag_1",
                "to": {"email": to, "name": "Pat Lee"},
                "subject": subject,
                "text": "Hi Pat,\nthanks for your time today.",
                "approved_at": "2026-11-24T10:00:00Z",
            }
        )
