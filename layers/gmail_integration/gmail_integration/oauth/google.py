"""Google's OAuth endpoints through google-auth-oauthlib and google-auth, the libraries Google maintains.

The code exchange goes through ``Flow`` (PKCE, client authentication); the service compares the granted scopes
itself, so oauthlib is told not to raise on a scope change (``OAUTHLIB_RELAX_TOKEN_SCOPE``). Plain http is only
accepted for a loopback Google (the local emulator), which ``Settings`` has already checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import requests
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from pydantic import SecretStr

from gmail_integration.models.oauth import ExchangeFailedError, RevokeOutcome, TokenGrant
from gmail_integration.models.scopes import REQUIRED_SCOPES
from gmail_integration.observability import logger

os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")

_REVOKE_TIMEOUT_S = 10


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    client_secret: SecretStr
    auth_uri: str
    token_uri: str
    revoke_uri: str
    allow_loopback_http: bool = False


def _allow_loopback_http(client: OAuthClient) -> None:
    if client.allow_loopback_http:
        # oauthlib refuses http outright; only a loopback emulator gets here (see Settings).
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def _flow(client: OAuthClient, redirect_uri: str, **kwargs: Any) -> Flow:
    _allow_loopback_http(client)
    config = {
        "web": {
            "client_id": client.client_id,
            "client_secret": client.client_secret.get_secret_value(),
            "auth_uri": client.auth_uri,
            "token_uri": client.token_uri,
        }
    }
    return Flow.from_client_config(config, scopes=list(REQUIRED_SCOPES), redirect_uri=redirect_uri, **kwargs)


class GoogleOAuth:
    def __init__(self, client: OAuthClient) -> None:
        self._client = client

    def authorization_url(self, state: str, redirect_uri: str) -> tuple[str, str]:
        """Google's consent URL and the PKCE verifier to keep server-side until the callback.

        ``prompt=consent`` makes Google issue a refresh token on every connect (it is sent only on first consent
        otherwise); ``include_granted_scopes`` is deliberately absent, so grants made elsewhere never merge in.
        """
        flow = _flow(self._client, redirect_uri)
        url, _ = flow.authorization_url(state=state, access_type="offline", prompt="consent")
        verifier = flow.code_verifier
        assert verifier, "google-auth-oauthlib generates the PKCE verifier"
        return str(url), str(verifier)

    def exchange(self, code: str, code_verifier: str, redirect_uri: str) -> TokenGrant:
        flow = _flow(self._client, redirect_uri, code_verifier=code_verifier, autogenerate_code_verifier=False)
        try:
            token = flow.fetch_token(code=code)
        except (OAuth2Error, requests.RequestException, ValueError) as exc:
            logger.warning("code exchange refused", extra={"error": type(exc).__name__})
            raise ExchangeFailedError(type(exc).__name__) from exc
        credentials = flow.credentials
        scope = token.get("scope") or []
        granted = frozenset(scope.split() if isinstance(scope, str) else scope)
        refresh = credentials.refresh_token
        return TokenGrant(
            access_token=SecretStr(str(credentials.token)),
            refresh_token=SecretStr(refresh) if refresh else None,
            granted_scopes=granted,
        )

    def revoke(self, token: SecretStr) -> RevokeOutcome:
        """Best effort: Google's ``invalid_token`` means the grant is already gone, which is what we wanted."""
        _allow_loopback_http(self._client)
        try:
            answer = requests.post(
                self._client.revoke_uri,
                data={"token": token.get_secret_value()},
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                timeout=_REVOKE_TIMEOUT_S,
            )
        except requests.RequestException as exc:
            logger.warning("revoke failed", extra={"error": type(exc).__name__})
            return RevokeOutcome.FAILED
        if answer.status_code == 200:
            return RevokeOutcome.REVOKED
        if answer.status_code == 400 and _error_code(answer) == "invalid_token":
            return RevokeOutcome.ALREADY_REVOKED
        logger.warning("revoke refused", extra={"status": answer.status_code, "error": _error_code(answer)})
        return RevokeOutcome.FAILED


def _error_code(answer: requests.Response) -> str | None:
    try:
        body = answer.json()
    except ValueError:
        return None
    return str(body.get("error")) if isinstance(body, dict) and body.get("error") else None
