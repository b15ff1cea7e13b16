"""Request bodies checked before routing: anything malformed is a clear 400, never a 500 from deep in a parser.

The resolver would parse a body with ``json.loads`` as it comes: a repeated key resolved to its last value, a
100k-deep document or a 5000-digit number ending in an unhandled error. Here a body must be JSON (by its
Content-Type), UTF-8, and strict JSON (see ``strict_json``), or the request ends with ``invalid_request``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from gmail_integration.observability import logger
from gmail_integration.strict_json import StrictJsonError, loads_strict


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _refusal(message: str) -> dict[str, Any]:
    logger.info("request body refused", extra={"why": message})
    return {
        "statusCode": 400,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": "invalid_request", "message": message}),
        "isBase64Encoded": False,
    }


def refuse_malformed_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """The 400 answer for a malformed body, or None when the body (or its absence) is fine."""
    body = event.get("body")
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    declared = headers.get("content-type")
    method = str(((event.get("requestContext") or {}).get("http") or {}).get("method", "")).upper()
    if body in (None, ""):
        # An empty body under another declared type would make the resolver fail (500), not refuse (400).
        if declared and method in ("POST", "PUT", "PATCH") and not _is_json(declared):
            return _refusal("The body must be JSON, sent with Content-Type: application/json.")
        return None
    if not _is_json(declared):
        return _refusal("The body must be JSON, sent with Content-Type: application/json.")
    raw: bytes | str = body
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(str(body), validate=True)
        except (binascii.Error, ValueError):
            return _refusal("The body could not be read.")
    try:
        loads_strict(raw)
    except StrictJsonError as exc:
        return _refusal(f"The body is not valid: {exc}.")
    return None
