"""The HTTP server: plain http on loopback, one thread per connection, started and stopped from code or the CLI."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from google_emulator.app import App
from google_emulator.pubsub.simulator import PushSimulator
from google_emulator.state import State
from google_emulator.web import Request, Response

log = logging.getLogger("google_emulator")


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive as httplib2 expects; every response carries Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    timeout = 120  # idle keep-alive connections close after this
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes; without this, Nagle plus delayed ACKs add ~40 ms a call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        split = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.app.handle(request)
        except Exception:
            log.exception("emulator error on %s %s", self.command, split.path)
            response = Response(500, b"emulator error", [("Content-Type", "text/plain")])
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Kept-alive connections would otherwise outlive the server."""
        with self.sockets_lock:
            sockets = list(self.open_sockets)
            self.open_sockets.clear()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Emulator:
    """A running emulator. `Emulator.start()` returns once it answers; `stop()` frees the port."""

    def __init__(self, server: _Server, state: State) -> None:
        self._server = server
        self.state = state
        self._thread: threading.Thread | None = None
        self._serving = False
        self._stopped = False
        self._stop_lock = threading.Lock()
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        display = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{display}:{self.port}"
        self._push = PushSimulator(state)
        self._push.start()

    @classmethod
    def start(cls, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        state = State()
        server = _Server((host, port), App(state))
        emulator = cls(server, state)
        emulator._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"google-emulator:{emulator.port}"
        )
        emulator._thread.daemon = True
        emulator._serving = True
        emulator._thread.start()
        emulator._wait_until_answering()
        return emulator

    def _wait_until_answering(self, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(self.url + "/_emulator/health", timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
            time.sleep(0.02)

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI); returns after `stop()` from another thread or a signal."""
        self._serving = True
        self._server.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
            self._push.stop()
            if self._serving:
                self._server.shutdown()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server.close_connections()
            self._server.server_close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @classmethod
    def bind(cls, host: str, port: int) -> Emulator:
        """A bound but not yet serving emulator, for running in the foreground."""
        state = State()
        return cls(_Server((host, port), App(state)), state)
