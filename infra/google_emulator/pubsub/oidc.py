"""The emulator's Google signing key: OIDC tokens for push deliveries, and the certificates that verify them.

Google publishes its keys at ``/oauth2/v1/certs`` (key id → PEM X.509 certificate, what google-auth's
``id_token.verify_token`` reads by default) and ``/oauth2/v3/certs`` (a JWKS). The emulator serves both, so a
service pointed at the emulator verifies tokens with the same code it runs against Google.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ISSUER = "https://accounts.google.com"
TOKEN_LIFETIME_S = 3600


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_pem: bytes
    certificate_pem: bytes
    public_numbers: rsa.RSAPublicNumbers

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_pem, algorithm="RS256", headers={"kid": self.key_id})


def _new_key() -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "emulator.googleapis.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(private, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    return SigningKey(
        key_id=hashlib.sha1(der, usedforsecurity=False).hexdigest(),
        private_pem=private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        public_numbers=private.public_key().public_numbers(),
    )


_KEY: SigningKey | None = None
_KEY_LOCK = threading.Lock()


def signing_key() -> SigningKey:
    """One key per process: generating RSA keys is slow, and every emulator instance may share it."""
    global _KEY
    with _KEY_LOCK:
        if _KEY is None:
            _KEY = _new_key()
        return _KEY


def push_token(
    audience: str, service_account: str, now: float, ttl_s: int = TOKEN_LIFETIME_S, issuer: str = ISSUER
) -> str:
    """The token Pub/Sub puts in ``Authorization: Bearer`` of a push: the subscription's service account as
    ``email``, the configured audience, Google as issuer."""
    issued = int(now)
    return signing_key().sign(
        {
            "iss": issuer,
            "aud": audience,
            "azp": "1" + hashlib.sha256(service_account.encode()).hexdigest()[:20],
            "sub": "1" + hashlib.sha256(service_account.encode()).hexdigest()[:20],
            "email": service_account,
            "email_verified": True,
            "iat": issued if ttl_s > 0 else issued + ttl_s - 60,
            "exp": issued + ttl_s,
        }
    )


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def certs_v1() -> dict[str, str]:
    key = signing_key()
    return {key.key_id: key.certificate_pem.decode("ascii")}


def certs_v3() -> dict[str, Any]:
    key = signing_key()
    numbers = key.public_numbers
    return {
        "keys": [
            {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": key.key_id, "n": _b64(numbers.n), "e": _b64(numbers.e)}
        ]
    }
