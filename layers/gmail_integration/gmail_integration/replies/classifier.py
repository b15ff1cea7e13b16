"""What a new message in a thread the service sent into is: the prospect's reply, an automatic reply, or a bounce.

The service holds only the ``gmail.metadata`` scope, so the decision rests on headers (and what Gmail adds to
them), never on a body. Gmail's reference for the ``Format`` enum says ``format=metadata`` "returns only email
message ID, labels, and email headers" (the full and raw formats are the ones that carry the parsed payload).
``payload.mimeType`` of the top part is answered in practice but carries no parameters, and ``payload.parts`` is not
promised at all, so both are used when present and never needed: the ``Content-Type`` header, asked for by name,
is what shows a delivery status report. ``snippet`` is not used either; under this scope it is not guaranteed.

Signals, in the order they are checked. Bounce comes first because real delivery status notifications also carry
auto-reply signals: Gmail, Postfix, Exim and Exchange Online put ``Auto-Submitted: auto-replied`` on them, and
Office 365 adds ``Precedence: bulk``.

| #  | signal                                                                      | read from            | kind       |
|----|-----------------------------------------------------------------------------|----------------------|------------|
| B1 | delivery status report: ``multipart/report; report-type=delivery-status``   | Content-Type,        | bounce     |
|    | (or RFC 6533 ``global-delivery-status``), or a ``message/delivery-status``  | mimeType, parts      |            |
|    | part                                                                        |                      |            |
| B2 | ``X-Failed-Recipients`` (Exim, Gmail)                                       | X-Failed-Recipients  | bounce     |
| B3 | sender ``mailer-daemon`` or ``postmaster`` (local part, any case)           | From                 | bounce     |
| B4 | failure subject ("Undeliverable:", "failure notice", "Returned mail: ...")  | Subject, Return-Path | bounce     |
|    | sent by a machine: null ``Return-Path: <>`` or ``Auto-Submitted``           | or Auto-Submitted    |            |
| B* | any of B1-B4, but the subject says delay, success or relay ("Delivery       | Subject              | auto_reply |
|    | Status Notification (Delay)", "Delivered:"): it arrived or may still arrive |                      |            |
| A1 | RFC 3834 ``Auto-Submitted`` other than ``no``                               | Auto-Submitted       | auto_reply |
| A2 | ``X-Autoreply`` / ``X-Autorespond`` (Gmail vacation, cPanel, ...)           | those two            | auto_reply |
| A3 | ``Precedence: auto_reply``                                                  | Precedence           | auto_reply |
| A4 | out-of-office subject, only at its head or bracketed at its end (below)     | Subject              | auto_reply |
| A5 | null ``Return-Path: <>``: notifications only (RFC 3834 3.3, RFC 5321 4.5.5) | Return-Path          | auto_reply |
| A6 | any other ``multipart/report`` (read receipts: ``disposition-notification``)| Content-Type         | auto_reply |
| A7 | out-of-office words anywhere in the subject, with ``Precedence`` bulk or    | Subject, Precedence, | auto_reply |
|    | junk and no ``List-Id``                                                     | List-Id              |            |
| -  | nothing of the above                                                        |                      | reply      |

Not signals on purpose:

- ``Precedence`` bulk, junk or list alone: mailing lists set it on human mail (vger.kernel.org sets ``bulk``), so a
  prospect answering through a list would be lost. It only strengthens weak subject evidence (A7).
- ``X-Auto-Response-Suppress``: a request that others not auto-answer, which any sender may set (ticketing and
  bulk-mail systems do on ordinary mail); every auto-reply in the fixtures that carried it also had a real signal
  (an Exchange "Automatic reply:" subject and null Return-Path, or Mimecast's ``Auto-Submitted``).
- ``X-MS-Exchange-Inbox-Rules-Loop``: the loop guard Exchange stamps on what an inbox rule sends, forwards and
  redirects included; Exchange's own out-of-office answers are recognised by their subject and null sender.
- Labels: no Gmail label says auto-reply or bounce (``CATEGORY_*`` is Gmail's guess about promotions); the poll
  worker drops the user's own SENT and DRAFT messages before asking.

Subjects. A subject is the only signal some responders give (Exchange 2010 out-of-office: "Automatic reply:" and a
null Return-Path, nothing else), and the one a person controls, so subject evidence is held to precision:

- an automatic-answer marker at the head, followed by ``:``, a bracket, a dash or nothing: "Automatic reply:",
  "Auto-Reply:", "Réponse automatique :", "Automatische Antwort:", "Abwesenheitsnotiz:", "Auto:" (colon required),
  or bracketed, as in "[Automatyczna odpowiedź] ...";
- an out-of-office phrase at the head: "Out of Office", "I am out of the office", "Fuera de la oficina", ...;
  single words ("Vacation", "Absence", "Afwezig") only when they end the head ("Absence: back on 3 May"), so
  "Absence management for your team" (a sales subject kept unchanged by a client that adds no "Re:") stays a reply;
- an automatic-answer marker or out-of-office phrase in brackets at the end: AOL's "Re: <subject> (Automatic
  Response)", "Re: <subject> [Out of Office]".

So "Re: Out of office plans?" is a reply: a subject starting with a reply prefix is the person's own answer to
our thread, and an out-of-office phrase behind it is their words, not a responder's. Matching is case-, accent-
and hyphen-insensitive ("Reponse automatique", "auto reply", "AUTO-REPLY").
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.errors import HeaderParseError
from email.message import EmailMessage
from email.utils import parseaddr
from enum import StrEnum
from typing import Any

CLASSIFIER_HEADERS: tuple[str, ...] = (
    "From",  # B3: mailer-daemon / postmaster senders
    "Subject",  # B4, B*, A4, A7: failure, delay and out-of-office wording
    "Auto-Submitted",  # A1 (RFC 3834), and B4's proof that a failure subject came from a machine
    "X-Autoreply",  # A2: Gmail's vacation responder and others that predate RFC 3834
    "X-Autorespond",  # A2: cPanel/Exim autoresponders, which send no Auto-Submitted
    "Precedence",  # A3 auto_reply; bulk/junk strengthen a weak subject (A7)
    "X-Failed-Recipients",  # B2: Exim and legacy Gmail bounces without a multipart/report
    "Return-Path",  # B4, A5: the null reverse path <> of notifications
    "Content-Type",  # B1, A6: report-type, which payload.mimeType lacks
    "List-Id",  # A7: list traffic, where Precedence: bulk says nothing about automation
)
"""Exactly the headers :func:`classify` reads: the poll worker passes these as ``metadataHeaders``."""


class ReplyKind(StrEnum):
    """Only REPLY means the prospect answered; the other two must never mark an email replied."""

    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"


@dataclass(frozen=True)
class MessageFacts:
    """The part of a message the metadata scope lets the service see; bodies never enter."""

    headers: Mapping[str, str]
    """Header name in any case -> value of its first occurrence, unfolded and decoded."""
    label_ids: frozenset[str] = frozenset()
    mime_type: str = ""
    """``payload.mimeType``: the top part's type without parameters, when Gmail gives it."""
    part_mime_types: tuple[str, ...] = ()
    """``payload.parts[].mimeType``, when given (Gmail's metadata format does not promise them)."""


def classify(facts: MessageFacts) -> ReplyKind:
    """Bounce before auto-reply before reply: see the module docstring for the signals and why that order.

    Labels are carried for the caller and decide nothing here (no Gmail label tells these kinds apart).
    """
    headers = _lowered(facts.headers)
    subject = _fold(headers.get("subject", ""))
    media_type, report_type = _content_type(headers.get("content-type", ""), facts.mime_type)
    null_sender = _is_null_path(headers.get("return-path"))
    auto_submitted = _auto_submitted(headers.get("auto-submitted"))

    if (
        _is_delivery_report(media_type, report_type, facts)
        or headers.get("x-failed-recipients", "").strip()
        or _is_daemon(headers.get("from", ""))
        or (_FAILURE_SUBJECT.match(subject) and (null_sender or auto_submitted))
    ):
        return ReplyKind.AUTO_REPLY if _NOT_FAILURE_SUBJECT.match(subject) else ReplyKind.BOUNCE

    precedence = headers.get("precedence", "").strip().lower()
    if (
        auto_submitted
        or _says_yes(headers.get("x-autoreply"))
        or _says_yes(headers.get("x-autorespond"))
        or precedence in _AUTO_PRECEDENCE
        or _is_out_of_office_subject(subject)
        or null_sender
        or media_type == "multipart/report"
        or (precedence in _WEAK_PRECEDENCE and "list-id" not in headers and _WEAK_SUBJECT.search(subject))
    ):
        return ReplyKind.AUTO_REPLY
    return ReplyKind.REPLY


def facts_from_gmail(message: Mapping[str, Any]) -> MessageFacts:
    """Facts from a ``users.messages.get`` answer (or one message of ``threads.get``) in the metadata format.

    Header values are decoded again only if they still hold RFC 2047 encoded words, which makes the result the same
    whether or not Google decoded them.
    """
    payload: Mapping[str, Any] = message.get("payload") or {}
    headers: dict[str, str] = {}
    for header in payload.get("headers") or ():
        name = str(header.get("name") or "")
        if name:
            headers.setdefault(name, _header_text(str(header.get("value") or "")))
    return MessageFacts(
        headers=headers,
        label_ids=frozenset(str(label) for label in message.get("labelIds") or ()),
        mime_type=str(payload.get("mimeType") or ""),
        part_mime_types=tuple(str(part.get("mimeType") or "") for part in payload.get("parts") or ()),
    )


def facts_from_rfc822(raw: bytes) -> MessageFacts:
    """Facts from a whole message as Gmail's metadata format would give them, for fixtures and tests.

    Only :data:`CLASSIFIER_HEADERS` are kept, as in the poll worker's request, so a test on a real message also
    proves that list sufficient. The MIME structure is read (top type and its direct parts); no body is.
    """
    message = message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
    return MessageFacts(
        headers=_selected_headers(message.raw_items(), CLASSIFIER_HEADERS),
        mime_type=message.get_content_type(),
        part_mime_types=tuple(part.get_content_type() for part in message.iter_parts()),
    )


def _selected_headers(items: Iterable[tuple[str, Any]], names: Iterable[str]) -> dict[str, str]:
    wanted = {name.lower() for name in names}
    found: dict[str, str] = {}
    for name, value in items:
        if name.lower() in wanted:
            found.setdefault(name, _header_text(str(value)))
    return found


def _header_text(value: str) -> str:
    if "=?" in value:
        # Decoded as an unstructured header, as the email package does for a parsed message; an undecodable
        # encoded word stays as written, which then matches nothing.
        with contextlib.suppress(HeaderParseError, LookupError, UnicodeError, ValueError):
            value = str(policy.default.header_factory("x-classifier-text", value))
    return " ".join(value.split())


def _lowered(headers: Mapping[str, str]) -> dict[str, str]:
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        lowered.setdefault(name.lower(), value)
    return lowered


def _fold(text: str) -> str:
    """Case, accents, typographic apostrophes and inner hyphens ("Auto-Reply", "Out-of-Office") do not matter."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    folded = stripped.casefold().replace("\u2019", "'")
    return " ".join(re.sub(r"(?<=\w)-(?=\w)", " ", folded).split())


def _content_type(header: str, mime_type: str) -> tuple[str, str]:
    media_type = header.split(";", 1)[0].strip().lower() or mime_type.strip().lower()
    match = _REPORT_TYPE.search(header)
    return media_type, match.group(1).lower() if match else ""


def _is_delivery_report(media_type: str, report_type: str, facts: MessageFacts) -> bool:
    if media_type == "multipart/report" and report_type in _DELIVERY_REPORT_TYPES:
        return True
    types = (media_type, facts.mime_type.lower(), *(part.lower() for part in facts.part_mime_types))
    return any(kind in _DELIVERY_STATUS_PARTS for kind in types)


def _is_daemon(sender: str) -> bool:
    address = parseaddr(sender)[1]
    local = address.rpartition("@")[0] if "@" in address else address
    return local.strip('"').lower() in _DAEMON_LOCAL_PARTS


def _is_null_path(return_path: str | None) -> bool:
    return return_path is not None and re.fullmatch(r"\s*<\s*>\s*", return_path) is not None


def _auto_submitted(value: str | None) -> bool:
    """RFC 3834 keyword before any comment or parameter: ``auto-replied (vacation)`` counts, ``no`` does not."""
    keyword = re.split(r"[\s;(]", (value or "").strip(), maxsplit=1)[0].lower()
    return keyword not in ("", "no")


def _says_yes(value: str | None) -> bool:
    """Present and not explicitly negative: the value is free text for some responders (cPanel's X-Autorespond)."""
    return value is not None and value.strip().lower() not in ("no", "false", "0", "off")


def _is_out_of_office_subject(subject: str) -> bool:
    return any(pattern.search(subject) for pattern in _STRONG_SUBJECTS)


def _alternation(phrases: Iterable[str]) -> str:
    """Phrases written as people read them, folded the same way as subjects, longest first."""
    folded = sorted({_fold(phrase) for phrase in phrases}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(phrase) for phrase in folded) + ")"


_REPORT_TYPE = re.compile(r";\s*report-type\s*=\s*\"?([\w.+-]+)", re.IGNORECASE)
_DELIVERY_REPORT_TYPES = frozenset({"delivery-status", "global-delivery-status"})
_DELIVERY_STATUS_PARTS = frozenset({"message/delivery-status", "message/global-delivery-status"})
_DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "mailer_daemon", "mailerdaemon", "postmaster"})
_AUTO_PRECEDENCE = frozenset({"auto_reply", "auto-reply"})
_WEAK_PRECEDENCE = frozenset({"bulk", "junk"})

# Subjects of non-delivery reports, at the head (after folding). Localised Exchange NDR prefixes included.
_FAILURE_SUBJECT = re.compile(
    "^"
    + _alternation(
        (
            "Undeliverable",
            "Undelivered Mail",
            "Undeliverable mail",
            "Undeliverable message",
            "Mail delivery failed",
            "Mail delivery failure",
            "Delivery Status Notification",
            "Delivery failure",
            "Delivery failed",
            "Delivery has failed",
            "Delivery Notification: Delivery has failed",
            "DELIVERY FAILURE",
            "failure notice",
            "Returned mail",
            "Message not delivered",
            "Mail could not be delivered",
            "Mail System Error - Returned Mail",
            "Nondeliverable mail",
            "Non-delivery",
            "Non remis",
            "Non distribuable",
            "Unzustellbar",
            "Nicht zustellbar",
            "Onbestelbaar",
            "Non recapitabile",
            "No se puede entregar",
            "Não é possível entregar",
            "Kan niet worden bezorgd",
        )
    )
    + r"\b"
)

# Delivery notices that are not failures: a bounce may still follow, or the mail arrived.
_NOT_FAILURE_SUBJECT = re.compile(
    r"^(?:delivery status notification \((?:delay|delayed|success|relay|relayed)\)"
    r"|delayed mail\b|delivery delayed\b|mail delivery delayed\b|delivery notification: delivery has been delayed"
    r"|warning: could not send message|warning: message \S+ delayed|delivered:|relayed:"
    r"|successful mail delivery|zustellung verzogert|remise differee)"
)

_AUTO_MARKERS = _alternation(
    (
        "Automatic reply",
        "Automatic response",
        "Automated reply",
        "Automated response",
        "Auto reply",
        "Autoreply",
        "Auto response",
        "Autoresponse",
        "Autorespons",
        "Autoresponder",
        "Auto-Antwort",
        "Automatische Antwort",
        "Abwesenheitsnotiz",
        "Réponse automatique",
        "Risposta automatica",
        "Respuesta automática",
        "Resposta automática",
        "Automatisch antwoord",
        "Autosvar",
        "Automatisk svar",
        "Automaattinen vastaus",
        "Automatyczna odpowiedź",
        "Automatická odpověď",
        "Automatikus válasz",
        "Răspuns automat",
        "Otomatik yan\u0131t",  # dotless i
        "Otomatik yanit",
        "Автоматический ответ",
        "自动答复",
        "自动回复",
        "自動回覆",
        "自動応答",
        "자동 회신",
    )
)
_OUT_OF_OFFICE_PHRASES = _alternation(
    (
        "Out of Office",
        "Out of the Office",
        "I am out of the office",
        "I'm out of the office",
        "I am currently out of the office",
        "I will be out of the office",
        "I am away",
        "I'm away",
        "Away from the office",
        "Away from my desk",
        "Away from my mail",
        "Away from my email",
        "On vacation",
        "On holiday",
        "On leave",
        "Nicht im Büro",
        "Außer Haus",
        "Im Urlaub",
        "Absent du bureau",
        "En congé",
        "En congés",
        "Fuera de la oficina",
        "Fuera de oficina",
        "Fuori ufficio",
        "Fuori sede",
        "Niet aanwezig",
        "Poza biurem",
        "Mimo kancelář",
        "Вне офиса",
    )
)
_OUT_OF_OFFICE_WORDS = _alternation(
    (
        "OOO",
        "Vacation",
        "Vacances",
        "Vacaciones",
        "Absence",
        "Absent",
        "Abwesend",
        "Abwesenheit",
        "Urlaub",
        "Afwezig",
        "Afwezigheid",
        "Ausente",
        "Assente",
        "Ferie",
        "Ferien",
        "Congés",
    )
)
# What may follow a single head word for it to be the whole head: end, punctuation, or "until" and its kin.
_HEAD_END = r"(?:\s*(?:$|[:!,;|\[(\-\u2013\u2014])|\s+(?:until|till|bis|jusqu|hasta|fino|tot)\b)"

_STRONG_SUBJECTS = (
    re.compile(rf"^{_AUTO_MARKERS}(?:\s*(?:$|[:\])\-\u2013\u2014]))"),
    re.compile(r"^auto\s*:"),
    re.compile(rf"^{_OUT_OF_OFFICE_PHRASES}\b"),
    re.compile(rf"^{_OUT_OF_OFFICE_WORDS}{_HEAD_END}"),
    re.compile(rf"^[\[(]\s*(?:{_AUTO_MARKERS}|auto|{_OUT_OF_OFFICE_PHRASES}|{_OUT_OF_OFFICE_WORDS})\s*[\])]"),
    re.compile(rf"[\[(]\s*(?:{_AUTO_MARKERS}|{_OUT_OF_OFFICE_PHRASES})\s*[\])]\s*$"),
)
_WEAK_SUBJECT = re.compile(rf"(?<!\w)(?:{_AUTO_MARKERS}|{_OUT_OF_OFFICE_PHRASES})(?!\w)")
