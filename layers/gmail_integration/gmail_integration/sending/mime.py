"""The email on the wire, built with Python's ``email`` package so that encoding and folding are the standard's.

- ``From: "Display Name" <connected address>`` and ``To`` with the prospect's name; non-ASCII names and subjects
  are encoded per RFC 2047 by the library.
- text/plain and text/html alternatives, the OutSales signature appended to each (RFC 3676 "-- " separator in
  text). An email approved without HTML gets an HTML part made from its text, so both alternatives agree.
- A Message-ID of our own domain, random and remembered by the ledger at the first claim, and
  ``X-OutSales-Activity`` with its random part, which survives when Gmail replaces the Message-ID: a retry
  recognises its own message by either. Neither reveals nor lets anyone guess a workspace or activity id.
- A follow-up carries ``In-Reply-To`` and ``References`` of the earlier message and ``Re: <thread subject>``:
  Gmail joins a sent message to a thread only when all three fit.
- No header value may carry a line break; the library refuses one, and the command model refused it earlier.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.gmail import ACTIVITY_HEADER, activity_marker
from gmail_integration.models.profile import Profile
from gmail_integration.sanitizer import sanitize_html


@dataclass(frozen=True)
class ThreadRef:
    """The earlier email a follow-up answers, as Gmail knows it."""

    gmail_thread_id: str
    message_id: str
    subject: str
    references: str = ""


def new_message_id(domain: str) -> str:
    """128 random bits: what a prospect (or anyone they forward to) sees says nothing about our ids."""
    return f"<{secrets.token_hex(16)}@{domain}>"


def reply_subject(thread_subject: str) -> str:
    stripped = thread_subject.strip()
    return stripped if stripped.lower().startswith("re:") else f"Re: {stripped}"


def _text_body(text: str, signature: str) -> str:
    return f"{text.rstrip()}\n\n-- \n{signature.strip()}\n" if signature.strip() else text


def _html_body(command: SendEmailV1, profile: Profile) -> str:
    # Both HTML inputs are sanitized here, at the last step, whatever was checked before: a profile stored under an
    # older allowlist or an upstream body never reaches a recipient unsanitized.
    content = (
        sanitize_html(command.html)
        if command.html
        else "<div>" + html.escape(command.text).replace("\n", "<br>\n") + "</div>"
    )
    signature = (
        sanitize_html(profile.signature_html)
        if profile.signature_html
        else (html.escape(profile.signature_text).replace("\n", "<br>\n") if profile.signature_text else "")
    )
    if not signature:
        return content
    return f'{content}\n<br>\n<div class="outsales-signature">{signature}</div>'


def build_message(
    command: SendEmailV1,
    *,
    sender_email: str,
    profile: Profile,
    message_id: str,
    sent_at: datetime,
    thread: ThreadRef | None = None,
) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(display_name=profile.display_name, addr_spec=sender_email)
    message["To"] = Address(display_name=command.to.name, addr_spec=command.to.email)
    message["Subject"] = reply_subject(thread.subject) if thread else command.subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    message[ACTIVITY_HEADER] = activity_marker(message_id)
    if thread:
        message["In-Reply-To"] = thread.message_id
        message["References"] = f"{thread.references} {thread.message_id}".strip()
    message.set_content(_text_body(command.text, profile.signature_text), subtype="plain", charset="utf-8")
    message.add_alternative(_html_body(command, profile), subtype="html", charset="utf-8")
    return message.as_bytes()
