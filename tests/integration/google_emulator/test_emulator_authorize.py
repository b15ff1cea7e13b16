"""The authorization endpoint: Google's error page for bad requests, the consent page, and its answers."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.integration.google_emulator.emulator_helpers import (
    CLIENT_ID,
    METADATA,
    PROSPECT,
    REDIRECT_URI,
    REP,
    SEND,
    Control,
    authorize,
    flow,
)


def _auth(control: Control, **overrides: str | None) -> requests.Response:
    params: dict[str, str | None] = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": f"{SEND} {METADATA}",
        "state": "st-123",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGEjbDoTwQ",
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prompt": "consent",
    }
    params.update(overrides)
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return requests.get(f"{control.url}/o/oauth2/v2/auth?{query}", allow_redirects=False, timeout=10)


@pytest.mark.parametrize(
    ("overrides", "status", "error", "words"),
    [
        ({"client_id": None}, 400, "invalid_request", "Missing required parameter: client_id"),
        ({"client_id": "nobody.apps.googleusercontent.com"}, 401, "invalid_client", "The OAuth client was not found."),
        ({"redirect_uri": None}, 400, "invalid_request", "Missing required parameter: redirect_uri"),
        ({"redirect_uri": REDIRECT_URI + "/"}, 400, "redirect_uri_mismatch", "redirect_uri="),
        ({"redirect_uri": "http://evil.example/cb"}, 400, "redirect_uri_mismatch", "comply with Google"),
        ({"response_type": None}, 400, "invalid_request", "Missing required parameter: response_type"),
        ({"response_type": "token"}, 400, "unsupported_response_type", "token"),
        ({"scope": None}, 400, "invalid_request", "Missing required parameter: scope"),
        ({"scope": f"{SEND} https://www.googleapis.com/auth/gmail.everything"}, 400, "invalid_scope", "invalid=["),
        ({"code_challenge": None}, 400, "invalid_request", "Missing required parameter: code_challenge"),
        ({"code_challenge_method": "S512"}, 400, "invalid_request", "Invalid code_challenge_method"),
        ({"code_challenge": "too-short"}, 400, "invalid_request", "Invalid code_challenge"),
        ({"access_type": "forever"}, 400, "invalid_request", "Invalid access_type"),
        ({"prompt": "always"}, 400, "invalid_request", "Invalid prompt"),
        ({"prompt": "none consent"}, 400, "invalid_request", "Invalid prompt"),
    ],
)
def test_bad_requests_get_googles_error_page_not_a_redirect(world, overrides, status, error, words) -> None:
    answer = _auth(world, **overrides)
    assert answer.status_code == status
    assert "Location" not in answer.headers
    assert answer.headers["Content-Type"].startswith("text/html")
    assert f"Error {status}: {error}" in answer.text
    assert words in answer.text


def test_consent_page_lists_scopes_in_words_and_the_accounts(world) -> None:
    answer = _auth(world, login_hint=PROSPECT)
    assert answer.status_code == 200
    page = answer.text
    assert "Send email on your behalf" in page
    assert "View your email message metadata such as labels and headers, but not the email body" in page
    assert REP in page
    assert "Rita Rep" in page
    assert re.search(rf'value="{re.escape(PROSPECT)}" checked', page), "login_hint preselects the account"
    assert "Cross-Origin-Opener-Policy" not in answer.headers
    assert not re.search(r'(src|href)="(https?:)?//', page), "no external assets"


def test_consent_page_can_be_served_with_coop(world) -> None:
    world.post("settings", {"consent_coop": True})
    answer = _auth(world)
    assert answer.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def _consent_form(page: str) -> str:
    found = re.search(r'name="request" value="([^"]+)"', page)
    assert found, page[:300]
    return found.group(1)


def test_a_person_unticks_a_scope_and_allows_granular_consent(world) -> None:
    started = flow(world.url, [SEND, METADATA])
    url, state = started.authorization_url(access_type="offline", prompt="consent")
    page = requests.get(url, timeout=10)
    form = {"request": _consent_form(page.text), "email": REP, "scope": [SEND], "action": "allow"}
    answer = requests.post(f"{world.url}/o/oauth2/v2/consent", data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == [state]
    assert query["scope"] == [SEND]
    exchange = flow(world.url, [SEND, METADATA], state=state, code_verifier=started.code_verifier)
    exchange.fetch_token(authorization_response=answer.headers["Location"])
    assert exchange.credentials.granted_scopes == [SEND]
    assert exchange.credentials.refresh_token


def test_cancel_on_the_consent_page_redirects_with_access_denied_and_state(world) -> None:
    page = _auth(world, state="keep-me")
    form = {"request": _consent_form(page.text), "email": REP, "action": "deny"}
    answer = requests.post(f"{world.url}/o/oauth2/v2/consent", data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query == {"error": ["access_denied"], "state": ["keep-me"]}


def test_a_consent_form_is_answered_once(world) -> None:
    request_id = _consent_form(_auth(world).text)
    form = {"request": request_id, "email": REP, "scope": [SEND], "action": "allow"}
    first = requests.post(f"{world.url}/o/oauth2/v2/consent", data=form, allow_redirects=False, timeout=10)
    again = requests.post(f"{world.url}/o/oauth2/v2/consent", data=form, allow_redirects=False, timeout=10)
    assert first.status_code == 302
    assert again.status_code == 400
    assert "Error 400: invalid_request" in again.text


def test_preset_deny_answers_the_next_request_at_once(world) -> None:
    world.post("consent", {"email": REP, "action": "deny"})
    _, query = authorize(world.url, [SEND, METADATA], access_type="offline")
    assert query["error"] == ["access_denied"]
    assert "code" not in query
    assert world.get("consent")["presets"] == []


def test_preset_allow_with_scopes_grants_only_those(world) -> None:
    world.post("consent", {"email": REP, "action": "allow", "scopes": ["gmail.metadata"]})
    _, query = authorize(world.url, [SEND, METADATA])
    assert query["scope"] == [METADATA]
    assert query["code"][0].startswith("4/")


def test_prompt_none_without_a_preset_needs_interaction(world) -> None:
    started = flow(world.url, [SEND])
    url, _ = started.authorization_url(prompt="none")
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["interaction_required"]


def test_include_granted_scopes_adds_earlier_grants(world) -> None:
    world.post("consent", {"email": REP, "action": "allow"})
    authorize(world.url, [METADATA])
    world.post("consent", {"email": REP, "action": "allow"})
    _, without = authorize(world.url, [SEND])
    world.post("consent", {"email": REP, "action": "allow"})
    _, merged = authorize(world.url, [SEND], include_granted_scopes="true")
    assert without["scope"] == [SEND]
    assert set(merged["scope"][0].split()) == {SEND, METADATA}


def test_authorize_calls_are_logged(world: Control) -> None:
    _auth(world, redirect_uri="http://evil.example/cb")
    calls = world.calls(method="oauth.authorize")
    assert calls[-1]["status"] == 400
    assert calls[-1]["reason"] == "redirect_uri_mismatch"
