"""A WSGI app on a loopback port, served by a thread; bound at once so its URL is known before it serves."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


class _QuietHandler(WSGIRequestHandler):
    # The stack logs the requests that matter itself; werkzeug's access lines would drown them.
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class BackgroundServer:
    def __init__(self, name: str, host: str, port: int) -> None:
        self.name = name
        self._app: Any = _not_ready
        self._server: BaseWSGIServer = make_server(
            host, port, self._dispatch, threaded=True, request_handler=_QuietHandler
        )
        self.port = int(self._server.server_port)
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
        )
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        result: Iterable[bytes] = self._app(environ, start_response)
        return result

    def serve(self, app: Any) -> None:
        self._app = app
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()


@Request.application
def _not_ready(_request: Request) -> Response:
    return Response('{"message":"Service Unavailable"}', status=503, content_type="application/json")
