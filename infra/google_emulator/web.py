"""The small request/response model the emulator's handlers share.

Handlers take a `Request` and return a `Response`, so they can be exercised without sockets and the server
module stays the only place that knows about `http.server`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    def form(self) -> dict[str, list[str]]:
        """Form fields of a urlencoded body (empty for any other body)."""
        if self.content_type not in ("application/x-www-form-urlencoded", ""):
            return {}
        try:
            return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return {}

    def json(self) -> Any:
        """The JSON body, or None when there is none; ValueError when it is not JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body.decode("utf-8"))

    def param(self, name: str) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    body = json.dumps(payload, indent=2).encode("utf-8")
    return Response(status, body, [("Content-Type", "application/json; charset=UTF-8"), *(headers or [])])


def html_response(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, text.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8"), *(headers or [])])


def redirect(url: str, params: dict[str, str], headers: list[tuple[str, str]] | None = None) -> Response:
    """A 302 to `url` with `params` added to its query, the way an OAuth server answers a browser."""
    separator = "&" if "?" in url else "?"
    return Response(302, b"", [("Location", url + separator + urlencode(params)), *(headers or [])])
