"""The control API under `/_emulator/`: what tests and people use to set the scene and to look behind it.

The routes of design.md's "Local stack contract" are fixed (scripts outside the project call them); the
rest are documented in README.md. JSON in, JSON out; errors are `{"error": "..."}` with a 4xx.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from google_emulator.compose import ComposeError, from_fields
from google_emulator.delivery import deliver
from google_emulator.faults import Fault
from google_emulator.oauth.scopes import expand_scopes
from google_emulator.state import Client, ConsentPreset, State
from google_emulator.web import Request, Response, json_response


@dataclass
class Ctx:
    state: State
    request: Request
    params: dict[str, str]


Handler = Callable[[Ctx], Response]
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, regex, handler))
        return handler

    return register


def handle(state: State, request: Request) -> Response:
    tail = request.path.removeprefix("/_emulator").strip("/")
    allowed = False
    for method, regex, handler in _ROUTES:
        match = regex.match(tail)
        if not match:
            continue
        allowed = True
        if method == request.method:
            try:
                with state.lock:
                    return handler(Ctx(state, request, {k: unquote(v) for k, v in match.groupdict().items()}))
            except ControlError as error:
                return json_response(error.status, {"error": error.message})
    if allowed:
        return json_response(405, {"error": f"{request.method} is not allowed on /_emulator/{tail}"})
    return json_response(404, {"error": f"no control route /_emulator/{tail}"})


def _body(request: Request) -> dict[str, Any]:
    try:
        payload = request.json()
    except ValueError as error:
        raise ControlError(400, f"body is not JSON: {error}") from None
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise ControlError(400, "body must be a JSON object")
    return payload


def _require(payload: dict[str, Any], key: str) -> Any:
    if payload.get(key) in (None, ""):
        raise ControlError(400, f"{key} is required")
    return payload[key]


def _mailbox(state: State, address: str) -> Any:
    mailbox = state.mailbox(address)
    if mailbox is None:
        raise ControlError(404, f"no account {address}; create it with POST /_emulator/accounts")
    return mailbox


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
    payload = _body(ctx.request)
    try:
        unknown = ctx.state.settings.update(payload)
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"bad setting value: {error}") from None
    if unknown:
        raise ControlError(400, f"unknown settings {unknown}; known: {sorted(ctx.state.settings.as_dict())}")
    return json_response(200, ctx.state.settings.as_dict())


@route("POST", "clock")
def _clock(ctx: Ctx) -> Response:
    payload = _body(ctx.request)
    try:
        ctx.state.clock_offset_s += float(_require(payload, "advance_s"))
    except (TypeError, ValueError):
        raise ControlError(400, "advance_s must be a number of seconds") from None
    return json_response(200, {"now": ctx.state.now(), "offset_s": ctx.state.clock_offset_s})


@route("GET", "clients")
def _list_clients(ctx: Ctx) -> Response:
    clients = [{"client_id": c.client_id, "redirect_uris": c.redirect_uris} for c in ctx.state.clients.values()]
    return json_response(200, {"clients": clients})


@route("POST", "clients")
def _add_client(ctx: Ctx) -> Response:
    payload = _body(ctx.request)
    uris = payload.get("redirect_uris") or []
    if not isinstance(uris, list) or not all(isinstance(u, str) and u for u in uris):
        raise ControlError(400, "redirect_uris must be a list of URLs")
    client = Client(
        client_id=str(_require(payload, "client_id")),
        client_secret=str(_require(payload, "client_secret")),
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
    payload = _body(ctx.request)
    address = str(_require(payload, "email")).strip()
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
    payload = _body(ctx.request)
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
    payload = _body(ctx.request)
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
    payload = _body(ctx.request)
    address = str(_require(payload, "email"))
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


@route("GET", "faults")
def _list_faults(ctx: Ctx) -> Response:
    return json_response(200, {"faults": [f.as_dict() for f in ctx.state.faults.faults]})


@route("POST", "faults")
def _add_fault(ctx: Ctx) -> Response:
    payload = _body(ctx.request)
    try:
        status = payload.get("status")
        fault = Fault(
            method=str(_require(payload, "method")),
            status=None if status is None else int(status),
            count=int(payload.get("count", 1)),
            retry_after=None if payload.get("retry_after") is None else int(payload["retry_after"]),
            delay_s=float(payload.get("delay_s") or 0),
            reason=payload.get("reason"),
            message=payload.get("message"),
            error=payload.get("error"),
            error_description=payload.get("error_description"),
        )
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"bad fault: {error}") from None
    if fault.status is None and not fault.delay_s:
        raise ControlError(400, "a fault needs a status, a delay_s, or both")
    if fault.count < 1:
        raise ControlError(400, "count must be at least 1")
    ctx.state.faults.add(fault)
    return json_response(200, fault.as_dict())


@route("DELETE", "faults")
def _clear_faults(ctx: Ctx) -> Response:
    ctx.state.faults.clear()
    return json_response(200, {"faults": []})


@route("GET", "calls")
def _list_calls(ctx: Ctx) -> Response:
    try:
        since = int(ctx.request.param("since") or 0)
    except ValueError:
        raise ControlError(400, "since must be a call index") from None
    calls = ctx.state.calls.since(since)
    method = ctx.request.param("method")
    if method:
        calls = [c for c in calls if c.method == method]
    return json_response(200, {"calls": [c.as_dict() for c in calls], "next": ctx.state.calls.next_index})


@route("DELETE", "calls")
def _clear_calls(ctx: Ctx) -> Response:
    ctx.state.calls.clear()
    return json_response(200, {"calls": [], "next": ctx.state.calls.next_index})


@route("GET", "mailboxes/{email}")
def _mailbox_summary(ctx: Ctx) -> Response:
    mailbox = _mailbox(ctx.state, ctx.params["email"])
    return json_response(
        200,
        {
            "email": mailbox.email,
            "historyId": str(mailbox.history_id),
            "historyFloor": str(mailbox.history_floor),
            "messagesTotal": len(mailbox.messages),
            "threadsTotal": len(mailbox.threads()),
        },
    )


@route("GET", "mailboxes/{email}/messages")
def _mailbox_messages(ctx: Ctx) -> Response:
    mailbox = _mailbox(ctx.state, ctx.params["email"])
    label = ctx.request.param("label")
    messages = [
        {
            "id": m.id,
            "threadId": m.thread_id,
            "labelIds": list(m.labels),
            "historyId": str(m.history_id),
            "internalDate": str(m.internal_date_ms),
            "raw": base64.urlsafe_b64encode(m.raw).decode("ascii"),
        }
        for m in mailbox.messages.values()
        if not label or label in m.labels
    ]
    return json_response(200, {"messages": messages})


@route("POST", "mailboxes/{email}/messages")
def _deliver_message(ctx: Ctx) -> Response:
    mailbox = _mailbox(ctx.state, ctx.params["email"])
    payload = _body(ctx.request)
    if payload.get("raw"):
        try:
            text = str(payload["raw"])
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise ControlError(400, "raw must be base64url of an RFC 5322 message") from None
    else:
        try:
            raw = from_fields(payload, mailbox)
        except ComposeError as error:
            raise ControlError(400, str(error)) from None
    stored = deliver(mailbox, raw, ctx.state.now())
    return json_response(200, {"id": stored.id, "threadId": stored.thread_id, "historyId": str(stored.history_id)})


@route("POST", "mailboxes/{email}/messages/{id}/labels")
def _modify_labels(ctx: Ctx) -> Response:
    mailbox = _mailbox(ctx.state, ctx.params["email"])
    if ctx.params["id"] not in mailbox.messages:
        raise ControlError(404, f"no message {ctx.params['id']} in {mailbox.email}")
    payload = _body(ctx.request)
    add, remove = payload.get("add") or [], payload.get("remove") or []
    if not all(isinstance(x, str) for x in [*add, *remove]):
        raise ControlError(400, "add and remove must be lists of label ids")
    stored = mailbox.modify(ctx.params["id"], add, remove)
    return json_response(200, {"id": stored.id, "labelIds": stored.labels, "historyId": str(stored.history_id)})


@route("POST", "mailboxes/{email}/history/expire")
def _expire_history(ctx: Ctx) -> Response:
    mailbox = _mailbox(ctx.state, ctx.params["email"])
    payload = _body(ctx.request)
    before = payload.get("before")
    try:
        cut = mailbox.expire_history(None if before is None else int(before))
    except (TypeError, ValueError):
        raise ControlError(400, "before must be a history id") from None
    return json_response(200, {"historyFloor": str(cut), "historyId": str(mailbox.history_id)})
