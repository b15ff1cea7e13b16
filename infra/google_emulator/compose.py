"""Builds and amends RFC 5322 messages: a test's reply given as fields, and Gmail's stamping of sent mail."""

from __future__ import annotations

import email.policy
import email.utils
import re
from email.message import EmailMessage
from typing import Any

from google_emulator import ids
from google_emulator.mailbox import Mailbox, header_text, parse

_HEADER_NAME = re.compile(r"^[!-9;-~]+$")


class ComposeError(ValueError):
    pass


def _clean(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ComposeError(f"{what} must be a string")
    if "\r" in value or "\n" in value:
        raise ComposeError(f"{what} must not contain line breaks")
    return value


def from_fields(fields: dict[str, Any], mailbox: Mailbox) -> bytes:
    """A message from {from, to?, subject, text, in_reply_to?, references?, headers?, kind?}, addressed to `mailbox`.

    Given only `in_reply_to` and a parent in the mailbox, References is the parent's References plus the
    parent, as a mail client writes it. `kind` shapes the message like the real thing: "reply" (default),
    "auto_reply" (Auto-Submitted: auto-replied, "Automatic reply:" subject) or "bounce" (a Gmail-style
    delivery-status report from mailer-daemon about the message named by in_reply_to).
    """
    kind = fields.get("kind") or "reply"
    if kind not in ("reply", "auto_reply", "bounce"):
        raise ComposeError("kind must be reply, auto_reply or bounce")
    in_reply_to = _clean(fields.get("in_reply_to") or "", "in_reply_to")
    parents = mailbox.by_message_id(in_reply_to) if in_reply_to else []
    parent_subject = parents[0].subject if parents else ""
    if kind == "bounce":
        message = _bounce(fields, mailbox, in_reply_to, parents[0].raw if parents else b"")
    else:
        message = EmailMessage()
        sender = _clean(fields.get("from", ""), "from")
        if not sender:
            raise ComposeError("from is required")
        message["From"] = sender
        message["To"] = _clean(fields.get("to") or mailbox.email, "to")
        subject = _clean(fields.get("subject") or "", "subject")
        if kind == "auto_reply":
            subject = subject or f"Automatic reply: {parent_subject}"
            message["Auto-Submitted"] = "auto-replied"
        message["Subject"] = subject
        message.set_content(_clean_text(fields.get("text", "")))
    sender_address = email.utils.parseaddr(str(message["From"]))[1]
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = email.utils.make_msgid(domain=sender_address.rpartition("@")[2] or "example.com")
    references = _clean(fields.get("references") or "", "references")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        if not references:
            earlier = header_text(parents[0].parsed, "References") if parents else ""
            references = f"{earlier} {in_reply_to}".strip()
    if references:
        message["References"] = references
    extra = fields.get("headers") or {}
    if not isinstance(extra, dict):
        raise ComposeError("headers must be an object")
    for name, value in extra.items():
        if not _HEADER_NAME.match(name):
            raise ComposeError(f"bad header name {name!r}")
        del message[name]
        message[name] = _clean(value, f"header {name}")
    return message.as_bytes(policy=email.policy.SMTP)


def _bounce(fields: dict[str, Any], mailbox: Mailbox, in_reply_to: str, original: bytes) -> EmailMessage:
    if not in_reply_to:
        raise ComposeError("a bounce needs in_reply_to: the Message-ID of the message that bounced")
    failed = str(fields.get("to_failed") or "")
    if not failed and original:
        failed = ", ".join(a for _, a in email.utils.getaddresses([header_text(parse(original), "To")]))
    failed = _clean(failed or "unknown@invalid.example", "to_failed")
    message = EmailMessage()
    message["From"] = _clean(fields.get("from") or "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "from")
    message["To"] = mailbox.email
    message["Subject"] = _clean(fields.get("subject") or "Delivery Status Notification (Failure)", "subject")
    message["Auto-Submitted"] = "auto-replied"
    message["X-Failed-Recipients"] = failed
    text = fields.get("text") or f"Address not found\n\nYour message wasn't delivered to {failed}."
    message.set_content(_clean_text(text))
    status = EmailMessage()
    status["Content-Type"] = "message/delivery-status"
    per_message, per_recipient = EmailMessage(), EmailMessage()
    per_message["Reporting-MTA"] = "dns; googlemail.com"
    per_recipient["Final-Recipient"] = f"rfc822; {failed}"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.1.1"
    per_recipient["Diagnostic-Code"] = "smtp; 550 5.1.1 user unknown"
    status.set_payload([per_message, per_recipient])
    message.make_mixed()
    message.attach(status)
    if original:
        headers = EmailMessage()
        headers["Content-Type"] = "text/rfc822-headers"
        head = re.split(rb"\r?\n\r?\n", original, maxsplit=1)[0]
        headers.set_payload(head.decode("utf-8", "replace") + "\r\n")
        message.attach(headers)
    message.replace_header("Content-Type", message.get_content_type().replace("mixed", "report"))
    message.set_param("report-type", "delivery-status")
    return message


def _clean_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ComposeError("text must be a string")
    return value


def _split(raw: bytes) -> tuple[list[bytes], bytes, bytes]:
    """Header lines (continuations joined to their field), the line ending, and the body, untouched."""
    newline = b"\r\n" if b"\r\n" in raw.split(b"\n\n", 1)[0] or raw.startswith(b"\r\n") else b"\n"
    head, separator, body = raw.partition(newline + newline)
    if not separator:
        head, body = raw, b""
    fields: list[bytes] = []
    for line in head.split(newline):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += newline + line
        elif line:
            fields.append(line)
    return fields, newline, body


def _join(fields: list[bytes], newline: bytes, body: bytes) -> bytes:
    return newline.join(fields) + newline + newline + body


def _is(field: bytes, name: str) -> bool:
    return field.split(b":", 1)[0].strip().lower() == name.lower().encode()


def set_header(raw: bytes, name: str, value: str | None, *, first: bool = False) -> bytes:
    """Replace (or with None remove) a header without re-serialising the rest of the message."""
    fields, newline, body = _split(raw)
    fields = [f for f in fields if not _is(f, name)]
    if value is not None:
        line = f"{name}: {value}".encode()
        if first:
            fields.insert(0, line)
        else:
            fields.append(line)
    return _join(fields, newline, body)


def stamp_sent(raw: bytes, sender: str, sender_name: str, replace_message_id: bool) -> bytes:
    """What Gmail does to a message it sends: the From address is the account's own, a Message-ID and Date
    are added when missing, and the Message-ID is replaced when the account is set to do so."""
    message = parse(raw)
    name, address = email.utils.parseaddr(header_text(message, "From"))
    if address.lower() != sender.lower():
        policy_name = name or sender_name
        value = email.utils.formataddr((policy_name, sender), charset="utf-8") if policy_name else sender
        raw = set_header(raw, "From", value)
    if replace_message_id or not header_text(message, "Message-ID"):
        raw = set_header(raw, "Message-ID", ids.gmail_message_id())
    if not header_text(message, "Date"):
        raw = set_header(raw, "Date", email.utils.formatdate(localtime=False))
    return raw


def without_bcc(raw: bytes) -> bytes:
    return set_header(raw, "Bcc", None)


def recipients(raw: bytes) -> list[str]:
    message = parse(raw)
    values = [header_text(message, name) for name in ("To", "Cc", "Bcc")]
    return [address for _, address in email.utils.getaddresses([v for v in values if v]) if "@" in address]


def prepend_header(raw: bytes, name: str, value: str) -> bytes:
    """Add a trace header on top, as each MTA on the way does (existing ones stay)."""
    fields, newline, body = _split(raw)
    return _join([f"{name}: {value}".encode(), *fields], newline, body)
