"""The token endpoint through google-auth-oauthlib (code exchange, PKCE) and google-auth (refresh), plus revoke."""

from __future__ import annotations

import base64

import pytest
import requests
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials
from oauthlib.oauth2.rfc6749.errors import InvalidClientError, InvalidGrantError, OAuth2Error

from tests.integration.google_emulator.emulator_helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    METADATA,
    REDIRECT_URI,
    REP,
    SEND,
    authorize,
    connect,
    flow,
    gmail,
)


def _code(world, scopes=None, **params):
    world.post("consent", {"email": REP, "action": "allow"})
    started, query = authorize(world.url, scopes or [SEND, METADATA], access_type="offline", **params)
    return started, query["code"][0], query["state"][0]


def _exchange(world, started, code, state, **overrides):
    exchange = flow(world.url, [SEND, METADATA], state=state, code_verifier=started.code_verifier)
    return exchange.fetch_token(code=code, **overrides), exchange


def _post_token(world, **form):
    return requests.post(f"{world.url}/token", data=form, timeout=10)


def test_code_exchange_with_pkce_answers_like_google(world) -> None:
    started, code, state = _code(world, prompt="consent")
    token, exchange = _exchange(world, started, code, state)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3599
    assert token["access_token"].startswith("ya29.")
    assert token["refresh_token"].startswith("1//")
    assert set(token["scope"]) == {SEND, METADATA}
    assert exchange.credentials.granted_scopes == sorted([SEND, METADATA])
    call = world.calls(method="oauth.token")[-1]
    assert call["status"] == 200
    assert call["email"] == REP
    assert set(call["scopes"]) == {SEND, METADATA}


def test_a_code_works_once_and_a_replay_revokes_what_it_gave(world) -> None:
    started, code, state = _code(world, prompt="consent")
    token, _ = _exchange(world, started, code, state)
    with pytest.raises(InvalidGrantError):
        _exchange(world, started, code, state)
    refresh = _post_token(
        world,
        grant_type="refresh_token",
        refresh_token=token["refresh_token"],
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert refresh.status_code == 400
    assert refresh.json() == {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}


def test_codes_expire_after_minutes(world) -> None:
    started, code, state = _code(world)
    world.post("clock", {"advance_s": 301})
    with pytest.raises(InvalidGrantError):
        _exchange(world, started, code, state)


def test_pkce_verifier_is_checked(world) -> None:
    started, code, state = _code(world)
    answer = _post_token(
        world,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier="x" * 64,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}
    missing = _post_token(
        world,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert missing.json()["error_description"] == "Missing code verifier."
    token, _ = _exchange(world, started, code, state)  # a failed verifier does not burn the code
    assert token["access_token"]


def test_redirect_uri_must_match_the_authorization_request(world) -> None:
    started, code, _ = _code(world)
    answer = _post_token(
        world,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI + "/other",
        code_verifier=started.code_verifier,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "redirect_uri_mismatch"


def test_unknown_and_malformed_codes_are_invalid_grant(world) -> None:
    for code, description in (("4/0Aunknown", "Bad Request"), ("garbage", "Malformed auth code.")):
        answer = _post_token(
            world,
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT_URI,
            code_verifier="v" * 43,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        assert answer.status_code == 400
        assert answer.json() == {"error": "invalid_grant", "error_description": description}


def test_wrong_secret_and_unknown_client_are_invalid_client(world) -> None:
    started, code, state = _code(world)
    exchange = flow(world.url, [SEND], state=state, code_verifier=started.code_verifier)
    with pytest.raises(InvalidClientError):
        exchange.fetch_token(code=code, client_secret="wrong")
    basic = base64.b64encode(f"{CLIENT_ID}:wrong".encode()).decode()
    answer = requests.post(
        f"{world.url}/token",
        data={"grant_type": "refresh_token", "refresh_token": "1//x"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client", "error_description": "Unauthorized"}
    unknown = _post_token(
        world, grant_type="refresh_token", refresh_token="1//x", client_id="nobody", client_secret="s"
    )
    assert unknown.status_code == 401
    assert unknown.json() == {"error": "invalid_client", "error_description": "The OAuth client was not found."}


def test_unsupported_grant_type(world) -> None:
    answer = _post_token(world, grant_type="password", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_refresh_token_only_offline_first_time_and_again_with_prompt_consent(world) -> None:
    world.post("consent", {"email": REP, "action": "allow"})
    started, query = authorize(world.url, [SEND, METADATA], access_type="online")
    token, _ = _exchange(world, started, query["code"][0], query["state"][0])
    assert "refresh_token" not in token

    started, code, state = _code(world)
    first, _ = _exchange(world, started, code, state)
    assert "refresh_token" in first
    started, code, state = _code(world)
    second, _ = _exchange(world, started, code, state)
    assert "refresh_token" not in second, "Google gives a refresh token on the first offline consent only"
    started, code, state = _code(world, prompt="consent")
    third, _ = _exchange(world, started, code, state)
    assert third["refresh_token"] not in (None, first["refresh_token"])


def test_google_auth_refreshes_with_the_secret_in_the_body(world) -> None:
    stored = connect(world, REP)
    credentials = Credentials(
        token=None,
        refresh_token=stored.refresh_token,
        token_uri=f"{world.url}/token",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=[SEND, METADATA],
    )
    profile = gmail(world.url, credentials).users().getProfile(userId="me").execute()
    assert profile["emailAddress"] == REP
    assert credentials.token
    assert credentials.token != stored.token
    assert credentials.refresh_token == stored.refresh_token, "Google does not rotate refresh tokens"


def test_refresh_asking_for_more_than_granted_narrows_to_the_grant(world) -> None:
    stored = connect(world, REP, granted=["gmail.send"])
    credentials = Credentials(
        None, stored.refresh_token, None, f"{world.url}/token", CLIENT_ID, CLIENT_SECRET, [SEND, METADATA]
    )
    credentials.refresh(Request())
    assert credentials.granted_scopes == [SEND]


def test_revoked_grant_refresh_is_invalid_grant(world) -> None:
    stored = connect(world, REP)
    world.post(f"accounts/{REP}/revoke")
    with pytest.raises(RefreshError) as raised:
        stored.refresh(Request())
    assert raised.value.args[1] == {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    assert raised.value.retryable is False


def test_revoke_an_access_token_revokes_the_refresh_token_and_twice_is_400(world) -> None:
    stored = connect(world, REP)
    first = requests.post(f"{world.url}/revoke", params={"token": stored.token}, timeout=10)
    assert first.status_code == 200
    again = requests.post(f"{world.url}/revoke", data={"token": stored.token}, timeout=10)
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_token", "error_description": "Token expired or revoked"}
    with pytest.raises(RefreshError):
        stored.refresh(Request())


def test_revoke_a_refresh_token_in_the_body(world) -> None:
    stored = connect(world, REP)
    answer = requests.post(
        f"{world.url}/revoke",
        data={"token": stored.refresh_token},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert requests.post(f"{world.url}/revoke", data={"token": "unknown"}, timeout=10).status_code == 400


def test_tokeninfo_describes_a_live_token(world) -> None:
    stored = connect(world, REP)
    info = requests.get(f"{world.url}/tokeninfo", params={"access_token": stored.token}, timeout=10).json()
    assert info["aud"] == CLIENT_ID
    assert info["email"] == REP
    assert set(info["scope"].split()) == {SEND, METADATA}
    assert info["access_type"] == "offline"
    assert 3500 < int(info["expires_in"]) <= 3600
    bad = requests.get(f"{world.url}/tokeninfo", params={"access_token": "nope"}, timeout=10)
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_token"


def test_token_errors_surface_as_oauthlib_errors(world) -> None:
    with pytest.raises(OAuth2Error):
        flow(world.url, [SEND]).fetch_token(code="4/0Anothing")
