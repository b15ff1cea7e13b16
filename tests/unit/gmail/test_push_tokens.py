"""Push tokens: google-auth's verification, Google's certificates fetched once per warm container."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from gmail_integration.gmail.push_tokens import GooglePushTokens
from gmail_integration.models.push import PushRejectedError

AUDIENCE = "https://api.example/gmail/push"
ACCOUNT = "push@project.iam.gserviceaccount.com"
CERTS_URL = "https://certs.example/oauth2/v1/certs"


class _Response:
    def __init__(self, data: bytes) -> None:
        self.status = 200
        self.headers: dict[str, str] = {}
        self.data = data


class _Google:
    """Google's certificates endpoint, counting its calls."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "unit")])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(1)
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .sign(self.key, hashes.SHA256())
        )
        self.certs = {"k1": cert.public_bytes(serialization.Encoding.PEM).decode()}
        self.fetches = 0

    def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> _Response:
        assert url == CERTS_URL
        self.fetches += 1
        return _Response(json.dumps(self.certs).encode())

    def token(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": "https://accounts.google.com",
            "aud": AUDIENCE,
            "email": ACCOUNT,
            "email_verified": True,
            "sub": "1",
            "iat": now,
            "exp": now + 600,
            **overrides,
        }
        pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture
def google() -> _Google:
    return _Google()


@pytest.fixture
def tokens(google: _Google) -> GooglePushTokens:
    verifier = GooglePushTokens(CERTS_URL, AUDIENCE, ACCOUNT)
    verifier._request._inner = google  # type: ignore[assignment]
    return verifier


def test_a_valid_token_passes_and_the_certificates_are_fetched_once(tokens: GooglePushTokens, google: _Google) -> None:
    for _ in range(3):
        tokens.verify(google.token())
    assert google.fetches == 1


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 1200}, 401),
        ({"aud": "https://other.example/push"}, 401),
        ({"iss": "https://issuer.example"}, 403),
        ({"email": "someone@else.example"}, 403),
        ({"email_verified": False}, 403),
    ],
)
def test_invalid_claims_are_refused(
    tokens: GooglePushTokens, google: _Google, claims: dict[str, Any], status: int
) -> None:
    with pytest.raises(PushRejectedError) as refused:
        tokens.verify(google.token(**claims))
    assert refused.value.status == status


def test_a_token_signed_by_another_key_is_refused(tokens: GooglePushTokens, google: _Google) -> None:
    other = _Google()
    with pytest.raises(PushRejectedError) as refused:
        tokens.verify(other.token())
    assert refused.value.status == 401


def test_without_audience_or_account_every_push_is_refused(google: _Google) -> None:
    with pytest.raises(PushRejectedError) as refused:
        GooglePushTokens(CERTS_URL, "", "").verify(google.token())
    assert refused.value.status == 403
