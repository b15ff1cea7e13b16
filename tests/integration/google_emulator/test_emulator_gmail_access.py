"""Who may call what: 401 for missing/expired/revoked tokens, 403 for scopes (gmail.metadata's limits too),
disabled Gmail, and delegation."""

from __future__ import annotations

import pytest
import requests
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from tests.integration.google_emulator.emulator_helpers import (
    METADATA,
    PROSPECT,
    READONLY,
    REP,
    SEND,
    connect,
    error_of,
    gmail,
    raw,
)


def test_send_scope_alone_cannot_read_the_profile(world) -> None:
    api = gmail(world.url, connect(world, REP, scopes=[SEND]))
    api.users().messages().send(userId="me", body={"raw": raw(REP, PROSPECT, "Hi")}).execute()
    with pytest.raises(HttpError) as raised:
        api.users().getProfile(userId="me").execute()
    error = error_of(raised.value)
    assert raised.value.status_code == 403
    assert error["status"] == "PERMISSION_DENIED"
    assert error["message"] == "Request had insufficient authentication scopes."
    assert error["errors"][0]["reason"] == "insufficientPermissions"
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert 'error="insufficient_scope"' in raised.value.resp["www-authenticate"]


def test_metadata_scope_cannot_read_bodies_or_search(world) -> None:
    api = gmail(world.url, connect(world, REP))
    sent = api.users().messages().send(userId="me", body={"raw": raw(REP, PROSPECT, "Hi")}).execute()
    for fmt in ("full", "raw", None):
        with pytest.raises(HttpError) as raised:
            api.users().messages().get(userId="me", id=sent["id"], **({"format": fmt} if fmt else {})).execute()
        error = error_of(raised.value)
        assert raised.value.status_code == 403
        assert error["errors"][0]["reason"] == "forbidden"
        assert error["message"] == f"Metadata scope doesn't allow format {(fmt or 'full').upper()}"
    with pytest.raises(HttpError) as raised:
        api.users().messages().list(userId="me", q="from:someone").execute()
    assert error_of(raised.value)["message"] == "Metadata scope does not support 'q' parameter"
    with pytest.raises(HttpError):
        api.users().threads().get(userId="me", id=sent["threadId"], format="full").execute()
    metadata = api.users().messages().get(userId="me", id=sent["id"], format="metadata").execute()
    assert "snippet" not in metadata


def test_metadata_limits_hold_even_with_a_broader_scope_on_the_same_token(world) -> None:
    api = gmail(world.url, connect(world, REP, scopes=[SEND, METADATA, READONLY]))
    with pytest.raises(HttpError) as raised:
        api.users().messages().list(userId="me", q="is:unread").execute()
    assert raised.value.status_code == 403


def test_readonly_without_metadata_may_read_bodies_and_search(world) -> None:
    api = gmail(world.url, connect(world, REP, scopes=[SEND, READONLY]))
    sent = api.users().messages().send(userId="me", body={"raw": raw(REP, PROSPECT, "Hi", "Body text")}).execute()
    full = api.users().messages().get(userId="me", id=sent["id"]).execute()
    assert full["snippet"] == "Body text"
    thread = api.users().threads().get(userId="me", id=sent["threadId"], format="full").execute()
    assert thread["messages"][0]["payload"]["body"]["size"] > 0
    assert api.users().messages().list(userId="me", q="subject:hi").execute()["resultSizeEstimate"] == 1


def test_missing_token_is_401_with_www_authenticate(world) -> None:
    answer = requests.get(f"{world.url}/gmail/v1/users/me/profile", timeout=10)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith('Bearer realm="https://accounts.google.com/"')
    error = answer.json()["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert error["errors"][0]["reason"] == "required"


def test_an_expired_access_token_is_refreshed_transparently(world) -> None:
    credentials = connect(world, REP)
    api = gmail(world.url, credentials)
    old = credentials.token
    world.post("tokens/expire", {"email": REP})
    mark = world.mark()
    assert api.users().getProfile(userId="me").execute()["emailAddress"] == REP
    calls = [(c["method"], c["status"]) for c in world.calls(since=mark)]
    assert calls == [("gmail.users.getProfile", 401), ("oauth.token", 200), ("gmail.users.getProfile", 200)]
    assert credentials.token != old


def test_an_hour_later_the_token_has_expired_too(world) -> None:
    credentials = connect(world, REP)
    world.post("clock", {"advance_s": 3600})
    answer = requests.get(
        f"{world.url}/gmail/v1/users/me/profile", headers={"Authorization": f"Bearer {credentials.token}"}, timeout=10
    )
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert answer.json()["error"]["errors"][0]["reason"] == "authError"


def test_a_revoked_grant_surfaces_as_refresh_error_invalid_grant(world) -> None:
    api = gmail(world.url, connect(world, REP))
    world.post(f"accounts/{REP}/revoke")
    with pytest.raises(RefreshError) as raised:
        api.users().history().list(userId="me", startHistoryId="1").execute()
    assert raised.value.args[1]["error"] == "invalid_grant"


def test_short_token_lifetime_is_reported_in_expires_in(world) -> None:
    world.post("settings", {"access_token_lifetime_s": 120})
    credentials = connect(world, REP)
    info = requests.get(f"{world.url}/tokeninfo", params={"access_token": credentials.token}, timeout=10).json()
    assert int(info["expires_in"]) <= 120


def test_disabled_gmail_answers_failed_precondition(world) -> None:
    api = gmail(world.url, connect(world, REP))
    world.post(f"accounts/{REP}/settings", {"gmail_enabled": False})
    with pytest.raises(HttpError) as raised:
        api.users().getProfile(userId="me").execute()
    error = error_of(raised.value)
    assert raised.value.status_code == 400
    assert error["message"] == "Mail service not enabled"
    assert error["errors"][0]["reason"] == "failedPrecondition"
    assert error["status"] == "FAILED_PRECONDITION"


def test_another_users_mailbox_is_delegation_denied(world) -> None:
    api = gmail(world.url, connect(world, REP))
    assert api.users().getProfile(userId=REP).execute()["emailAddress"] == REP
    with pytest.raises(HttpError) as raised:
        api.users().getProfile(userId=PROSPECT).execute()
    assert raised.value.status_code == 403
    assert error_of(raised.value)["message"] == f"Delegation denied for {REP}"
