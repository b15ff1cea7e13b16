"""Google's error bodies, in the shape every googleapis.com service answers with.

`{"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}`; clients read
`errors[0].reason` (googleapiclient retries on `rateLimitExceeded`) and `status`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from google_emulator.web import Response, html_response, json_response

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# What Google says for a status when nothing more specific applies: (message, reason).
DEFAULTS = {
    400: ("Bad Request", "badRequest"),
    401: ("Invalid Credentials", "authError"),
    403: ("The caller does not have permission", "forbidden"),
    404: ("Requested entity was not found.", "notFound"),
    409: ("Aborted", "aborted"),
    429: ("Resource has been exhausted (e.g. check quota).", "rateLimitExceeded"),
    500: ("Internal error encountered.", "backendError"),
    502: ("Bad Gateway", "backendError"),
    503: ("The service is currently unavailable.", "backendError"),
    504: ("The request timed out. Please try again.", "backendError"),
}


class ApiError(Exception):
    """Raised anywhere in a Gmail handler; the pipeline turns it into Google's JSON answer."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        reason: str | None = None,
        *,
        status: str | None = None,
        domain: str = "global",
        headers: list[tuple[str, str]] | None = None,
        details: list[dict[str, Any]] | None = None,
        extra: dict[str, str] | None = None,
        item_message: str | None = None,
    ) -> None:
        default_message, default_reason = DEFAULTS.get(code, ("Error", "unknown"))
        self.code = code
        self.message = message or default_message
        self.reason = reason or default_reason
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.domain = domain
        self.headers = headers or []
        self.details = details
        self.extra = extra or {}
        self.item_message = item_message or self.message
        super().__init__(f"{code} {self.reason}: {self.message}")

    def body(self) -> dict[str, Any]:
        item = {"message": self.item_message, "domain": self.domain, "reason": self.reason, **self.extra}
        error: dict[str, Any] = {"code": self.code, "message": self.message, "errors": [item], "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}

    def response(self) -> Response:
        return json_response(self.code, self.body(), list(self.headers))


def rfc3339_ms(timestamp: float) -> str:
    """`2026-11-25T10:00:00.000Z`, the form of Google's "Retry after" texts."""
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def invalid_argument(message: str) -> ApiError:
    return ApiError(400, message, "invalidArgument")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, "badRequest")


def not_found() -> ApiError:
    return ApiError(404)


def rate_limited(retry_after_s: int, now: float, suffix: str = "") -> ApiError:
    """Gmail's user-rate answer: the wait in a Retry-After header and as a time in the message."""
    message = f"User-rate limit exceeded.  Retry after {rfc3339_ms(now + retry_after_s)}{suffix}"
    return ApiError(429, message, "rateLimitExceeded", headers=[("Retry-After", str(retry_after_s))])


def not_found_page(path: str) -> Response:
    """Google's front end answers unknown URLs with this page, not JSON."""
    return html_response(
        404,
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n"
        f"  <p><b>404.</b> <ins>That\u2019s an error.</ins>\n  <p>The requested URL <code>{_escape(path)}</code> "
        "was not found on this server.  <ins>That\u2019s all we know.</ins>\n",
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
