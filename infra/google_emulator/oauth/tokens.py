"""The token endpoint (`/token`), revocation (`/revoke`) and token info (`/tokeninfo`), with Google's errors.

Error bodies are Google's: `{"error": "invalid_grant", "error_description": "..."}`; a wrong client answers 401
`invalid_client`. Client credentials are accepted in the form body (google-auth's refresh) or as HTTP Basic
(requests-oauthlib's code exchange), as Google accepts both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any
from urllib.parse import unquote

from google_emulator import ids
from google_emulator.calls import Call
from google_emulator.oauth.grants import AccessToken, AuthCode, RefreshToken
from google_emulator.state import State
from google_emulator.web import Request, Response, json_response

_NO_STORE = [("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate"), ("Pragma", "no-cache")]


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status, self.error, self.description = status, error, description

    def response(self) -> Response:
        return json_response(self.status, {"error": self.error, "error_description": self.description}, _NO_STORE)


def _fields(request: Request) -> dict[str, str]:
    fields = {key: values[0] for key, values in request.query.items()}
    if request.content_type == "application/json":
        try:
            body = request.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            fields.update({key: str(value) for key, value in body.items()})
    else:
        fields.update({key: values[0] for key, values in request.form().items()})
    return fields


def _client_credentials(request: Request, fields: dict[str, str]) -> tuple[str, str]:
    header = request.header("authorization") or ""
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError(400, "invalid_request", "Malformed Authorization header.") from None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return fields.get("client_id", ""), fields.get("client_secret", "")


def _authenticate_client(state: State, request: Request, fields: dict[str, str]) -> str:
    client_id, secret = _client_credentials(request, fields)
    if not client_id:
        raise OAuthError(400, "invalid_request", "Could not determine client ID from request.")
    client = state.clients.get(client_id)
    if client is None:
        raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
    if not hmac.compare_digest(secret.encode(), client.client_secret.encode()):
        raise OAuthError(401, "invalid_client", "Unauthorized")
    return client_id


def _issue_access_token(state: State, client_id: str, email: str, scopes: frozenset[str], offline: bool) -> AccessToken:
    lifetime = state.settings.access_token_lifetime_s
    token = AccessToken(ids.access_token(), client_id, email, scopes, state.now() + lifetime, offline)
    state.oauth.access_tokens[token.token] = token
    return token


def _token_answer(token: AccessToken, state: State, scope_order: list[str]) -> dict[str, Any]:
    # Google answers expires_in 3599 for its hour: the second lost on the way.
    expires_in = max(0, state.settings.access_token_lifetime_s - 1)
    return {
        "access_token": token.token,
        "expires_in": expires_in,
        "scope": " ".join(scope_order),
        "token_type": "Bearer",
    }


def _verify_pkce(code: AuthCode, verifier: str | None) -> None:
    if code.code_challenge is None:
        return
    if not verifier:
        raise OAuthError(400, "invalid_grant", "Missing code verifier.")
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    if not hmac.compare_digest(expected, code.code_challenge):
        raise OAuthError(400, "invalid_grant", "Invalid code verifier.")


def _exchange_code(state: State, client_id: str, fields: dict[str, str], call: Call) -> dict[str, Any]:
    value = fields.get("code", "")
    if not value:
        raise OAuthError(400, "invalid_request", "Missing required parameter: code")
    if not value.startswith("4/"):
        raise OAuthError(400, "invalid_grant", "Malformed auth code.")
    code = state.oauth.codes.get(value)
    if code is None or code.client_id != client_id:
        raise OAuthError(400, "invalid_grant", "Bad Request")
    call.email = code.email
    if code.used:
        # A replayed code may be a stolen one: like Google, revoke what the first exchange issued.
        for issued in code.issued:
            for store in (state.oauth.access_tokens, state.oauth.refresh_tokens):
                record = store.get(issued)
                if record is not None:
                    record.revoked = True
        raise OAuthError(400, "invalid_grant", "Bad Request")
    if state.now() - code.created_at > state.settings.code_lifetime_s:
        raise OAuthError(400, "invalid_grant", "Bad Request")
    if "redirect_uri" not in fields:
        raise OAuthError(400, "invalid_request", "Missing parameter: redirect_uri")
    if fields["redirect_uri"] != code.redirect_uri:
        raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
    _verify_pkce(code, fields.get("code_verifier"))
    code.used = True
    grant = state.oauth.grant(client_id, code.email)
    grant.scopes.update(code.scopes)
    order = sorted(code.scopes)
    access = _issue_access_token(state, client_id, code.email, code.scopes, code.offline)
    code.issued.append(access.token)
    answer = _token_answer(access, state, order)
    if code.offline and (code.prompt_consent or not grant.has_refresh_token):
        refresh = RefreshToken(ids.refresh_token(), client_id, code.email, code.scopes)
        state.oauth.refresh_tokens[refresh.token] = refresh
        grant.has_refresh_token = True
        code.issued.append(refresh.token)
        answer["refresh_token"] = refresh.token
    call.scopes = order
    return answer


def _refresh(state: State, client_id: str, fields: dict[str, str], call: Call) -> dict[str, Any]:
    value = fields.get("refresh_token", "")
    if not value:
        raise OAuthError(400, "invalid_request", "Missing required parameter: refresh_token")
    refresh = state.oauth.refresh_tokens.get(value)
    if refresh is None or refresh.revoked:
        raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
    if refresh.client_id != client_id:
        raise OAuthError(401, "unauthorized_client", "Unauthorized")
    call.email = refresh.email
    scopes = refresh.scopes
    requested = fields.get("scope", "").split()
    if requested:
        # Google narrows to what was granted; google-auth then logs that fewer scopes came back.
        scopes = frozenset(s for s in requested if s in refresh.scopes)
        if not scopes:
            raise OAuthError(
                400, "invalid_scope", "Some requested scopes were invalid. {invalid=[" + ", ".join(requested) + "]}"
            )
    access = _issue_access_token(state, client_id, refresh.email, scopes, True)
    call.scopes = sorted(scopes)
    return _token_answer(access, state, sorted(scopes))


def token(state: State, request: Request, call: Call) -> Response:
    if request.method != "POST":
        return OAuthError(405, "invalid_request", "Method Not Allowed").response()
    fields = _fields(request)
    with state.lock:
        try:
            grant_type = fields.get("grant_type", "")
            if grant_type not in ("authorization_code", "refresh_token"):
                raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
            client_id = _authenticate_client(state, request, fields)
            if grant_type == "authorization_code":
                answer = _exchange_code(state, client_id, fields, call)
            else:
                answer = _refresh(state, client_id, fields, call)
        except OAuthError as error:
            call.reason = error.error
            return error.response()
    return json_response(200, answer, _NO_STORE)


def revoke(state: State, request: Request, call: Call) -> Response:
    """Revoke an access or refresh token, and with it the whole grant of that client for that account."""
    fields = _fields(request)
    value = fields.get("token", "")
    with state.lock:
        if not value:
            call.reason = "invalid_request"
            return OAuthError(400, "invalid_request", "Missing required parameter: token").response()
        record: AccessToken | RefreshToken | None = state.oauth.access_tokens.get(value)
        if record is None:
            record = state.oauth.refresh_tokens.get(value)
        expired = isinstance(record, AccessToken) and record.expires_at <= state.now()
        if record is None or record.revoked or expired:
            call.reason = "invalid_token"
            return OAuthError(400, "invalid_token", "Token expired or revoked").response()
        call.email = record.email
        state.oauth.revoke_grant(record.client_id, record.email)
    return json_response(200, {}, _NO_STORE)


def tokeninfo(state: State, request: Request, call: Call) -> Response:
    fields = _fields(request)
    with state.lock:
        record = state.oauth.access_tokens.get(fields.get("access_token", ""))
        now = state.now()
        if record is None or record.revoked or record.expires_at <= now:
            call.reason = "invalid_token"
            return OAuthError(400, "invalid_token", "Invalid Value").response()
        call.email = record.email
        account = state.account(record.email)
    subject = str(int(hashlib.sha256(record.email.encode()).hexdigest()[:15], 16))
    return json_response(
        200,
        {
            "azp": record.client_id,
            "aud": record.client_id,
            "sub": subject,
            "scope": " ".join(sorted(record.scopes)),
            "exp": str(int(record.expires_at)),
            "expires_in": str(max(0, int(record.expires_at - now))),
            "email": account.email if account else record.email,
            "email_verified": "true",
            "access_type": "offline" if record.offline else "online",
        },
        _NO_STORE,
    )
