"""SigV4 verification accepts what botocore signs and refuses the rest with API Gateway's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_stack import sigv4
from local_stack.http_api import IncomingRequest

KEY, SECRET, REGION, ACCOUNT = "AKIAEXAMPLE000000001", "secret-value", "us-east-1", "123456789012"
URL = "http://127.0.0.1:4000/internal/workspaces/ws%201/billing?b=2&a=1"


def signed(
    body: bytes = b'{"status":"past_due"}', key: str = KEY, secret: str = SECRET, region: str = REGION
) -> IncomingRequest:
    request = AWSRequest(method="PUT", url=URL, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key, secret), "execute-api", region).add_auth(request)
    headers = [("Host", "127.0.0.1:4000"), *request.headers.items(), ("User-Agent", "not-signed")]
    return IncomingRequest("PUT", "/internal/workspaces/ws%201/billing", "b=2&a=1", headers, body, "127.0.0.1")


def verify(request: IncomingRequest, now: datetime | None = None) -> sigv4.IamCaller:
    return sigv4.verify(request, KEY, SECRET, REGION, ACCOUNT, now=now)


def test_a_botocore_signature_verifies() -> None:
    caller = verify(signed())
    assert caller.access_key == KEY
    assert caller.authorizer()["iam"]["accountId"] == ACCOUNT  # type: ignore[index]


def refusal(request: IncomingRequest, now: datetime | None = None) -> str:
    with pytest.raises(sigv4.SignatureError) as raised:
        verify(request, now)
    return raised.value.message


def test_tampered_body_or_path_is_a_mismatch() -> None:
    good = signed()
    assert refusal(IncomingRequest(**{**good.__dict__, "body": b"{}"})) == sigv4.MISMATCH
    assert (
        refusal(IncomingRequest(**{**good.__dict__, "raw_path": "/internal/workspaces/ws_2/billing"})) == sigv4.MISMATCH
    )
    assert refusal(IncomingRequest(**{**good.__dict__, "raw_query": "a=1"})) == sigv4.MISMATCH


def test_missing_wrong_key_region_or_secret() -> None:
    unsigned = IncomingRequest("PUT", "/x", "", [("Host", "h")], b"", "127.0.0.1")
    assert refusal(unsigned) == sigv4.MISSING
    assert refusal(signed(key="AKIAOTHER00000000000")) == sigv4.UNKNOWN_KEY
    assert refusal(signed(region="eu-west-1")).startswith("Credential should be scoped to a valid region")
    assert refusal(signed(secret="guess")) == sigv4.MISMATCH
    bearer = IncomingRequest("PUT", "/x", "", [("Authorization", "Bearer abc.def.ghi")], b"", "127.0.0.1")
    assert "abc.def.ghi" not in refusal(bearer)


def test_signatures_older_or_newer_than_five_minutes_are_refused() -> None:
    request = signed()
    assert refusal(request, now=datetime.now(UTC) + timedelta(minutes=6)).startswith("Signature expired")
    assert refusal(request, now=datetime.now(UTC) - timedelta(minutes=6)).startswith("Signature not yet current")
    assert verify(request, now=datetime.now(UTC) + timedelta(minutes=4))
