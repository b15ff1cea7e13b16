"""The Gmail API pipeline, in the order Google's front end applies it.

Route by the discovery document (unknown paths: Google's 404 page) → authenticate (401) → refuse what the
discovery document does not allow (400) → scopes (403) → delegation and account state → faults armed by a
test → per-user quota (429) → the method. Every step records into the call log.
"""

from __future__ import annotations

import json
import time
from typing import Any

from google_emulator import discovery
from google_emulator.calls import Call
from google_emulator.errors import ApiError, bad_request, not_found_page, rate_limited
from google_emulator.faults import Fault
from google_emulator.gmail import access, fields, upload, watch  # noqa: F401 - registers users.watch/stop
from google_emulator.gmail.methods import METHODS, Context
from google_emulator.quota import units
from google_emulator.state import State
from google_emulator.web import Request, Response, json_response


def _effective(request: Request) -> tuple[str, dict[str, list[str]], bytes]:
    """Honour `X-HTTP-Method-Override`: googleapiclient turns a GET longer than 2048 chars into a POST with the
    query in a form body."""
    override = (request.header("x-http-method-override") or "").upper()
    query = {key: list(values) for key, values in request.query.items()}
    if request.method != "POST" or not override:
        return request.method, query, request.body
    if request.content_type == "application/x-www-form-urlencoded":
        for key, values in request.form().items():
            query.setdefault(key, []).extend(values)
        return override, query, b""
    return override, query, request.body


def _json_body(body: bytes) -> tuple[Any, str | None]:
    if not body.strip():
        return None, None
    try:
        return json.loads(body.decode("utf-8")), None
    except (ValueError, UnicodeDecodeError) as error:
        return None, f"Invalid JSON payload received. {error}"


def _fault(state: State, call: Call) -> Fault | None:
    with state.lock:
        fault = state.faults.take(call.method)
    if fault is None:
        return None
    if fault.delay_s:
        time.sleep(fault.delay_s)
    if fault.status is None:
        return fault
    call.reason = "fault"
    if fault.status == 429 and fault.retry_after is not None and fault.message is None:
        raise rate_limited(fault.retry_after, state.now())
    headers = [("Retry-After", str(fault.retry_after))] if fault.retry_after is not None else []
    raise ApiError(fault.status, fault.message, fault.reason, headers=headers)


def _serve(state: State, request: Request, call: Call) -> dict[str, Any]:
    http_method, query, raw_body = _effective(request)
    call.http_method, call.query = http_method, query
    found = discovery.match(http_method, request.path)
    if found is None:
        call.discovery_violations = discovery.validate(http_method, request.path, query, None)
        raise _NotFound(not_found_page(request.path))
    call.method = found.method.id
    call.units = units(found.method.id)
    body, body_problem = (None, None) if found.upload else _json_body(raw_body)
    violations = discovery.validate(http_method, request.path, query, body)
    call.discovery_violations = [body_problem, *violations] if body_problem else violations

    with state.lock:
        token = access.authenticate(state, request, found.method)
        call.email, call.scopes = token.email, sorted(token.scopes)
    if call.discovery_violations:
        first = call.discovery_violations[0]
        raise ApiError(400, first, "invalid" if "Unknown name" in first else "badRequest")
    uploaded = upload.read(request) if found.upload else None
    access.check_scopes(token, found.method)
    access.check_metadata_limits(token, found.method, query)
    with state.lock:
        account = state.account(token.email)
        mailbox = state.mailbox(token.email)
    user = found.path_params.get("userId", "me")
    if account is None or mailbox is None:
        raise ApiError(400, "Mail service not enabled", "failedPrecondition", status="FAILED_PRECONDITION")
    if user != "me" and user.lower() != account.email:
        raise ApiError(403, f"Delegation denied for {account.email}", "forbidden")
    if not account.gmail_enabled:
        raise ApiError(400, "Mail service not enabled", "failedPrecondition", status="FAILED_PRECONDITION")
    fault = _fault(state, call)
    implementation = METHODS.get(found.method.id)
    if implementation is None:
        raise ApiError(501, f"The emulator does not implement {found.method.id}", "notImplemented")
    with state.lock:
        per_second, burst = state.per_second_quota(account), state.settings.quota_burst_s
        wait = state.quota.charge(account.email, call.units, per_second, burst, state.now())
        if wait is not None:
            call.reason = "rateLimitExceeded"
            raise rate_limited(wait, state.now())
        context = Context(state, account, mailbox, token, found.path_params, query, body, uploaded)
        answer = implementation(context)
    if fault is not None and fault.delay_after_s:
        time.sleep(fault.delay_after_s)
    return answer


class _NotFound(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("not found")
        self.response = response


def handle(state: State, request: Request, call: Call) -> Response:
    try:
        answer = _serve(state, request, call)
    except _NotFound as missing:
        return missing.response
    except ApiError as error:
        call.reason = call.reason or error.reason
        return error.response()
    selection = call.query.get("fields")
    if selection:
        try:
            answer = fields.apply(answer, fields.parse(selection[0]))
        except fields.FieldsError as error:
            call.reason = "invalidParameter"
            return bad_request(str(error)).response()
    compact = (call.query.get("prettyPrint") or ["true"])[0].lower() == "false"
    if compact:
        return Response(200, json.dumps(answer).encode(), [("Content-Type", "application/json; charset=UTF-8")])
    return json_response(200, answer)
