"""The OAuth endpoints the app routes to, each wrapped by the fault book (`oauth.token`, `oauth.revoke`, ...)."""

from __future__ import annotations

import time
from collections.abc import Callable

from google_emulator.calls import Call
from google_emulator.faults import Fault
from google_emulator.oauth import authorize as _authorize
from google_emulator.oauth import tokens as _tokens
from google_emulator.oauth.pages import error_page
from google_emulator.oauth.tokens import OAuthError
from google_emulator.state import State
from google_emulator.web import Request, Response

Endpoint = Callable[[State, Request, Call], Response]

# What Google's token endpoint says for each status when a test only names the status.
_TOKEN_ERRORS = {
    400: ("invalid_grant", "Bad Request"),
    401: ("invalid_client", "Unauthorized"),
    403: ("access_denied", "Forbidden"),
    429: ("rate_limit_exceeded", "Rate limit exceeded"),
    500: ("internal_failure", "Backend Error"),
    503: ("temporarily_unavailable", "The service is currently unavailable."),
}


def _fault_response(fault: Fault, call: Call, request: Request) -> Response:
    status = fault.status or 500
    if call.method == "oauth.authorize" or call.method == "oauth.consent":
        error = fault.error or ("server_error" if status >= 500 else "invalid_request")
        return error_page(status, error, fault.error_description or "Something went wrong.", request.query)
    error, description = _TOKEN_ERRORS.get(status, ("server_error", "Error"))
    response = OAuthError(status, fault.error or error, fault.error_description or description).response()
    if fault.retry_after is not None:
        response.headers.append(("Retry-After", str(fault.retry_after)))
    return response


def _with_faults(endpoint: Endpoint) -> Endpoint:
    def run(state: State, request: Request, call: Call) -> Response:
        with state.lock:
            fault = state.faults.take(call.method)
        if fault is not None:
            if fault.delay_s:
                time.sleep(fault.delay_s)
            if fault.status is not None:
                call.reason = "fault"
                return _fault_response(fault, call, request)
        return endpoint(state, request, call)

    return run


authorize = _with_faults(_authorize.authorize)
consent = _with_faults(_authorize.consent)
token = _with_faults(_tokens.token)
revoke = _with_faults(_tokens.revoke)
tokeninfo = _with_faults(_tokens.tokeninfo)
