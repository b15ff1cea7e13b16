"""Whole user flows through the front door and the Google emulator, as the browser and upstream systems run them."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookies import SimpleCookie
from typing import Any

from tests.integration.conftest import LocalStack, Response, http

RESULT = re.compile(r'<script type="application/json" id="result">(.*?)</script>', re.S)


def new_workspace() -> str:
    return f"ws_{uuid.uuid4().hex[:12]}"


def account(stack: LocalStack, email: str, name: str = "Sam Seller") -> str:
    assert stack.google("POST", "accounts", {"email": email, "name": name}).status_code < 300
    return email


def popup_result(page: Response) -> dict[str, Any]:
    """What the callback page posts to the opener (the JSON block its script sends)."""
    found = RESULT.search(page.text)
    assert found, page.text[:500]
    return dict(json.loads(found.group(1)))


class Browser:
    """One browser's cookies for the API's origin, as a person's browser keeps them between connect and callback."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def store(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            parsed = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}


SAME_BROWSER = Browser()
"""The browser of the person in a test that does not care which browser it is."""


def start_connect(stack: LocalStack, token: str, browser: Browser = SAME_BROWSER) -> str:
    answer = stack.api("POST", "/gmail/connect", token=token)
    assert answer.status_code == 200, answer.text
    browser.store(answer.cookies)
    return str(answer.json()["authorization_url"])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def get_without_redirect(url: str) -> Response:
    """A GET that shows a redirect instead of following it, as a test needs to look at Google's answer."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=30) as answer:
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def consent(stack: LocalStack, authorization_url: str, email: str, action: str = "allow", **extra: Any) -> Response:
    """The person picks `email` on Google's page and clicks Allow or Cancel; returns Google's redirect."""
    assert stack.google("POST", "consent", {"email": email, "action": action, **extra}).status_code < 300
    return get_without_redirect(authorization_url)


def follow_to_callback(
    stack: LocalStack, authorization_url: str, email: str, browser: Browser = SAME_BROWSER, **consent_args: Any
) -> Response:
    """Consent, then the browser follows Google's redirect to our callback: returns the callback page."""
    redirect = consent(stack, authorization_url, email, **consent_args)
    if redirect.status_code in (301, 302, 303):
        location = redirect.headers["location"]
        assert location.startswith(stack["api_url"]), location
        page = http("GET", location, headers=browser.header())
        browser.store(page.cookies)
        return page
    return redirect


def callback_url_parts(redirect: Response) -> dict[str, str]:
    query = urllib.parse.urlsplit(redirect.headers["location"]).query
    return dict(urllib.parse.parse_qsl(query))


def connect(stack: LocalStack, workspace_id: str, email: str) -> str:
    """The whole popup flow; returns the JWT used."""
    token = stack.jwt(workspace_id)
    account(stack, email)
    page = follow_to_callback(stack, start_connect(stack, token), email)
    result = popup_result(page)
    assert result["status"] == "connected", result
    return token


def approved(workspace_id: str, activity_id: str, **fields: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "version": 1,
        "workspace_id": workspace_id,
        "activity_id": activity_id,
        "agent_id": "ag_1",
        "to": {"email": "pat@prospect.example", "name": "Pat Lee"},
        "subject": "Following up",
        "text": "Hi Pat,\nthanks for your time today.",
        "html": "<p>Hi Pat,</p><p>thanks for your time today.</p>",
        "approved_at": "2026-11-24T10:00:00Z",
    }
    message.update(fields)
    return message


def email_of(stack: LocalStack, token: str, activity_id: str) -> dict[str, Any] | None:
    answer = stack.api("GET", f"/emails/{activity_id}", token=token)
    return dict(answer.json()) if answer.status_code == 200 else None


def wait_email(stack: LocalStack, token: str, activity_id: str, status: str, timeout: float = 20) -> dict[str, Any]:
    """Waits for ``status``; ``EMAIL_READY`` means parked (with a reason), not an email waiting its turn to go."""

    def reached() -> dict[str, Any] | None:
        email = email_of(stack, token, activity_id)
        if email and status == "EMAIL_READY" and not email["reason"]:
            return None
        return email if email and email["status"] == status else None

    return stack.wait_for(
        reached, timeout=timeout, message=f"{activity_id} never reached {status}: {email_of(stack, token, activity_id)}"
    )


def activity_marker(stack: LocalStack, workspace_id: str, activity_id: str) -> str | None:
    """The X-OutSales-Activity value of an email: the random part of the Message-ID its first claim remembered
    (nothing in a sent email derives from the workspace or activity id). None for an email never claimed."""
    item = stack.table().get_item(Key={"pk": f"WS#{workspace_id}", "sk": f"EMAIL#{activity_id}"}).get("Item")
    message_id = str(item.get("message_id") or "") if item else ""
    return message_id.strip("<>").split("@", 1)[0] or None


def mailbox(stack: LocalStack, email: str) -> list[dict[str, Any]]:
    answer = stack.google("GET", f"mailboxes/{email}/messages")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["messages"])


def calls(stack: LocalStack, method: str | None = None) -> list[dict[str, Any]]:
    found = stack.google("GET", "calls").json()["calls"]
    return [c for c in found if method is None or c["method"] == method]


def settle(seconds: float = 1.0) -> None:
    """Lets pollers take what is on the queue; used only where a test asserts that nothing more happens."""
    time.sleep(seconds)
