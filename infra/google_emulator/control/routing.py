"""Routing and small helpers shared by the control routes: JSON in, JSON out, `{"error": ...}` with a 4xx."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from google_emulator.mailbox import Mailbox
from google_emulator.state import State
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


def body(request: Request) -> dict[str, Any]:
    try:
        payload = request.json()
    except ValueError as error:
        raise ControlError(400, f"body is not JSON: {error}") from None
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise ControlError(400, "body must be a JSON object")
    return payload


def require(payload: dict[str, Any], key: str) -> Any:
    if payload.get(key) in (None, ""):
        raise ControlError(400, f"{key} is required")
    return payload[key]


def mailbox_of(state: State, address: str) -> Mailbox:
    mailbox = state.mailbox(address)
    if mailbox is None:
        raise ControlError(404, f"no account {address}; create it with POST /_emulator/accounts")
    return mailbox
