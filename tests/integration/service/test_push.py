"""Gmail push on the local stack: the emulator's Pub/Sub simulator POSTs to /gmail/push, the poll worker reads.

The local stack wires push on by default (stack.json's push_enabled); the schedule is then the safety net.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integration.conftest import LocalStack, Response, http
from tests.integration.service.flows import (
    account,
    approved,
    calls,
    connect,
    mailbox,
    new_workspace,
    settle,
    wait_email,
)

PROSPECT = "pat.push@prospect.example"


@pytest.fixture
def sent(stack: LocalStack) -> tuple[str, str, str, dict[str, Any]]:
    """A connected (and so watched) workspace with one email sent to the prospect: (workspace, token, owner, email)."""
    assert stack["push_enabled"] is True
    assert stack.google("DELETE", "push/faults").status_code == 200
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example", "Sam Seller")
    account(stack, PROSPECT, "Pat Lee")
    token = connect(stack, workspace, owner)
    stack.send(approved(workspace, "act_1", to={"email": PROSPECT, "name": "Pat Lee"}))
    email = wait_email(stack, token, "act_1", "SENT")
    # Gmail notifies the send itself too: let that notification's poll finish, so that a test arming push faults
    # next sees only what its own arrivals cause (a late poll would otherwise find the test's reply by chance).
    settle(2)
    return workspace, token, owner, email


def _reply(stack: LocalStack, owner: str, email: dict[str, Any], text: str = "Sounds good.") -> dict[str, Any]:
    message_id = str(email["message_id"])
    answer = stack.google(
        "POST",
        f"mailboxes/{owner}/messages",
        {
            "from": f"Pat Lee <{PROSPECT}>",
            "subject": "Re: Following up",
            "text": text,
            "in_reply_to": message_id,
            "references": message_id,
        },
    )
    assert answer.status_code < 300, answer.text
    return dict(answer.json())


def _push_fault(stack: LocalStack, action: str, count: int = 1, **extra: Any) -> None:
    answer = stack.google("POST", "push/faults", {"action": action, "count": count, **extra})
    assert answer.status_code == 200, answer.text


def _deliveries(stack: LocalStack, owner: str) -> list[dict[str, Any]]:
    found = stack.google("GET", "push/deliveries").json()["deliveries"]
    return [d for d in found if d["data"]["emailAddress"] == owner]


def _history_lists(stack: LocalStack, owner: str) -> int:
    return len([c for c in calls(stack, "gmail.users.history.list") if c["email"] == owner])


def _push(stack: LocalStack, token: str | None, body: Any) -> Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return http("POST", stack["push"]["endpoint"], body=raw, headers=headers)


def _envelope(owner: str, history_id: int) -> dict[str, Any]:
    data = base64.b64encode(json.dumps({"emailAddress": owner, "historyId": history_id}).encode()).decode()
    return {
        "message": {"data": data, "messageId": "9000000000001", "publishTime": "2026-11-28T10:00:00.000Z"},
        "subscription": "projects/outsales-local/subscriptions/gmail-push",
    }


def _emulator_token(stack: LocalStack, **claims: Any) -> str:
    push = stack["push"]
    payload = {"audience": push["audience"], "service_account": push["service_account"], **claims}
    answer = stack.google("POST", "push/token", payload)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def _forged_token(stack: LocalStack) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    now = int(time.time())
    claims = {
        "iss": "https://accounts.google.com",
        "aud": stack["push"]["audience"],
        "email": stack["push"]["service_account"],
        "email_verified": True,
        "sub": "1",
        "iat": now,
        "exp": now + 600,
    }
    # The emulator's own key id, so only the signature gives the forgery away.
    certs = http("GET", f"{stack['google_url']}/oauth2/v1/certs").json()
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": next(iter(certs))})


def test_a_reply_turns_the_email_replied_through_push_without_a_schedule_tick(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, Any]]
) -> None:
    workspace, token, owner, email = sent
    watches = stack.google("GET", "push/watches").json()["watches"]
    assert [w["label_ids"] for w in watches if w["email"] == owner] == [["INBOX"]]
    started = time.monotonic()
    _reply(stack, owner, email)
    replied = wait_email(stack, token, "act_1", "REPLIED", timeout=15)
    assert replied["replied_at"]
    assert time.monotonic() - started < 15
    assert any(d["acknowledged"] and d["statuses"][-1] == 204 for d in _deliveries(stack, owner))
    detected = stack.events("ReplyDetected", where={"workspace_id": workspace, "activity_id": "act_1"})
    assert [e["detail"]["kind"] for e in detected] == ["reply"]


def test_refused_pushes_enqueue_nothing_and_a_valid_one_does(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, Any]]
) -> None:
    _, token, owner, email = sent
    _push_fault(stack, "drop")  # Gmail's own notification of the reply never arrives
    _reply(stack, owner, email)
    history_id = max(int(m["historyId"]) for m in mailbox(stack, owner))
    before = _history_lists(stack, owner)
    body = _envelope(owner, history_id)
    refused = {
        "no token": (None, body),
        "forged": (_forged_token(stack), body),
        "expired": (_emulator_token(stack, ttl_s=-600), body),
        "wrong audience": (_emulator_token(stack, audience="https://elsewhere.example/push"), body),
        "wrong issuer": (_emulator_token(stack, issuer="https://issuer.example"), body),
        "wrong service account": (_emulator_token(stack, service_account="someone@else.iam.gserviceaccount.com"), body),
        "malformed body": (_emulator_token(stack), {"message": {"data": "not base64!", "messageId": "1"}}),
        "not json": (_emulator_token(stack), b"{"),
    }
    for name, (bearer, payload) in refused.items():
        answer = _push(stack, bearer, payload)
        assert answer.status_code in (400, 401, 403), (name, answer.status_code, answer.text)
    settle(3)
    assert _history_lists(stack, owner) == before
    assert wait_email(stack, token, "act_1", "SENT")["status"] == "SENT"

    assert _push(stack, _emulator_token(stack), body).status_code == 204
    wait_email(stack, token, "act_1", "REPLIED", timeout=15)


def test_duplicated_and_reordered_notifications_cause_one_reply_detected(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, Any]]
) -> None:
    workspace, token, owner, email = sent
    _push_fault(stack, "reorder")
    _push_fault(stack, "duplicate")
    _reply(stack, owner, email, "First answer.")
    time.sleep(0.5)  # two mailbox changes, two notifications: the first is held back, the second overtakes it
    _reply(stack, owner, email, "And a second thought.")
    wait_email(stack, token, "act_1", "REPLIED", timeout=15)
    stack.wait_for(lambda: len([d for d in _deliveries(stack, owner) if d["acknowledged"]]) >= 3, timeout=15)
    settle(2)
    detected = stack.events("ReplyDetected", where={"workspace_id": workspace}, count=2, timeout=2)
    assert len(detected) == 1


def test_notifications_dropped_all_day_lose_no_reply_the_safety_net_poll_finds_it(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, Any]]
) -> None:
    workspace, token, owner, email = sent
    _push_fault(stack, "drop", count=1000)  # Pub/Sub loses every notification
    try:
        _reply(stack, owner, email)
        settle(2)
        assert wait_email(stack, token, "act_1", "SENT")["status"] == "SENT"
        # The schedule's next quarter hour (SafetyNetPollMinutes, default 15), one tick a minute: the watch is
        # healthy, so the mailbox is polled on exactly one of them.
        start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=2)
        before = _history_lists(stack, owner)
        for minute in range(15):
            moment = (start + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")
            assert stack.api("POST", "/_local/schedule", json={"time": moment}).status_code == 200
        wait_email(stack, token, "act_1", "REPLIED", timeout=15)
        settle(1)
        assert _history_lists(stack, owner) - before == 1
        assert len(stack.events("ReplyDetected", where={"workspace_id": workspace})) == 1
    finally:
        stack.google("DELETE", "push/faults")


def test_an_expired_watch_is_renewed_and_polled_by_the_safety_net(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, Any]]
) -> None:
    workspace, token, owner, email = sent
    _push_fault(stack, "drop", count=1000)  # push is down for the day
    try:
        _reply(stack, owner, email)
        settle(2)
        assert wait_email(stack, token, "act_1", "SENT")["status"] == "SENT"
        # A day later the watch has lapsed (its daily renewal is what the schedule does next).
        stack.table().update_item(
            Key={"pk": f"WS#{workspace}", "sk": "WATCH"},
            UpdateExpression="SET expiration_ms = :past, renewed_at = :old",
            ExpressionAttributeValues={":past": int((time.time() - 60) * 1000), ":old": "2026-01-01T00:00:00.000Z"},
        )
        watch_calls = len([c for c in calls(stack, "gmail.users.watch") if c["email"] == owner])
        assert stack.schedule().status_code == 200
        wait_email(stack, token, "act_1", "REPLIED", timeout=15)
        assert len([c for c in calls(stack, "gmail.users.watch") if c["email"] == owner]) == watch_calls + 1
        item = stack.table().get_item(Key={"pk": f"WS#{workspace}", "sk": "WATCH"})["Item"]
        assert int(item["expiration_ms"]) > time.time() * 1000
    finally:
        stack.google("DELETE", "push/faults")


def test_disconnect_stops_the_watch_and_the_old_address_is_dropped(
    stack: LocalStack, sent: tuple[str, str, str, dict[str, Any]]
) -> None:
    _, token, owner, _ = sent
    assert stack.api("DELETE", "/gmail/connection", token=token).status_code == 200
    assert [c["email"] for c in calls(stack, "gmail.users.stop")].count(owner) == 1
    assert owner not in [w["email"] for w in stack.google("GET", "push/watches").json()["watches"]]
    before = _history_lists(stack, owner)
    answer = _push(stack, _emulator_token(stack), _envelope(owner, 10**12))
    assert answer.status_code == 204  # acknowledged, so Pub/Sub does not retry it
    settle(2)
    assert _history_lists(stack, owner) == before
    assert "push for an address no workspace watches" in stack.functions_log()
