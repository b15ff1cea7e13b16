"""Who is calling and what their token allows, with Google's 401 and 403 answers.

Scopes are checked per method against the discovery document. gmail.metadata is stricter than its list
entry suggests: a token that carries it may not use `q` nor read bodies (format full/raw), even when the
same token also carries a broader scope (google-api-python-client #582).
"""

from __future__ import annotations

from google_emulator.discovery import Method
from google_emulator.errors import ApiError
from google_emulator.oauth.grants import AccessToken
from google_emulator.state import State
from google_emulator.web import Request

METADATA = "https://www.googleapis.com/auth/gmail.metadata"
_REALM = 'Bearer realm="https://accounts.google.com/"'
_SEE = "See https://developers.google.com/identity/sign-in/web/devconsole-project."
_BODY_SCOPES = {
    "https://mail.google.com/",
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.modify",
}


def _error_info(reason: str, method: Method) -> list[dict[str, object]]:
    return [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": reason,
            "domain": "googleapis.com",
            "metadata": {"service": "gmail.googleapis.com", "method": method.id},
        }
    ]


def bearer(request: Request) -> str | None:
    header = request.header("authorization") or ""
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.param("access_token") or request.param("oauth_token")


def authenticate(state: State, request: Request, method: Method) -> AccessToken:
    value = bearer(request)
    if value is None:
        raise ApiError(
            401,
            "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie "
            f"or other valid authentication credential. {_SEE}",
            "required",
            item_message="Login Required.",
            extra={"location": "Authorization", "locationType": "header"},
            headers=[("WWW-Authenticate", _REALM)],
            details=_error_info("CREDENTIALS_MISSING", method),
        )
    token = state.oauth.access_tokens.get(value)
    if token is None or token.revoked or token.expires_at <= state.now():
        expired = token is not None and not token.revoked
        raise ApiError(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
            f"or other valid authentication credential. {_SEE}",
            "authError",
            item_message="Invalid Credentials",
            extra={"location": "Authorization", "locationType": "header"},
            headers=[("WWW-Authenticate", f'{_REALM}, error="invalid_token"')],
            details=_error_info("ACCESS_TOKEN_EXPIRED", method) if expired else None,
        )
    return token


def check_scopes(token: AccessToken, method: Method) -> None:
    if token.scopes.intersection(method.scopes):
        return
    raise ApiError(
        403,
        "Request had insufficient authentication scopes.",
        "insufficientPermissions",
        headers=[("WWW-Authenticate", f'{_REALM}, error="insufficient_scope", scope="{" ".join(method.scopes)}"')],
        details=_error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT", method),
        item_message="Insufficient Permission",
    )


def check_metadata_limits(token: AccessToken, method: Method, query: dict[str, list[str]]) -> None:
    if METADATA not in token.scopes:
        return
    if query.get("q") and method.id in ("gmail.users.messages.list", "gmail.users.threads.list"):
        raise ApiError(403, "Metadata scope does not support 'q' parameter", "forbidden")
    if method.id in ("gmail.users.messages.get", "gmail.users.threads.get", "gmail.users.drafts.get"):
        fmt = (query.get("format") or ["full"])[0]
        if fmt in ("full", "raw"):
            raise ApiError(403, f"Metadata scope doesn't allow format {fmt.upper()}", "forbidden")


def may_read_bodies(token: AccessToken) -> bool:
    """Snippets are body text: a token limited to metadata gets none."""
    return bool(token.scopes & _BODY_SCOPES) and METADATA not in token.scopes
