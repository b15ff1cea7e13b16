"""Messages and threads as the Gmail API returns them, in each `format`.

Numbers that are int64/uint64 in the discovery document (historyId, internalDate) are JSON strings, as Google
sends them; payload parts carry partIds "", "0", "0.1", ...; bodies are base64url.
"""

from __future__ import annotations

import base64
import html
import re
from email.message import Message
from typing import Any

from google_emulator.mailbox import StoredMessage

SNIPPET_LENGTH = 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _headers(part: Message, wanted: list[str] | None) -> list[dict[str, str]]:
    names = {name.lower() for name in wanted} if wanted else None
    result = []
    for name, value in part.items():
        if names is not None and name.lower() not in names:
            continue
        try:
            text = " ".join(str(value).split())
        except Exception:
            text = ""
        result.append({"name": name, "value": text})
    return result


def _decoded(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _part(part: Message, part_id: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "partId": part_id,
        "mimeType": part.get_content_type(),
        "filename": part.get_filename() or "",
        "headers": _headers(part, None),
    }
    if part.is_multipart():
        resource["body"] = {"size": 0}
        children = part.get_payload()
        assert isinstance(children, list)
        prefix = f"{part_id}." if part_id else ""
        resource["parts"] = [_part(child, f"{prefix}{i}") for i, child in enumerate(children)]
    else:
        data = _decoded(part)
        resource["body"] = {"size": len(data), **({"data": _b64(data)} if data else {})}
    return resource


def body_text(part: Message) -> str:
    """The text a snippet is cut from: the first text/plain part, else the first text/html without tags."""
    plain = html_text = None
    for sub in part.walk():
        if sub.is_multipart() or sub.get_filename():
            continue
        kind = sub.get_content_type()
        charset = sub.get_content_charset() or "utf-8"
        try:
            text = _decoded(sub).decode(charset, "replace")
        except LookupError:
            text = _decoded(sub).decode("utf-8", "replace")
        if kind == "text/plain" and plain is None:
            plain = text
        elif kind == "text/html" and html_text is None:
            html_text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return plain if plain is not None else html_text or ""


def snippet(message: StoredMessage) -> str:
    text = " ".join(body_text(message.parsed).split())[:SNIPPET_LENGTH]
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def message_resource(
    message: StoredMessage, fmt: str, metadata_headers: list[str] | None, with_snippet: bool
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "id": message.id,
        "threadId": message.thread_id,
        "labelIds": list(message.labels),
    }
    if with_snippet:
        resource["snippet"] = snippet(message)
    resource["sizeEstimate"] = len(message.raw)
    resource["historyId"] = str(message.history_id)
    resource["internalDate"] = str(message.internal_date_ms)
    if fmt == "metadata":
        resource["payload"] = {
            "mimeType": message.parsed.get_content_type(),
            "headers": _headers(message.parsed, metadata_headers or None),
        }
    elif fmt == "full":
        resource["payload"] = _part(message.parsed, "")
    elif fmt == "raw":
        resource["raw"] = _b64(message.raw)
    return resource


def thread_resource(
    thread_id: str, messages: list[StoredMessage], fmt: str, metadata_headers: list[str] | None, with_snippet: bool
) -> dict[str, Any]:
    return {
        "id": thread_id,
        "historyId": str(max(m.history_id for m in messages)),
        "messages": [message_resource(m, fmt, metadata_headers, with_snippet) for m in messages],
    }
