"""Faults to arm, and the call log to read."""

from __future__ import annotations

from google_emulator.control.routing import ControlError, Ctx, body, require, route
from google_emulator.faults import Fault
from google_emulator.web import Response, json_response


@route("GET", "faults")
def _list_faults(ctx: Ctx) -> Response:
    return json_response(200, {"faults": [f.as_dict() for f in ctx.state.faults.faults]})


@route("POST", "faults")
def _add_fault(ctx: Ctx) -> Response:
    payload = body(ctx.request)
    try:
        status = payload.get("status")
        fault = Fault(
            method=str(require(payload, "method")),
            status=None if status is None else int(status),
            count=int(payload.get("count", 1)),
            retry_after=None if payload.get("retry_after") is None else int(payload["retry_after"]),
            delay_s=float(payload.get("delay_s") or 0),
            delay_after_s=float(payload.get("delay_after_s") or 0),
            reason=payload.get("reason"),
            message=payload.get("message"),
            error=payload.get("error"),
            error_description=payload.get("error_description"),
        )
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"bad fault: {error}") from None
    if fault.status is None and not fault.delay_s and not fault.delay_after_s:
        raise ControlError(400, "a fault needs a status, a delay_s or a delay_after_s")
    if fault.status is not None and fault.delay_after_s:
        raise ControlError(400, "delay_after_s holds back a successful answer; it takes no status")
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
