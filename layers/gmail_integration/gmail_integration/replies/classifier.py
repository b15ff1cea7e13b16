"""What a new message in a thread the service sent into is: the prospect's reply, an automatic reply, or a bounce.

The service holds only the ``gmail.metadata`` scope, so the decision rests on headers (and what Gmail adds to
them), never on a body. Gmail's reference for the ``Format`` enum says ``format=metadata`` "returns only email
message ID, labels, and email headers", and only the headers asked for by name. ``payload.mimeType`` of the top
part is answered in practice but carries no parameters, and ``payload.parts`` is not promised at all, so both are
used when present and never needed: the ``Content-Type`` header, asked for by name, shows a report and its
``report-type``. A delivery report's own fields (``Action: delayed``) sit in a body part, out of reach; what tells
a delay or a success from a failure at the top level is the subject and sendmail's ``Auto-Submitted`` comment.

Signals, in the order they are checked; the first that holds decides, and :func:`explain` names it.

| signal              | read from                              | kind       | why here                                 |
|---------------------|----------------------------------------|------------|------------------------------------------|
| challenge_response  | From domain, subject; or a delivery    | auto_reply | Boxbe wraps its challenge in a DSN with |
|                     | report answering "Re:" from no daemon  |            | a "Re:" subject: before the bounce rules |
| delay_notice /      | any bounce evidence below, and delay   | auto_reply | the email may still arrive, or did:      |
| success_notice      | or success words in the notice's own   |            | a false bounce silences a good prospect. |
|                     | words (its head, or what follows a     |            | "giving up" beats "still retrying",      |
|                     | generic heading), or Auto-Submitted    |            | which beats "undelivered", which beats   |
|                     | (warning/receipt)                      |            | "delayed"                                |
| delivery_report     | multipart/report; report-type=         | bounce     | RFC 3464; also a message/delivery-status |
|                     | (global-)delivery-status, or its part  |            | part when Gmail gives parts              |
| failed_recipients   | X-Failed-Recipients                    | bounce     | Exim, legacy Gmail                       |
| daemon_sender       | From: mailer-daemon, postmaster, ...   | bounce     | before any subject: Apache James bounces |
|                     | local part or display name, or failure |            | say "Re:", and a canned failure notice   |
|                     | words in the display name ("Email      |            | sent as an autoreply carries every       |
|                     | Delivery Failure")                     |            | auto-reply header                        |
| failure_subject     | failure words at the subject's head,   | bounce     | Return-Path is absent only where the mail|
|                     | with a null, absent or daemon          |            | never passed a delivering MTA (archives);|
|                     | (MAILER-DAEMON@...) Return-Path, or    |            | a daemon path is the null one rewritten  |
|                     | Auto-Submitted                         |            | by a forwarding MTA                      |
| unconfirmed_failure | the same words from an ordinary        | auto_reply | security gateways word delays so; a false|
|                     | Return-Path                            |            | bounce would silence a good prospect     |
| auto_submitted      | RFC 3834 Auto-Submitted other than no  | auto_reply |                                          |
| x_autoreply         | X-Autoreply / X-Autorespond            | auto_reply | Gmail vacation, cPanel                   |
| precedence          | Precedence: auto_reply                 | auto_reply |                                          |
| robot_sender        | From: majordomo, listserv, mailman,    | auto_reply | list robots' confirmations and welcomes  |
|                     | noreply, <list>-request ... local part |            | carry no automation header at all        |
| x_loop              | X-Loop, with no List-Id and no         | auto_reply | procmail-style responders, bug trackers; |
|                     | Precedence list/bulk/junk              |            | list servers (SmartList) set it on posts |
| auto_subject        | marker or out-of-office phrase in the  | auto_reply | Exchange 2003 "<local words>: <subject>" |
|                     | head, bracketed at either end          |            | gives nothing else                       |
| acknowledgement     | ticket / help-desk / receipt wording   | auto_reply | "[queue #12] AutoReply:", "Resolved:",   |
|                     | at the head, in several languages      |            | "Eingangsbestätigung", "Accusé de ..."   |
| null_sender         | Return-Path: <>                        | auto_reply | RFC 3834 3.3, RFC 5321 4.5.5             |
| other_report        | any other multipart/report             | auto_reply | read receipts (disposition-notification) |
| bulk_subject        | out-of-office words anywhere with      | auto_reply | weak evidence made strong by Precedence  |
|                     | Precedence bulk/junk, no List-Id       |            |                                          |
| none                | nothing of the above                   | reply      |                                          |

Not signals on purpose:

- ``Precedence`` bulk, junk or list alone: mailing lists set it on human mail (vger.kernel.org sets ``bulk``), so a
  prospect answering through a list would be lost. It only strengthens weak subject evidence.
- ``X-Auto-Response-Suppress``: a request that others not auto-answer, which any sender may set.
- ``X-MS-Exchange-Inbox-Rules-Loop``: stamped on what an inbox rule forwards and redirects too.
- Labels: no Gmail label says auto-reply or bounce.

Subjects. A subject starting with a reply prefix ("Re:", "AW:", "SV:", "Odp:", ...) is the person's own answer to
our thread, so "Re: Out of office plans?" is a reply. Otherwise the *head* (the text before the first colon, after
any "[list]" or "[queue #123]" tags) is the responder's: an automatic-answer marker or out-of-office phrase anywhere
in it counts ("Out of Office AutoReply:", "Ārpus biroja atrašanās automātiskā atbilde:"); single words ("Vacation",
"Absence") only when they are the whole head, so "Absence management for your team" stays a reply. Matching is
case-, accent- and hyphen-insensitive; phrases must stand as whole words, except next to Chinese, Japanese, Korean
or Thai text, which puts no space between words. The phrase tables live in :mod:`classifier_phrases`.
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

from gmail_integration.replies import classifier_phrases as phrases

CLASSIFIER_HEADERS: tuple[str, ...] = (
    "From",  # daemon_sender (local part or display name), challenge_response (vendor domain)
    "Subject",  # failure, delay, success, out-of-office, ticket and challenge wording
    "Auto-Submitted",  # auto_submitted (RFC 3834); a failure subject's proof; sendmail's (warning-timeout) comment
    "X-Autoreply",  # x_autoreply: Gmail's vacation responder and others that predate RFC 3834
    "X-Autorespond",  # x_autoreply: cPanel/Exim autoresponders, which send no Auto-Submitted
    "Precedence",  # precedence (auto_reply); bulk/junk strengthen a weak subject (bulk_subject)
    "X-Failed-Recipients",  # failed_recipients: Exim and legacy Gmail bounces without a multipart/report
    "Return-Path",  # null_sender, and a failure subject's proof: the null reverse path <> of notifications
    "Content-Type",  # delivery_report, other_report: report-type, which payload.mimeType lacks
    "List-Id",  # bulk_subject: list traffic, where Precedence: bulk says nothing about automation
    "X-Loop",  # x_loop: loop guard of procmail-style responders and bug trackers that send nothing else
)
"""Exactly the headers :func:`classify` reads: the poll worker passes these as ``metadataHeaders``."""


class ReplyKind(StrEnum):
    """Only REPLY means the prospect answered; the other two must never mark an email replied."""

    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"


class Signal(StrEnum):
    """The rule that decided; logged with the ids (never a header value) so a wrong answer can be traced."""

    CHALLENGE_RESPONSE = "challenge_response"
    DELAY_NOTICE = "delay_notice"
    SUCCESS_NOTICE = "success_notice"
    DELIVERY_REPORT = "delivery_report"
    FAILED_RECIPIENTS = "failed_recipients"
    DAEMON_SENDER = "daemon_sender"
    FAILURE_SUBJECT = "failure_subject"
    UNCONFIRMED_FAILURE = "unconfirmed_failure"
    AUTO_SUBMITTED = "auto_submitted"
    X_AUTOREPLY = "x_autoreply"
    PRECEDENCE = "precedence"
    ROBOT_SENDER = "robot_sender"
    X_LOOP = "x_loop"
    AUTO_SUBJECT = "auto_subject"
    ACKNOWLEDGEMENT = "acknowledgement"
    NULL_SENDER = "null_sender"
    OTHER_REPORT = "other_report"
    BULK_SUBJECT = "bulk_subject"
    NONE = "none"


@dataclass(frozen=True)
class Verdict:
    kind: ReplyKind
    signal: Signal


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
    """The kind alone, for callers that need no reason; :func:`explain` gives the deciding signal too."""
    return explain(facts).kind


def explain(facts: MessageFacts) -> Verdict:
    """First matching signal wins, in the order of the module docstring's table (that order is the design)."""
    headers = _lowered(facts.headers)
    subject = _fold(headers.get("subject", ""))
    media_type, report_type = _content_type(headers.get("content-type", ""), facts.mime_type)
    return_path = headers.get("return-path")
    null_sender = _is_null_path(return_path)
    auto_submitted = headers.get("auto-submitted")
    machine = _auto_submitted(auto_submitted)
    sender = headers.get("from", "")
    daemon = _is_daemon(sender)
    report = _is_delivery_report(media_type, report_type, facts)
    replying = _REPLY_PREFIX.match(subject) is not None

    if _is_challenge(sender, subject) or (report and replying and not daemon):
        return Verdict(ReplyKind.AUTO_REPLY, Signal.CHALLENGE_RESPONSE)

    bounce: Signal | None = None
    if report:
        bounce = Signal.DELIVERY_REPORT
    elif headers.get("x-failed-recipients", "").strip():
        bounce = Signal.FAILED_RECIPIENTS
    elif daemon:
        bounce = Signal.DAEMON_SENDER
    elif not replying and _FAILURE_SUBJECT.match(subject):
        if not (null_sender or machine or return_path is None or _is_daemon_path(return_path)):
            # A machine's wording from an ordinary address (a security gateway's notice): not proof of a failure,
            # and a false bounce would silence the prospect, so it only keeps the email from counting as replied.
            return Verdict(ReplyKind.AUTO_REPLY, Signal.UNCONFIRMED_FAILURE)
        bounce = Signal.FAILURE_SUBJECT
    if bounce is not None:
        notice = _notice(subject, auto_submitted)
        return Verdict(ReplyKind.AUTO_REPLY, notice) if notice else Verdict(ReplyKind.BOUNCE, bounce)

    precedence = headers.get("precedence", "").strip().lower()
    auto: Signal | None = None
    if machine:
        auto = Signal.AUTO_SUBMITTED
    elif _says_yes(headers.get("x-autoreply")) or _says_yes(headers.get("x-autorespond")):
        auto = Signal.X_AUTOREPLY
    elif precedence in _AUTO_PRECEDENCE:
        auto = Signal.PRECEDENCE
    elif _is_robot(sender):
        auto = Signal.ROBOT_SENDER
    elif _is_loop_guarded(headers, precedence):
        auto = Signal.X_LOOP
    elif not replying and _is_auto_subject(subject):
        auto = Signal.AUTO_SUBJECT
    elif not replying and _ACKNOWLEDGEMENT.match(_without_tags(subject)):
        auto = Signal.ACKNOWLEDGEMENT
    elif null_sender:
        auto = Signal.NULL_SENDER
    elif media_type == "multipart/report":
        auto = Signal.OTHER_REPORT
    elif precedence in _WEAK_PRECEDENCE and "list-id" not in headers and _WEAK_SUBJECT.search(subject):
        auto = Signal.BULK_SUBJECT
    if auto is not None:
        return Verdict(ReplyKind.AUTO_REPLY, auto)
    if _is_bracketed_auto(subject):  # AOL's "Re: <subject> (Automatic Response)": a reply prefix, then a marker
        return Verdict(ReplyKind.AUTO_REPLY, Signal.AUTO_SUBJECT)
    return Verdict(ReplyKind.REPLY, Signal.NONE)


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
    name, address = parseaddr(sender)
    local = address.rpartition("@")[0] if "@" in address else address
    if local.strip('"').lower() in phrases.DAEMON_LOCAL_PARTS:
        return True
    folded = _fold(name.strip('"'))
    return folded in _DAEMON_NAMES or _DAEMON_NAME_WORDS.search(folded) is not None


def _is_robot(sender: str) -> bool:
    local = parseaddr(sender)[1].rpartition("@")[0].strip('"').lower()
    return local in phrases.ROBOT_LOCAL_PARTS or local.endswith(phrases.ROBOT_LOCAL_SUFFIXES)


def _is_loop_guarded(headers: Mapping[str, str], precedence: str) -> bool:
    """X-Loop outside list traffic: responders and trackers stamp it so as not to answer themselves.

    List servers stamp it on every post too (SmartList on Debian's lists, with ``Precedence: list`` and no
    List-Id), so any list marker leaves the message to the other rules: a person answering through a list stays a
    reply.
    """
    if not headers.get("x-loop", "").strip() or "list-id" in headers:
        return False
    return precedence not in _LIST_PRECEDENCE


def _is_daemon_path(return_path: str) -> bool:
    """A reverse path in a daemon's name: the null path as a forwarding MTA rewrites it (Exim's MAILER-DAEMON@host).

    Proof for a failure subject only, never a signal alone: the same rewrite happens to forwarded auto-replies.
    """
    address = parseaddr(return_path)[1]
    return address.rpartition("@")[0].strip('"').lower() in phrases.DAEMON_LOCAL_PARTS


def _is_challenge(sender: str, subject: str) -> bool:
    domain = parseaddr(sender)[1].rpartition("@")[2].lower()
    if any(domain == known or domain.endswith("." + known) for known in phrases.CHALLENGE_DOMAINS):
        return True
    return _CHALLENGE.search(_without_reply_prefixes(subject)) is not None


def _notice(subject: str, auto_submitted: str | None) -> Signal | None:
    """Delay or success, read from sendmail's Auto-Submitted comment or from the notice's own words."""
    comment = (auto_submitted or "").lower()
    if "warning" in comment or "delay" in comment:
        return Signal.DELAY_NOTICE
    if "receipt" in comment or "success" in comment or "relay" in comment:
        return Signal.SUCCESS_NOTICE
    region = _notice_region(subject)
    if _GIVEN_UP.search(region):
        return None
    if _RETRYING.search(region):  # "still undelivered": says delivery goes on, though a failure word is in it
        return Signal.DELAY_NOTICE
    if _FINAL.search(region):
        return None
    if _DELAY.search(region):
        return Signal.DELAY_NOTICE
    if _SUCCESS.search(region) and not _NEGATION.search(region):
        return Signal.SUCCESS_NOTICE
    return None


def _notice_region(subject: str) -> str:
    """The MTA's own words, never our quoted subject: the head, or what follows a generic heading ("Delivery
    Notification: Delivery has been delayed", sendmail's "Returned mail: Warning: could not send message ...")."""
    head, colon, rest = subject.partition(":")
    if not colon:
        return subject
    return rest if _NOTICE_HEADING.fullmatch(head.strip()) else head


def _without_tags(subject: str) -> str:
    return _LEADING_TAGS.sub("", subject)


def _without_reply_prefixes(subject: str) -> str:
    while (match := _REPLY_PREFIX.match(subject)) is not None:
        subject = subject[match.end() :].lstrip()
    return subject


def _is_auto_subject(subject: str) -> bool:
    if _is_bracketed_auto(subject):
        return True
    bare = _without_tags(subject)
    if any(pattern.search(bare) for pattern in _STRONG_SUBJECTS):
        return True
    head, colon, _ = bare.partition(":")
    return bool(colon) and _IN_HEAD.search(head) is not None


def _is_bracketed_auto(subject: str) -> bool:
    return any(pattern.search(subject) for pattern in _BRACKETED)


def _is_null_path(return_path: str | None) -> bool:
    return return_path is not None and re.fullmatch(r"\s*<\s*>\s*", return_path) is not None


def _auto_submitted(value: str | None) -> bool:
    """RFC 3834 keyword before any comment or parameter: ``auto-replied (vacation)`` counts, ``no`` does not."""
    keyword = re.split(r"[\s;(]", (value or "").strip(), maxsplit=1)[0].lower()
    return keyword not in ("", "no")


def _says_yes(value: str | None) -> bool:
    """Present and not explicitly negative: the value is free text for some responders (cPanel's X-Autorespond)."""
    return value is not None and value.strip().lower() not in ("no", "false", "0", "off")


def _alternation(phrases: Iterable[str]) -> str:
    """Phrases written as people read them, folded the same way as subjects, longest first."""
    folded = sorted({_fold(phrase) for phrase in phrases}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(phrase) for phrase in folded) + ")"


def _words(phrases: Iterable[str], *, start: bool = True, end: bool = True) -> str:
    """:func:`_alternation` with a word boundary at each end of each phrase, except at an end written in a script
    without spaces between words: "配信遅延" must match inside "配信遅延通知", where no boundary follows it."""

    def bounded(phrase: str) -> str:
        head = r"(?<!\w)" if start and not _unspaced(phrase[0]) else ""
        tail = r"(?!\w)" if end and not _unspaced(phrase[-1]) else ""
        return head + re.escape(phrase) + tail

    folded = sorted({_fold(phrase) for phrase in phrases}, key=len, reverse=True)
    return "(?:" + "|".join(bounded(phrase) for phrase in folded) + ")"


def _unspaced(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI"))


_REPORT_TYPE = re.compile(r";\s*report-type\s*=\s*\"?([\w.+-]+)", re.IGNORECASE)
_DELIVERY_REPORT_TYPES = frozenset({"delivery-status", "global-delivery-status"})
_DELIVERY_STATUS_PARTS = frozenset({"message/delivery-status", "message/global-delivery-status"})
_AUTO_PRECEDENCE = frozenset({"auto_reply", "auto-reply"})
_WEAK_PRECEDENCE = frozenset({"bulk", "junk"})
_LIST_PRECEDENCE = frozenset({"list", "bulk", "junk"})
_DAEMON_NAMES = frozenset(_fold(name) for name in phrases.DAEMON_DISPLAY_NAMES)
_DAEMON_NAME_WORDS = re.compile(_words(phrases.DAEMON_NAME_WORDS))

_REPLY_PREFIX = re.compile(rf"^{_alternation(phrases.REPLY_PREFIXES)}\s*(?:\[\d+\]|\(\d+\))?\s*[:\uff1a]")
_LEADING_TAGS = re.compile(r"^(?:\s*\[[^\]]*\]\s*)+")
# A whole word even in CJK text: a person may start a subject with 退信 ("returned mail") and go on writing.
_FAILURE_SUBJECT = re.compile(rf"^{_alternation(phrases.FAILURE_SUBJECTS)}(?!\w)")
_NOTICE_HEADING = re.compile(_alternation(phrases.NOTICE_HEADINGS))
_RETRYING = re.compile(_words(phrases.RETRYING_WORDS))
_DELAY = re.compile(_words((*phrases.DELAY_WORDS, *phrases.RETRYING_WORDS)))
_GIVEN_UP = re.compile(_words(phrases.GIVEN_UP_WORDS))
_SUCCESS = re.compile(_words(phrases.SUCCESS_WORDS))
# Failure words of the notice itself: the FINAL words and every failure subject except the generic headings
# ("Delivery Status Notification" heads delay and success notices too).
_GENERIC_HEADINGS = {_fold(heading) for heading in (*phrases.NOTICE_HEADINGS, "NOTICE: mail delivery status")}
_FINAL = re.compile(
    _words(
        (
            *phrases.GIVEN_UP_WORDS,
            *phrases.FINAL_WORDS,
            *(p for p in phrases.FAILURE_SUBJECTS if _fold(p) not in _GENERIC_HEADINGS),
        )
    )
)
_NEGATION = re.compile(_words(phrases.NEGATIONS))
_CHALLENGE = re.compile(rf"^{_words(phrases.CHALLENGE_PHRASES, start=False)}")
_ACKNOWLEDGEMENT = re.compile(
    rf"^(?:{_words(phrases.ACKNOWLEDGEMENTS, start=False)}|{_alternation(phrases.TICKET_STATES)}\s*(?::|$))"
)

_AUTO_MARKERS = _alternation(phrases.AUTO_MARKERS)
_OUT_OF_OFFICE_PHRASES = _alternation(phrases.OUT_OF_OFFICE_PHRASES)
_OUT_OF_OFFICE_WORDS = _alternation(phrases.OUT_OF_OFFICE_WORDS)
# What may follow a single head word for it to be the whole head: end, punctuation, or "until" and its kin.
_HEAD_END = r"(?:\s*(?:$|[:!,;|\[(\-\u2013\u2014])|\s+(?:until|till|bis|jusqu|hasta|fino|tot)\b)"

_STRONG_SUBJECTS = (
    re.compile(rf"^{_AUTO_MARKERS}(?:\s*(?:$|[:\])\-\u2013\u2014\uff1a]))"),
    re.compile(r"^auto\s*:"),
    re.compile(rf"^{_words(phrases.OUT_OF_OFFICE_PHRASES, start=False)}"),
    re.compile(rf"^{_OUT_OF_OFFICE_WORDS}{_HEAD_END}"),
)
_BRACKETED = (
    re.compile(rf"^[\[(]\s*(?:{_AUTO_MARKERS}|auto|{_OUT_OF_OFFICE_PHRASES}|{_OUT_OF_OFFICE_WORDS})\s*[\])]"),
    re.compile(rf"[\[(]\s*(?:{_AUTO_MARKERS}|{_OUT_OF_OFFICE_PHRASES})\s*[\])]\s*$"),
)
# A marker or out-of-office phrase anywhere in the head before the first colon (Exchange 2003's localised OOF).
_IN_HEAD = re.compile(_words((*phrases.AUTO_MARKERS, *phrases.OUT_OF_OFFICE_PHRASES)))
_WEAK_SUBJECT = _IN_HEAD
