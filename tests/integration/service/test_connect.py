"""Connecting, reconnecting and disconnecting Gmail through the popup, against the Google emulator."""

from __future__ import annotations

import hashlib
import time
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import LocalStack, http
from tests.integration.service.flows import (
    SAME_BROWSER,
    Browser,
    account,
    approved,
    calls,
    connect,
    consent,
    follow_to_callback,
    new_workspace,
    popup_result,
    start_connect,
    wait_email,
)

SEND = "https://www.googleapis.com/auth/gmail.send"
METADATA = "https://www.googleapis.com/auth/gmail.metadata"


def _state_of(authorization_url: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(authorization_url).query)["state"][0]


def _status(stack: LocalStack, token: str) -> dict[str, object]:
    answer = stack.api("GET", "/gmail/status", token=token)
    assert answer.status_code == 200
    return dict(answer.json())


def test_the_consent_url_asks_for_exactly_what_the_design_says(stack: LocalStack) -> None:
    url = start_connect(stack, stack.jwt(new_workspace()))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert url.startswith(stack["google_url"] + "/o/oauth2/v2/auth?")
    assert set(query["scope"][0].split()) == {SEND, METADATA}
    assert query["access_type"] == ["offline"]
    assert query["prompt"] == ["consent"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [stack["api_url"] + "/gmail/oauth/callback"]
    assert "include_granted_scopes" not in query
    assert len(query["state"][0]) >= 40


def test_the_popup_flow_connects_and_status_shows_the_address(stack: LocalStack) -> None:
    workspace = new_workspace()
    token = connect(stack, workspace, "owner-1@company.example")
    status = _status(stack, token)
    assert status["status"] == "connected"
    assert status["email"] == "owner-1@company.example"
    assert status["connected_at"]
    assert stack.events("GmailConnected", where={"workspace_id": workspace})


def test_forged_replayed_and_expired_states_are_refused(stack: LocalStack) -> None:
    workspace = new_workspace()
    token = stack.jwt(workspace)
    email = account(stack, "owner-2@company.example")
    for forged in ("forged", _state_of(start_connect(stack, token))[:-2] + "xx"):
        page = http("GET", f"{stack['api_url']}/gmail/oauth/callback?code=whatever&state={forged}")
        assert popup_result(page) == {"origin": stack["frontend_origin"], "status": "error", "error": "state_invalid"}
    url = start_connect(stack, token)
    redirect = consent(stack, url, email)
    location = redirect.headers["location"]
    browser = SAME_BROWSER.header()
    assert popup_result(http("GET", location, headers=browser))["status"] == "connected"
    assert popup_result(http("GET", location, headers=browser))["error"] == "state_invalid", "a state works once"
    # A state past its expiry (its item still in the table: DynamoDB's TTL deletes late) is refused too.
    url = start_connect(stack, token)
    key = {"pk": "STATE#" + hashlib.sha256(_state_of(url).encode()).hexdigest(), "sk": "STATE"}
    stack.table().update_item(
        Key=key, UpdateExpression="SET expires_at = :past", ExpressionAttributeValues={":past": int(time.time()) - 1}
    )
    page = follow_to_callback(stack, url, email)
    assert popup_result(page)["error"] == "state_invalid"


def test_the_binding_cookie_is_http_only_lax_and_limited_to_the_callback(stack: LocalStack) -> None:
    answer = stack.api(
        "POST", "/gmail/connect", token=stack.jwt(new_workspace()), headers={"Origin": stack["frontend_origin"]}
    )
    (cookie,) = answer.cookies
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert attributes[0].startswith("outsales_gmail_flow_")
    assert {"httponly", "samesite=lax", "path=/gmail/oauth/callback", "max-age=600"} <= set(attributes)
    assert "secure" not in attributes, "plain http on loopback: a Secure cookie would not be kept"
    assert answer.headers["access-control-allow-origin"] == stack["frontend_origin"]
    assert answer.headers["access-control-allow-credentials"] == "true"
    elsewhere = stack.api(
        "POST", "/gmail/connect", token=stack.jwt(new_workspace()), headers={"Origin": "http://evil.example"}
    )
    assert "access-control-allow-credentials" not in elsewhere.headers
    assert "access-control-allow-origin" not in elsewhere.headers


def test_login_csrf_a_victim_finishing_an_attackers_flow_links_nothing(stack: LocalStack) -> None:
    """The attack: the attacker starts a connect in their workspace and has a victim click the consent link."""
    attacker_workspace = new_workspace()
    attacker_token = stack.jwt(attacker_workspace)
    attacker, victim = Browser(), Browser()
    url = start_connect(stack, attacker_token, attacker)
    start_connect(stack, stack.jwt(new_workspace()), victim)  # the victim's own flow elsewhere: another binding
    exchanges_before = len(calls(stack, "oauth.token"))
    page = follow_to_callback(stack, url, account(stack, "victim@company.example"), victim)
    assert popup_result(page) == {"origin": stack["frontend_origin"], "status": "error", "error": "browser_mismatch"}
    assert "another browser" in page.text
    assert len(calls(stack, "oauth.token")) == exchanges_before, "the victim's code was never exchanged"
    assert _status(stack, attacker_token)["status"] == "disconnected"
    assert not stack.events("GmailConnected", where={"workspace_id": attacker_workspace})
    # No cookie at all (a browser that never asked) is refused the same way.
    url = start_connect(stack, attacker_token, attacker)
    page = follow_to_callback(stack, url, "victim@company.example", Browser())
    assert popup_result(page)["error"] == "browser_mismatch"
    assert _status(stack, attacker_token)["status"] == "disconnected"


def test_a_state_stores_tokens_only_for_the_workspace_that_started_it(stack: LocalStack) -> None:
    a, b = new_workspace(), new_workspace()
    token_a, token_b = stack.jwt(a), stack.jwt(b)
    start_connect(stack, token_b)
    url_a = start_connect(stack, token_a)
    page = follow_to_callback(stack, url_a, account(stack, "owner-a@company.example"))
    assert popup_result(page)["status"] == "connected"
    assert _status(stack, token_a)["email"] == "owner-a@company.example"
    assert _status(stack, token_b)["status"] == "disconnected"


def test_a_ciphertext_of_one_workspace_cannot_be_read_as_another(stack: LocalStack) -> None:
    a = new_workspace()
    connect(stack, a, "owner-kms@company.example")
    item = stack.table().get_item(Key={"pk": f"WS#{a}", "sk": "CONNECTION"})["Item"]
    ciphertext = bytes(item["refresh_token"].value)
    kms = stack.client("kms")
    assert kms.decrypt(CiphertextBlob=ciphertext, EncryptionContext={"workspace_id": a})["Plaintext"]
    with pytest.raises(ClientError) as refused:
        kms.decrypt(CiphertextBlob=ciphertext, EncryptionContext={"workspace_id": new_workspace()})
    assert refused.value.response["Error"]["Code"] == "InvalidCiphertextException"


def test_cancel_and_unticked_scopes_reach_the_opener_as_codes(stack: LocalStack) -> None:
    token = stack.jwt(new_workspace())
    email = account(stack, "owner-3@company.example")
    page = follow_to_callback(stack, start_connect(stack, token), email, action="deny")
    assert popup_result(page)["error"] == "access_denied"
    page = follow_to_callback(stack, start_connect(stack, token), email, scopes=[SEND])
    assert popup_result(page)["error"] == "scope_missing"
    assert _status(stack, token)["status"] == "disconnected"
    for bad in (page, http("GET", f"{stack['api_url']}/gmail/oauth/callback")):
        assert "'*'" not in bad.text
        assert "postMessage(message, data.origin)" in bad.text
        assert f'"origin": "{stack["frontend_origin"]}"' in bad.text
        assert bad.headers["content-security-policy"].startswith("default-src 'none'")


def test_connecting_a_second_account_replaces_and_revokes_the_first(stack: LocalStack) -> None:
    workspace = new_workspace()
    token = connect(stack, workspace, "first@company.example")
    revokes_before = len(calls(stack, "oauth.revoke"))
    connect(stack, workspace, "second@company.example")
    assert _status(stack, token)["email"] == "second@company.example"
    revokes = calls(stack, "oauth.revoke")[revokes_before:]
    assert [c["status"] for c in revokes] == [200]
    first = stack.google("GET", "accounts/first@company.example").json()
    assert not [g for g in first.get("grants", []) if not g.get("revoked")], first


def test_disconnect_revokes_forgets_and_is_idempotent(stack: LocalStack) -> None:
    workspace = new_workspace()
    token = connect(stack, workspace, "leaving@company.example")
    for _ in range(2):
        answer = stack.api("DELETE", "/gmail/connection", token=token)
        assert answer.status_code == 200
        assert answer.json()["status"] == "disconnected"
    item = stack.table().get_item(Key={"pk": f"WS#{workspace}", "sk": "CONNECTION"})["Item"]
    assert "refresh_token" not in item
    assert "email" not in item
    assert len(stack.events("GmailDisconnected", where={"workspace_id": workspace}, timeout=5)) == 1
    stack.send(approved(workspace, "act_after"))
    assert wait_email(stack, token, "act_after", "EMAIL_READY")["reason"] == "gmail_not_connected"


def test_a_revoked_grant_needs_reconnect_and_reconnecting_sends_what_waited(stack: LocalStack) -> None:
    workspace = new_workspace()
    owner = "revoked@company.example"
    token = connect(stack, workspace, owner)
    account(stack, "pat@prospect.example", "Pat Lee")
    assert stack.google("POST", f"accounts/{owner}/revoke").status_code < 300
    stack.send(approved(workspace, "act_r1"))
    email = wait_email(stack, token, "act_r1", "EMAIL_READY")
    assert email["reason"] == "gmail_needs_reconnect"
    status = _status(stack, token)
    assert status["status"] == "needs_reconnect"
    assert status["reason"] == "token_revoked"
    stack.send(approved(workspace, "act_r2"))
    wait_email(stack, token, "act_r2", "EMAIL_READY")
    assert len(stack.events("GmailAuthorizationLost", where={"workspace_id": workspace}, timeout=3)) == 1
    connect(stack, workspace, owner)
    assert _status(stack, token)["status"] == "connected"
    for activity in ("act_r1", "act_r2"):
        assert wait_email(stack, token, activity, "SENT")["gmail_message_id"]


def test_no_token_code_verifier_or_client_secret_reaches_any_log(stack: LocalStack) -> None:
    workspace = new_workspace()
    token = stack.jwt(workspace)
    email = account(stack, "private@company.example")
    url = start_connect(stack, token)
    state = _state_of(url)
    pending = stack.table().get_item(Key={"pk": "STATE#" + hashlib.sha256(state.encode()).hexdigest(), "sk": "STATE"})[
        "Item"
    ]
    redirect = consent(stack, url, email)
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(redirect.headers["location"]).query)["code"][0]
    binding = SAME_BROWSER.header()
    assert popup_result(http("GET", redirect.headers["location"], headers=binding))["status"] == "connected"
    stack.send(approved(workspace, "act_private"))
    wait_email(stack, token, "act_private", "SENT")
    item = stack.table().get_item(Key={"pk": f"WS#{workspace}", "sk": "CONNECTION"})["Item"]
    refresh = (
        stack.client("kms")
        .decrypt(CiphertextBlob=bytes(item["refresh_token"].value), EncryptionContext={"workspace_id": workspace})[
            "Plaintext"
        ]
        .decode()
    )
    secret = stack.client("secretsmanager").get_secret_value(SecretId=stack["google_client_secret_arn"])
    logs = stack.functions_log()
    assert workspace in logs, "the logs are captured (ids are logged)"
    secrets = {
        "authorization code": code,
        "PKCE verifier": str(pending["code_verifier"]),
        "refresh token": refresh,
        "client secret": secret["SecretString"],
        "state": state,
        "JWT": token,
        "browser binding": binding["Cookie"].split("=", 1)[1],
    }
    leaked = [name for name, value in secrets.items() if value in logs]
    assert not leaked, f"found in the function logs: {leaked}"
    assert "thanks for your time today" not in logs, "email bodies are never logged"
