"""The local identity provider and the JWT authorizer that trusts it, as API Gateway's JWT authorizer behaves.

A fresh RS256 key pair per start: tokens minted by a previous run stop working, as they would after a key rotation.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class Unauthorized(Exception):
    """Any reason API Gateway answers 401 {"message":"Unauthorized"}; the reason is only for the local log."""


@dataclass(frozen=True)
class JwtAuthorizerConfig:
    issuer: str
    audiences: tuple[str, ...]
    identity_header: str = "authorization"  # from IdentitySource $request.header.Authorization


class JwtAuthority:
    def __init__(self, issuer: str, audience: str, workspace_claim: str) -> None:
        self.issuer = issuer
        self.audience = audience
        self.workspace_claim = workspace_claim
        self.kid = uuid.uuid4().hex[:16]
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._public = self._private.public_key()

    def jwks(self) -> dict[str, Any]:
        key = RSAAlgorithm.to_jwk(self._public, as_dict=True)
        return {"keys": [{**key, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}/jwks.json",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def mint(self, workspace_id: str, user_id: str, ttl_s: int = 3600, extra: dict[str, Any] | None = None) -> str:
        """A token as the OutSales identity provider would issue it; a negative ttl_s gives an expired one."""
        now = int(time.time())
        expires = now + int(ttl_s)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": user_id,
            self.workspace_claim: workspace_id,
            "iat": min(now, expires - 60),
            "exp": expires,
            "jti": uuid.uuid4().hex,
            **(extra or {}),
        }
        return jwt.encode(claims, self._private, algorithm="RS256", headers={"kid": self.kid})

    def verify(self, authorization: str | None, config: JwtAuthorizerConfig) -> dict[str, Any]:
        """The token's claims if API Gateway's JWT authorizer would accept it; raises Unauthorized otherwise."""
        if not authorization:
            raise Unauthorized("no token")
        token = authorization.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthorized(f"malformed token: {error}") from error
        if header.get("kid") != self.kid:
            raise Unauthorized("unknown kid")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public,
                algorithms=["RS256"],
                issuer=config.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(str(error)) from error
        # API Gateway accepts the token when aud (or, without aud, client_id) names one of the configured audiences.
        audiences = claims.get("aud") or claims.get("client_id")
        presented = {audiences} if isinstance(audiences, str) else set(audiences or [])
        if not presented & set(config.audiences):
            raise Unauthorized("audience not accepted")
        return claims


def claims_as_api_gateway_passes_them(claims: dict[str, Any]) -> dict[str, str]:
    """API Gateway hands the claims to the integration as strings (arrays as "[a b]", Go's formatting)."""
    return {key: _go_format(value) for key, value in claims.items()}


def _go_format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(_go_format(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_format(v)}" for k, v in sorted(value.items())) + "]"
    if value is None:
        return ""
    return str(value)


def scopes_of(claims: dict[str, Any]) -> list[str] | None:
    scope = claims.get("scope", claims.get("scp"))
    if scope is None:
        return None
    return scope.split() if isinstance(scope, str) else [str(s) for s in scope]
