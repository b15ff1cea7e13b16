"""No token, code, verifier or client secret in a log line, an event, a metric, an error answer or a stored attribute.

The stack runs with OUTSALES_SECRET_MARK set: every authorization code, access and refresh token the Google emulator
issues, and the local client secret, then carries that distinctive string, so one search finds any of them wherever
it lands. The PKCE verifier is the service's own random value: it is found by hashing every token-shaped string seen
and comparing with the code_challenge of the consent URL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import LocalStack, http, start_local_stack
from tests.integration.service.flows import (
    Browser,
    account,
    approved,
    callback_url_parts,
    consent,
    new_workspace,
    popup_result,
    start_connect,
    wait_email,
)

MARK = "Zq9MARK" + secrets.token_hex(4)
TOKEN_SHAPED = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
PROSPECT = "pat.secrets@prospect.example"


@pytest.fixture(scope="module")
def marked_stack() -> Iterator[LocalStack]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OUTSALES_SECRET_MARK", MARK)
        with (
            tempfile.TemporaryDirectory(prefix="outsales-secrets-") as state_dir,
            start_local_stack(Path(state_dir), extra_args=["--no-schedule"]) as running,
        ):
            yield running


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def test_no_secret_reaches_logs_events_metrics_answers_or_the_table(marked_stack: LocalStack) -> None:
    stack = marked_stack
    workspace = new_workspace()
    owner = account(stack, f"sam.{workspace}@company.example")
    account(stack, PROSPECT, "Pat Lee")
    token = stack.jwt(workspace)
    answers: list[str] = []

    # Given a connection made through the whole popup flow
    browser = Browser()
    authorization_url = start_connect(stack, token, browser)
    challenge = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorization_url).query))["code_challenge"]
    redirect = consent(stack, authorization_url, owner)
    code = callback_url_parts(redirect)["code"]
    assert MARK in code, "the emulator marks the codes it issues"
    page = http("GET", redirect.headers["location"], headers=browser.header())
    browser.store(page.cookies)
    assert popup_result(page)["status"] == "connected", page.text[:300]
    answers.append(page.text)

    # When the code is replayed, an email is sent, Google drops the grant mid-send, and the mailbox is disconnected
    replay = http("GET", redirect.headers["location"], headers=browser.header())
    answers.append(replay.text)
    stack.send(approved(workspace, "act_secret_1", to={"email": PROSPECT, "name": "Pat Lee"}))
    wait_email(stack, token, "act_secret_1", "SENT", timeout=30)
    stack.google("POST", f"accounts/{owner}/revoke")
    stack.send(approved(workspace, "act_secret_2", to={"email": PROSPECT, "name": "Pat Lee"}))
    wait_email(stack, token, "act_secret_2", "EMAIL_READY", timeout=30)
    for method, path in (("GET", "/gmail/status"), ("GET", "/emails"), ("DELETE", "/gmail/connection")):
        answers.append(stack.api(method, path, token=token).text)
    answers.append(stack.api("GET", "/gmail/oauth/callback", params={"code": code, "state": "forged"}).text)

    # Then no marked value and no verifier is anywhere
    client_secret = stack.client("secretsmanager").get_secret_value(SecretId=stack["google_client_secret_arn"])
    assert MARK in client_secret["SecretString"], "the local client secret is marked too"
    places = {
        "function logs and metrics": stack.functions_log(),
        "stack logs": (stack.state_dir / "stack.stderr.log").read_text(errors="replace")
        + (stack.state_dir / "stack.stdout.log").read_text(errors="replace"),
        "events": Path(stack["events_log"]).read_text(),
        "error and page answers": "\n".join(answers),
        "DynamoDB attributes": "\n".join(json.dumps(item, default=repr) for item in stack.table().scan()["Items"]),
    }
    assert '"EmailSent"' in places["events"]
    assert "EmailsSent" in places["function logs and metrics"]
    for place, text in places.items():
        assert MARK not in text, f"a token, code or the client secret in {place}"
        leaked = [c for c in TOKEN_SHAPED.findall(text) if _challenge(c) == challenge]
        assert not leaked, f"the PKCE verifier in {place}"
