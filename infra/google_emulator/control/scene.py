"""Setting the scene: clients, accounts, consent answers, tokens, settings, the clock, reset."""

from __future__ import annotations

from google_emulator.control.routing import ControlError, Ctx, body, require, route
from google_emulator.oauth.scopes import expand_scopes
from google_emulator.state import Client, ConsentPreset
from google_emulator.web import Response, json_response


@route("GET", "health")
def _health(_ctx: Ctx) -> Response:
    return json_response(200, {"ok": True})


@route("POST", "reset")
def _reset(ctx: Ctx) -> Response:
    ctx.state.reset()
    return json_response(200, {"reset": True})


@route("GET", "settings")
def _get_settings(ctx: Ctx) -> Response:
    return json_response(200, ctx.state.settings.as_dict())


@route("POST", "settings")
def _set_settings(ctx: Ctx) -> Response:
    payload = body(ctx.request)
    try:
        unknown = ctx.state.settings.update(payload)
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"bad setting value: {error}") from None
    if unknown:
        raise ControlError(400, f"unknown settings {unknown}; known: {sorted(ctx.state.settings.as_dict())}")
    return json_response(200, ctx.state.settings.as_dict())


@route("POST", "clock")
def _clock(ctx: Ctx) -> Response:
    payload = body(ctx.request)
    try:
        ctx.state.clock_offset_s += float(require(payload, "advance_s"))
    except (TypeError, ValueError):
        raise ControlError(400, "advance_s must be a number of seconds") from None
    return json_response(200, {"now": ctx.state.now(), "offset_s": ctx.state.clock_offset_s})


@route("GET", "clients")
def _list_clients(ctx: Ctx) -> Response:
    clients = [{"client_id": c.client_id, "redirect_uris": c.redirect_uris} for c in ctx.state.clients.values()]
    return json_response(200, {"clients": clients})


@route("POST", "clients")
def _add_client(ctx: Ctx) -> Response:
    payload = body(ctx.request)
    uris = payload.get("redirect_uris") or []
    if not isinstance(uris, list) or not all(isinstance(u, str) and u for u in uris):
        raise ControlError(400, "redirect_uris must be a list of URLs")
    client = Client(
        client_id=str(require(payload, "client_id")),
        client_secret=str(require(payload, "client_secret")),
        redirect_uris=list(uris),
        name=str(payload.get("name") or payload["client_id"]),
    )
    ctx.state.clients[client.client_id] = client
    return json_response(200, {"client_id": client.client_id, "redirect_uris": client.redirect_uris})


@route("GET", "accounts")
def _list_accounts(ctx: Ctx) -> Response:
    return json_response(200, {"accounts": [a.as_dict() for a in ctx.state.accounts.values()]})


@route("POST", "accounts")
def _add_account(ctx: Ctx) -> Response:
    payload = body(ctx.request)
    address = str(require(payload, "email")).strip()
    if "@" not in address or any(c.isspace() for c in address):
        raise ControlError(400, f"not an email address: {address!r}")
    account = ctx.state.add_account(address, str(payload.get("name") or ""))
    return json_response(200, account.as_dict())


@route("GET", "accounts/{email}")
def _get_account(ctx: Ctx) -> Response:
    account = ctx.state.account(ctx.params["email"])
    if account is None:
        raise ControlError(404, f"no account {ctx.params['email']}")
    return json_response(200, account.as_dict())


_ACCOUNT_SETTINGS = {
    "gmail_enabled": bool,
    "replace_message_id": bool,
    "daily_send_limit": int,
    "quota_per_user_per_second": int,
    "name": str,
}


@route("POST", "accounts/{email}/settings")
def _account_settings(ctx: Ctx) -> Response:
    account = ctx.state.account(ctx.params["email"])
    if account is None:
        raise ControlError(404, f"no account {ctx.params['email']}")
    payload = body(ctx.request)
    unknown = sorted(set(payload) - set(_ACCOUNT_SETTINGS))
    if unknown:
        raise ControlError(400, f"unknown account settings {unknown}; known: {sorted(_ACCOUNT_SETTINGS)}")
    for key, kind in _ACCOUNT_SETTINGS.items():
        if key not in payload:
            continue
        value = payload[key]
        if value is None and kind is int:
            setattr(account, key, None)
        elif kind is bool and not isinstance(value, bool):
            raise ControlError(400, f"{key} must be true or false")
        else:
            try:
                setattr(account, key, kind(value))
            except (TypeError, ValueError):
                raise ControlError(400, f"{key} must be a {kind.__name__}") from None
    return json_response(200, account.as_dict())


@route("POST", "accounts/{email}/revoke")
def _revoke_account(ctx: Ctx) -> Response:
    if ctx.state.account(ctx.params["email"]) is None:
        raise ControlError(404, f"no account {ctx.params['email']}")
    revoked = ctx.state.oauth.revoke_account(ctx.params["email"].strip().lower())
    return json_response(200, {"revoked_grants": revoked})


@route("POST", "tokens/expire")
def _expire_tokens(ctx: Ctx) -> Response:
    payload = body(ctx.request)
    wanted = str(payload.get("email") or "").strip().lower()
    now = ctx.state.now()
    expired = 0
    for token in ctx.state.oauth.access_tokens.values():
        if (not wanted or token.email == wanted) and token.expires_at > now:
            token.expires_at = now
            expired += 1
    return json_response(200, {"expired": expired})


@route("GET", "consent")
def _list_consent(ctx: Ctx) -> Response:
    presets = [
        {"email": p.email, "action": "allow" if p.allow else "deny", "scopes": p.scopes}
        for p in ctx.state.consent_presets
    ]
    return json_response(200, {"presets": presets})


@route("POST", "consent")
def _preset_consent(ctx: Ctx) -> Response:
    payload = body(ctx.request)
    address = str(require(payload, "email"))
    if ctx.state.account(address) is None:
        raise ControlError(404, f"no account {address}; create it with POST /_emulator/accounts")
    action = payload.get("action")
    if action not in ("allow", "deny"):
        raise ControlError(400, "action must be allow or deny")
    scopes = payload.get("scopes")
    if scopes is not None and (not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes)):
        raise ControlError(400, "scopes must be a list of scope strings")
    preset = ConsentPreset(address.strip().lower(), action == "allow", expand_scopes(scopes) if scopes else None)
    ctx.state.consent_presets.append(preset)
    return json_response(200, {"queued": len(ctx.state.consent_presets)})


@route("DELETE", "consent")
def _clear_consent(ctx: Ctx) -> Response:
    ctx.state.consent_presets.clear()
    return json_response(200, {"presets": []})
