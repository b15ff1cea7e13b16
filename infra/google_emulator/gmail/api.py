"""Gmail API request pipeline (being built)."""

from __future__ import annotations

from google_emulator.calls import Call
from google_emulator.errors import ApiError
from google_emulator.state import State
from google_emulator.web import Request, Response


def handle(_state: State, _request: Request, _call: Call) -> Response:
    return ApiError(501, "Not implemented yet", "notImplemented").response()
