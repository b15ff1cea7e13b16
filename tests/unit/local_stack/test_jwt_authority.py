"""The local JWT authorizer accepts what API Gateway's accepts and passes claims as API Gateway does."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local_stack.jwt_authority import (
    JwtAuthority,
    JwtAuthorizerConfig,
    Unauthorized,
    claims_as_api_gateway_passes_them,
    scopes_of,
)

AUTHORITY = JwtAuthority("http://127.0.0.1:4000/_local", "outsales-local", "workspace_id")
CONFIG = JwtAuthorizerConfig(issuer="http://127.0.0.1:4000/_local", audiences=("outsales-local", "other"))


def test_minted_token_verifies_with_or_without_bearer() -> None:
    token = AUTHORITY.mint("ws_1", "u1")
    assert AUTHORITY.verify(f"Bearer {token}", CONFIG)["workspace_id"] == "ws_1"
    assert AUTHORITY.verify(token, CONFIG)["sub"] == "u1"


def test_any_configured_audience_or_client_id_is_accepted() -> None:
    assert AUTHORITY.verify(AUTHORITY.mint("ws", "u", extra={"aud": ["x", "other"]}), CONFIG)
    no_aud = AUTHORITY.mint("ws", "u", extra={"aud": None, "client_id": "other"})
    assert AUTHORITY.verify(no_aud, CONFIG)["client_id"] == "other"


def foreign() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": CONFIG.issuer, "aud": "outsales-local", "exp": int(time.time()) + 60}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": AUTHORITY.kid})


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "Bearer garbage",
        AUTHORITY.mint("ws", "u", ttl_s=-1),
        AUTHORITY.mint("ws", "u", extra={"aud": "nobody"}),
        AUTHORITY.mint("ws", "u", extra={"iss": "https://elsewhere"}),
        AUTHORITY.mint("ws", "u", extra={"exp": None}),
        foreign(),
        jwt.encode({"iss": CONFIG.issuer, "aud": "outsales-local"}, key=None, algorithm="none"),
    ],
)
def test_refused(token: str | None) -> None:
    with pytest.raises(Unauthorized):
        AUTHORITY.verify(token, CONFIG)


def test_jwks_publishes_the_verifying_key() -> None:
    (key,) = AUTHORITY.jwks()["keys"]
    assert (key["kid"], key["alg"], key["kty"]) == (AUTHORITY.kid, "RS256", "RSA")
    claims = jwt.decode(AUTHORITY.mint("ws", "u"), jwt.PyJWK(key).key, algorithms=["RS256"], audience="outsales-local")
    assert claims["workspace_id"] == "ws"


def test_claims_are_strings_as_api_gateway_passes_them() -> None:
    claims = {"sub": "u", "exp": 1700000000, "n": 1.5, "ok": True, "groups": ["a", "b"], "m": {"k": "v"}, "z": None}
    assert claims_as_api_gateway_passes_them(claims) == {
        "sub": "u",
        "exp": "1700000000",
        "n": "1.5",
        "ok": "true",
        "groups": "[a b]",
        "m": "map[k:v]",
        "z": "",
    }
    assert scopes_of({"scope": "read write"}) == ["read", "write"]
    assert scopes_of({"scp": ["a"]}) == ["a"]
    assert scopes_of({}) is None
