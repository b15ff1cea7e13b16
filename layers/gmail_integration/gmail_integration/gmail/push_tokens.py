"""Pub/Sub push tokens: Google-signed OIDC tokens, checked with google-auth against Google's certificates.

google-auth fetches the certificates on every verification; Google rotates them over days, so they are kept for
``CERTS_MAX_AGE_S`` per warm container, and a push costs no extra round trip.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import google.auth.transport
import google.auth.transport.requests
from google.auth.exceptions import GoogleAuthError, TransportError
from google.oauth2 import id_token

from gmail_integration.models.push import PushRejectedError

CERTS_MAX_AGE_S = 300
GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
_HTTP_TIMEOUT_S = 5


class _CachedCertsRequest(google.auth.transport.Request):
    def __init__(self, max_age_s: float) -> None:
        self._inner = google.auth.transport.requests.Request()
        self._max_age_s = max_age_s
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def __call__(
        self, url: Any, method: Any = "GET", body: Any = None, headers: Any = None, timeout: Any = None, **kwargs: Any
    ) -> Any:
        with self._lock:
            hit = self._cache.get(url)
            if hit is not None and hit[0] > time.monotonic():
                return hit[1]
        response = self._inner(
            url, method=method, body=body, headers=headers, timeout=timeout or _HTTP_TIMEOUT_S, **kwargs
        )
        if response.status == 200:
            with self._lock:
                self._cache[url] = (time.monotonic() + self._max_age_s, response)
        return response


class GooglePushTokens:
    def __init__(self, certs_url: str, audience: str, service_account: str) -> None:
        self._certs_url = certs_url
        self._audience = audience
        self._service_account = service_account.strip().lower()
        self._request = _CachedCertsRequest(CERTS_MAX_AGE_S)

    def forget_all(self) -> None:
        """Drops the cached certificates and the connection pool: a restored snapshot fetches them afresh."""
        self._request = _CachedCertsRequest(CERTS_MAX_AGE_S)

    def verify(self, token: str) -> None:
        if not self._audience or not self._service_account:
            raise PushRejectedError(403, "push is not configured")
        try:
            claims = id_token.verify_token(
                token, self._request, audience=self._audience, certs_url=self._certs_url, clock_skew_in_seconds=10
            )
        except TransportError as exc:
            raise PushRejectedError(503, "google certificates unavailable") from exc
        except (ValueError, GoogleAuthError) as exc:
            raise PushRejectedError(401, "invalid token") from exc
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise PushRejectedError(403, "wrong issuer")
        if str(claims.get("email", "")).lower() != self._service_account or claims.get("email_verified") is not True:
            raise PushRejectedError(403, "wrong service account")
