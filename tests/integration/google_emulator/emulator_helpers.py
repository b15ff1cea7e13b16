"""Helpers for the emulator's own tests: plain HTTP for the control API and the consent page, Google's own
libraries (google-auth-oauthlib, google-auth, google-api-python-client) for everything Google serves."""

from __future__ import annotations

import base64
import json
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

REP = "rep@outsales.test"
PROSPECT = "pat@prospect.test"
SEND = "https://www.googleapis.com/auth/gmail.send"
METADATA = "https://www.googleapis.com/auth/gmail.metadata"
READONLY = "https://www.googleapis.com/auth/gmail.readonly"
CLIENT_ID = "outsales-test.apps.googleusercontent.com"
CLIENT_SECRET = "test-secret"
REDIRECT_URI = "http://127.0.0.1:9/gmail/oauth/callback"


class Control:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def post(self, route: str, body: dict[str, Any] | None = None, expect: int = 200) -> Any:
        answer = self.http.post(f"{self.url}/_emulator/{route}", json=body or {}, timeout=10)
        assert answer.status_code == expect, answer.text
        return answer.json()

    def get(self, route: str, expect: int = 200, **params: Any) -> Any:
        answer = self.http.get(f"{self.url}/_emulator/{route}", params=params, timeout=10)
        assert answer.status_code == expect, answer.text
        return answer.json()

    def delete(self, route: str) -> Any:
        answer = self.http.delete(f"{self.url}/_emulator/{route}", timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def client(self) -> None:
        self.post("clients", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [REDIRECT_URI]})

    def account(self, email: str, name: str = "") -> None:
        self.post("accounts", {"email": email, "name": name or email.split("@")[0].title()})

    def calls(self, since: int = 0, method: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"since": since}
        if method:
            params["method"] = method
        calls: list[dict[str, Any]] = self.get("calls", **params)["calls"]
        return calls

    def mark(self) -> int:
        mark: int = self.get("calls")["next"]
        return mark

    def deliver(self, mailbox: str, **fields: Any) -> dict[str, Any]:
        delivered: dict[str, Any] = self.post(f"mailboxes/{mailbox}/messages", fields)
        return delivered

    def messages(self, mailbox: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.get(f"mailboxes/{mailbox}/messages")["messages"]
        return messages


def client_config(url: str) -> dict[str, Any]:
    return {
        "web": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "auth_uri": f"{url}/o/oauth2/v2/auth",
            "token_uri": f"{url}/token",
        }
    }


def flow(url: str, scopes: list[str], **kwargs: Any) -> Flow:
    return Flow.from_client_config(client_config(url), scopes=scopes, redirect_uri=REDIRECT_URI, **kwargs)


def authorize(url: str, scopes: list[str], **auth_params: Any) -> tuple[Flow, dict[str, list[str]]]:
    """Start a flow and follow the authorization URL once: (the flow, the redirect's query)."""
    started = flow(url, scopes)
    auth_url, _ = started.authorization_url(**auth_params)
    answer = requests.get(auth_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI), location
    return started, parse_qs(urlsplit(location).query)


def connect(
    control: Control,
    email: str,
    scopes: list[str] | None = None,
    granted: list[str] | None = None,
    **auth_params: Any,
) -> Credentials:
    """Consent (preset) and code exchange with PKCE, as the service's callback does: fresh Credentials."""
    scopes = scopes or [SEND, METADATA]
    preset: dict[str, Any] = {"email": email, "action": "allow"}
    if granted is not None:
        preset["scopes"] = granted
    control.post("consent", preset)
    params = {"access_type": "offline", "prompt": "consent", **auth_params}
    started, redirect = authorize(control.url, scopes, **params)
    exchange = flow(control.url, scopes, state=redirect["state"][0], code_verifier=started.code_verifier)
    exchange.fetch_token(code=redirect["code"][0])
    credentials: Credentials = exchange.credentials
    return credentials


def gmail(url: str, credentials: Credentials) -> Any:
    return build(
        "gmail",
        "v1",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": url + "/"},
    )


def raw(
    sender: str,
    to: str,
    subject: str,
    text: str = "Hello",
    headers: dict[str, str] | None = None,
) -> str:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")


def error_of(error: HttpError) -> dict[str, Any]:
    """The `error` object of Google's JSON answer carried by an HttpError."""
    body: dict[str, Any] = json.loads(error.content)["error"]
    return body
