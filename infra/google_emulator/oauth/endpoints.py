"""OAuth endpoints (being built)."""

from __future__ import annotations

from google_emulator.calls import Call
from google_emulator.state import State
from google_emulator.web import Request, Response, json_response


def _todo(_state: State, _request: Request, _call: Call) -> Response:
    return json_response(501, {"error": "not_implemented"})


authorize = consent = token = revoke = tokeninfo = _todo
