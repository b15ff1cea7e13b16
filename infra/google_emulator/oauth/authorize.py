"""The authorization endpoint (`/o/oauth2/v2/auth`) and the consent form's answer.

Checks follow Google's "OAuth 2.0 for Web Server Applications": a request that is itself wrong (unknown
client, unregistered redirect_uri, bad parameters) gets Google's error page and never reaches the app; once the
person has answered, the browser is redirected to the app with a code, or with `error=access_denied`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from google_emulator import ids
from google_emulator.calls import Call
from google_emulator.oauth.grants import AuthCode, PendingAuthorization
from google_emulator.oauth.pages import consent_page, error_page
from google_emulator.oauth.scopes import known
from google_emulator.state import State
from google_emulator.web import Request, Response, redirect

PENDING_LIFETIME_S = 3600
_CODE_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_SINGLE = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "access_type",
    "prompt",
    "include_granted_scopes",
    "login_hint",
)


class _Refused(Exception):
    def __init__(self, code: int, error: str, description: str) -> None:
        super().__init__(description)
        self.code, self.error, self.description = code, error, description


def _params(request: Request) -> dict[str, list[str]]:
    params = {key: list(values) for key, values in request.query.items()}
    if request.method == "POST":
        for key, values in request.form().items():
            params.setdefault(key, []).extend(values)
    return params


def _validate(state: State, params: dict[str, list[str]], now: float) -> PendingAuthorization:
    """Google's checks of an authorization request, in Google's order, with Google's error words."""
    for name in _SINGLE:
        if len(params.get(name, [])) > 1:
            raise _Refused(400, "invalid_request", f"Parameter not allowed to be repeated: {name}")

    def first(name: str) -> str:
        return (params.get(name) or [""])[0]

    client_id, redirect_uri = _client_and_redirect(state, first)
    _check_response_type(first("response_type"))
    scopes = _scopes(first("scope"))
    challenge, method = _pkce(first("code_challenge"), first("code_challenge_method"))
    access_type, prompt, include = _options(first)
    return PendingAuthorization(
        id=ids.opaque(),
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=first("state") if "state" in params else None,
        code_challenge=challenge,
        code_challenge_method=method,
        offline=access_type == "offline",
        prompt=prompt,
        include_granted_scopes=include == "true",
        login_hint=first("login_hint") or None,
        created_at=now,
    )


def _client_and_redirect(state: State, first: Callable[[str], str]) -> tuple[str, str]:
    client_id = first("client_id")
    if not client_id:
        raise _Refused(400, "invalid_request", "Missing required parameter: client_id")
    client = state.clients.get(client_id)
    if client is None:
        raise _Refused(401, "invalid_client", "The OAuth client was not found.")
    redirect_uri = first("redirect_uri")
    if not redirect_uri:
        raise _Refused(400, "invalid_request", "Missing required parameter: redirect_uri")
    if redirect_uri not in client.redirect_uris:
        raise _Refused(
            400,
            "redirect_uri_mismatch",
            "You can\u2019t sign in to this app because it doesn\u2019t comply with Google\u2019s OAuth 2.0 policy. "
            f"If you\u2019re the app developer, register the redirect URI in the Google Cloud Console. "
            f"redirect_uri={redirect_uri}",
        )
    return client_id, redirect_uri


def _check_response_type(response_type: str) -> None:
    if not response_type:
        raise _Refused(400, "invalid_request", "Missing required parameter: response_type")
    if response_type != "code":
        raise _Refused(400, "unsupported_response_type", f"Unsupported response_type: {response_type}")


def _scopes(scope: str) -> list[str]:
    scopes = list(dict.fromkeys(scope.split()))
    if not scopes:
        raise _Refused(400, "invalid_request", "Missing required parameter: scope")
    unknown = [s for s in scopes if not known(s)]
    if unknown:
        raise _Refused(400, "invalid_scope", f"Some requested scopes were invalid. {{invalid=[{', '.join(unknown)}]}}")
    return scopes


def _pkce(challenge: str, method: str) -> tuple[str | None, str | None]:
    """The code challenge and its method (``plain`` when only a challenge is given), or neither."""
    if method and not challenge:
        raise _Refused(400, "invalid_request", "Missing required parameter: code_challenge")
    if challenge:
        method = method or "plain"
        if method not in ("S256", "plain"):
            raise _Refused(400, "invalid_request", f"Invalid code_challenge_method: {method}")
        if not _CODE_CHALLENGE.fullmatch(challenge):
            raise _Refused(400, "invalid_request", "Invalid code_challenge.")
    return challenge or None, method or None


def _options(first: Callable[[str], str]) -> tuple[str, frozenset[str], str]:
    """access_type, prompt and include_granted_scopes, each checked against the values Google accepts."""
    access_type = first("access_type") or "online"
    if access_type not in ("online", "offline"):
        raise _Refused(400, "invalid_request", f"Invalid access_type: {access_type}")
    prompt = frozenset(first("prompt").split())
    if prompt - {"none", "consent", "select_account"}:
        raise _Refused(400, "invalid_request", f"Invalid prompt: {first('prompt')}")
    if "none" in prompt and len(prompt) > 1:
        raise _Refused(400, "invalid_request", "Invalid prompt: none cannot be combined with other values")
    include = first("include_granted_scopes") or "false"
    if include not in ("true", "false"):
        raise _Refused(400, "invalid_request", f"Invalid include_granted_scopes: {include}")
    return access_type, prompt, include


def _answer(pending: PendingAuthorization, values: dict[str, str]) -> Response:
    if pending.state is not None:
        values = {**values, "state": pending.state}
    return redirect(pending.redirect_uri, values)


def deny(pending: PendingAuthorization) -> Response:
    return _answer(pending, {"error": "access_denied"})


def allow(state: State, pending: PendingAuthorization, email: str, granted: list[str]) -> Response:
    """Issue a code for what the person granted (plus earlier grants when include_granted_scopes asks for it)."""
    grant = state.oauth.grant(pending.client_id, email)
    scopes = list(dict.fromkeys([*granted, *(sorted(grant.scopes) if pending.include_granted_scopes else [])]))
    grant.scopes.update(granted)
    code = AuthCode(
        code=ids.auth_code(),
        client_id=pending.client_id,
        email=email,
        scopes=frozenset(scopes),
        redirect_uri=pending.redirect_uri,
        code_challenge=pending.code_challenge,
        code_challenge_method=pending.code_challenge_method,
        offline=pending.offline,
        prompt_consent="consent" in pending.prompt,
        created_at=state.now(),
    )
    state.oauth.codes[code.code] = code
    return _answer(pending, {"code": code.code, "scope": " ".join(scopes), "authuser": "0", "prompt": "consent"})


def authorize(state: State, request: Request, call: Call) -> Response:
    params = _params(request)
    with state.lock:
        try:
            pending = _validate(state, params, state.now())
        except _Refused as refused:
            call.reason = refused.error
            return error_page(refused.code, refused.error, refused.description, params)
        if state.consent_presets:
            preset = state.consent_presets.pop(0)
            call.email = preset.email
            if not preset.allow:
                return deny(pending)
            chosen = pending.scopes if preset.scopes is None else [s for s in pending.scopes if s in preset.scopes]
            return allow(state, pending, preset.email, chosen)
        if "none" in pending.prompt:
            return _answer(pending, {"error": "interaction_required"})
        state.oauth.pending[pending.id] = pending
        client = state.clients[pending.client_id]
        return consent_page(pending, client, list(state.accounts.values()), state.settings.consent_coop)


def consent(state: State, request: Request, call: Call) -> Response:
    """The consent form's POST: the person's account choice, the scopes left ticked, and Allow or Cancel."""
    form = request.form()
    if request.method != "POST":
        return error_page(405, "invalid_request", "The consent form must be posted.", form)
    with state.lock:
        pending = state.oauth.pending.pop((form.get("request") or [""])[0], None)
        if pending is None or state.now() - pending.created_at > PENDING_LIFETIME_S:
            call.reason = "invalid_request"
            return error_page(400, "invalid_request", "This sign-in request has expired or was already answered.", form)
        headers = [("Cross-Origin-Opener-Policy", "same-origin")] if state.settings.consent_coop else []
        if (form.get("action") or [""])[0] != "allow":
            response = deny(pending)
        else:
            email = (form.get("email") or [""])[0].strip().lower()
            if state.account(email) is None:
                state.oauth.pending[pending.id] = pending
                return error_page(400, "invalid_request", "Choose one of the accounts.", form)
            call.email = email
            ticked = form.get("scope") or []
            response = allow(state, pending, email, [s for s in pending.scopes if s in ticked])
        response.headers.extend(headers)
        return response
