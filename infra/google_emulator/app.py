"""Routes a request to OAuth, the Gmail API or the control API, and records each Google call in the call log."""

from __future__ import annotations

import time

from google_emulator import control
from google_emulator.calls import Call
from google_emulator.errors import not_found_page
from google_emulator.gmail import api as gmail_api
from google_emulator.oauth import endpoints as oauth
from google_emulator.pubsub import oidc
from google_emulator.state import State
from google_emulator.web import Request, Response, json_response

_OAUTH = {
    "/o/oauth2/v2/auth": ("oauth.authorize", oauth.authorize),
    "/o/oauth2/auth": ("oauth.authorize", oauth.authorize),
    "/o/oauth2/v2/consent": ("oauth.consent", oauth.consent),
    "/token": ("oauth.token", oauth.token),
    "/o/oauth2/token": ("oauth.token", oauth.token),
    "/revoke": ("oauth.revoke", oauth.revoke),
    "/o/oauth2/revoke": ("oauth.revoke", oauth.revoke),
    "/tokeninfo": ("oauth.tokeninfo", oauth.tokeninfo),
    "/oauth2/v3/tokeninfo": ("oauth.tokeninfo", oauth.tokeninfo),
}
_GMAIL_PREFIXES = ("/gmail/v1/", "/upload/gmail/v1/", "/resumable/upload/gmail/v1/")


class App:
    def __init__(self, state: State) -> None:
        self.state = state

    def handle(self, request: Request) -> Response:
        if request.path == "/_emulator" or request.path.startswith("/_emulator/"):
            return control.handle(self.state, request)
        call = Call(request.method, request.path, request.query, time.time())
        response = self._dispatch(request, call)
        call.status = response.status
        with self.state.lock:
            self.state.calls.append(call)
        return response

    def _dispatch(self, request: Request, call: Call) -> Response:
        if request.path in _OAUTH:
            call.method, endpoint = _OAUTH[request.path]
            return endpoint(self.state, request, call)
        if request.path == "/oauth2/v1/certs":
            return json_response(200, oidc.certs_v1())
        if request.path == "/oauth2/v3/certs":
            return json_response(200, oidc.certs_v3())
        if request.path.startswith(_GMAIL_PREFIXES):
            return gmail_api.handle(self.state, request, call)
        return not_found_page(request.path)
