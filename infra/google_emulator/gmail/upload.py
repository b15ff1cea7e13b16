"""Media uploads to `/upload/gmail/v1/.../messages/send`: the message as the body (`uploadType=media`), or
JSON metadata plus the message in a multipart/related body (`uploadType=multipart`)."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import Message
from typing import Any

from google_emulator.errors import ApiError, bad_request
from google_emulator.web import Request


def read(request: Request) -> tuple[dict[str, Any], bytes]:
    """(metadata, raw message) of an upload request."""
    upload_type = request.param("uploadType")
    if upload_type == "media":
        return {}, request.body
    if upload_type == "multipart":
        content_type = request.header("content-type") or ""
        envelope = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + request.body
        parsed = email.message_from_bytes(envelope, policy=email.policy.compat32)
        parts = parsed.get_payload()
        if not parsed.is_multipart() or not isinstance(parts, list) or len(parts) != 2:
            raise bad_request("Multipart uploads need a metadata part and a media part.")
        meta_part, media_part = parts
        if not isinstance(meta_part, Message) or not isinstance(media_part, Message):
            raise bad_request("Multipart uploads need a metadata part and a media part.")
        meta_bytes = _bytes(meta_part)
        media = _bytes(media_part)
        try:
            metadata = json.loads(meta_bytes) if meta_bytes.strip() else {}
        except ValueError:
            raise bad_request("Invalid JSON payload received in the metadata part.") from None
        if not isinstance(metadata, dict):
            raise bad_request("The metadata part must be a JSON object.")
        return metadata, media
    raise ApiError(501, f"The emulator does not support uploadType={upload_type}", "notImplemented")


def _bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""
