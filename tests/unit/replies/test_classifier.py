"""Cases the fixtures do not cover: each signal on its own, the near misses a person can write, and Gmail's JSON."""

from __future__ import annotations

import dataclasses

import pytest

from gmail_integration.replies.classifier import (
    CLASSIFIER_HEADERS,
    MessageFacts,
    ReplyKind,
    classify,
    facts_from_gmail,
    facts_from_rfc822,
)

PROSPECT = "Dana Prospect <dana@acme.example>"
DSN = 'multipart/report; report-type=delivery-status; boundary="b1"'


def kind(mime_type: str = "", parts: tuple[str, ...] = (), **headers: str) -> ReplyKind:
    """Headers as keyword arguments, underscores for hyphens; From defaults to a person."""
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    named.setdefault("From", PROSPECT)
    return classify(MessageFacts(headers=named, mime_type=mime_type, part_mime_types=parts))


# --- replies that carry automation-looking headers or words ---------------------------------------------------------


def test_a_plain_human_reply_is_a_reply() -> None:
    assert kind(Subject="Re: Pricing for Acme", Return_Path="<dana@acme.example>") == ReplyKind.REPLY


def test_auto_submitted_no_is_a_person() -> None:
    assert kind(Subject="Re: Pricing", Auto_Submitted="no") == ReplyKind.REPLY
    assert kind(Subject="Re: Pricing", Auto_Submitted="No (sent by a person)") == ReplyKind.REPLY


def test_x_auto_response_suppress_alone_is_not_a_signal() -> None:
    """Outlook and bulk senders set it on ordinary mail: it asks others not to auto-answer."""
    assert kind(Subject="RE: Pricing", X_Auto_Response_Suppress="All") == ReplyKind.REPLY
    assert kind(Subject="RE: Pricing", X_Auto_Response_Suppress="DR, RN, NRN, OOF, AutoReply") == ReplyKind.REPLY


@pytest.mark.parametrize("subject", ["Re: Out of office plans?", "RE: Our out of office policy", "AW: Urlaub"])
def test_out_of_office_words_behind_a_reply_prefix_are_the_persons_own(subject: str) -> None:
    assert kind(Subject=subject) == ReplyKind.REPLY


@pytest.mark.parametrize("precedence", ["list", "bulk", "junk"])
def test_a_human_reply_through_a_mailing_list_is_a_reply(precedence: str) -> None:
    for subject in ("Re: Pricing", "Re: Out of office plans?"):
        assert kind(Subject=subject, Precedence=precedence, List_Id="<sales.lists.acme.example>") == ReplyKind.REPLY


@pytest.mark.parametrize("precedence", ["bulk", "junk", "list", "first-class"])
def test_precedence_other_than_auto_reply_alone_is_not_a_signal(precedence: str) -> None:
    assert kind(Subject="Re: Pricing", Precedence=precedence) == ReplyKind.REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Absence management for your team",  # a sales subject kept as is by a client that adds no "Re:"
        "Vacation rentals partnership",
        "Absent-minded question",
        "Auto parts pricing",
        "Automation question",
        "Autosave does not work",
        "Re: Undeliverable packages",  # a failure word behind the person's own reply prefix
        "Delivered: thanks!",
        "",
    ],
)
def test_subjects_a_person_writes_stay_replies(subject: str) -> None:
    assert kind(Subject=subject, Return_Path="<dana@acme.example>") == ReplyKind.REPLY


# --- automatic replies ------------------------------------------------------------------------------------------------


def test_exchange_automatic_reply_with_suppress_and_auto_submitted() -> None:
    assert (
        kind(
            Subject="Automatic reply: Pricing for Acme",
            Auto_Submitted="auto-generated",
            X_Auto_Response_Suppress="All",
            Return_Path="<>",
        )
        == ReplyKind.AUTO_REPLY
    )


@pytest.mark.parametrize(
    "value", ["auto-replied", "auto-generated", "auto-notified", "auto-replied (vacation)", "AUTO-REPLIED", "auto-x"]
)
def test_auto_submitted_other_than_no_is_an_auto_reply(value: str) -> None:
    assert kind(Subject="Re: Pricing", Auto_Submitted=value) == ReplyKind.AUTO_REPLY


def test_x_autoreply_and_x_autorespond() -> None:
    assert kind(Subject="Re: Pricing", X_Autoreply="yes") == ReplyKind.AUTO_REPLY
    assert kind(Subject="Re: Pricing", X_Autorespond="Thank you for your message") == ReplyKind.AUTO_REPLY
    assert kind(Subject="Re: Pricing", X_Autoreply="no") == ReplyKind.REPLY


@pytest.mark.parametrize("value", ["auto_reply", "Auto_Reply", "auto-reply"])
def test_precedence_auto_reply(value: str) -> None:
    assert kind(Subject="Re: Pricing", Precedence=value) == ReplyKind.AUTO_REPLY


def test_a_null_return_path_alone_is_a_notification_not_a_person() -> None:
    assert kind(Subject="Re: Pricing", Return_Path="<>") == ReplyKind.AUTO_REPLY
    assert kind(Subject="Re: Pricing", Return_Path="< >") == ReplyKind.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Pricing for Acme",
        "Automatic Reply",
        "Auto-Reply: Pricing",
        "AUTOREPLY",
        "Auto reply - Pricing",
        "Auto: Pricing",
        "AUTO: Dana Prospect is out of the office (returning 05/03/2027)",
        "Out of Office: back on Monday",
        "Out of Office AutoReply: Pricing",
        "Out-of-office",
        "OUT OF THE OFFICE until 3 May",
        "I am out of the office until May 3",
        "I\u2019m out of the office",
        "Away from my desk",
        "Vacation",
        "Absence: back on 3 May",
        "OOO until Monday",
        "Abwesenheitsnotiz: Preise",
        "Automatische Antwort: Preise",
        "Réponse automatique : Tarifs",
        "Reponse automatique: Tarifs",
        "Risposta automatica: Prezzi",
        "Respuesta automática: Precios",
        "Fuera de la oficina",
        "Automatisch antwoord: Prijzen",
        "Afwezig",
        "Autosvar: Priser",
        "[Auto-Reply] Pricing",
        "(Automatic reply) Pricing",
        "Re: Pricing (Automatic Response)",
        "Re: Pricing [Out of Office]",
        "Автоматический ответ: Цены",
        "自动答复: 价格",
        "自動応答\uff1a価格",  # fullwidth colon, as Japanese Outlook writes it
    ],
)
def test_out_of_office_subjects_alone_are_auto_replies(subject: str) -> None:
    assert kind(Subject=subject) == ReplyKind.AUTO_REPLY


def test_out_of_office_words_mid_subject_count_only_with_bulk_precedence_off_a_list() -> None:
    subject = "Re: Pricing - I am out of the office until Monday"
    assert kind(Subject=subject) == ReplyKind.REPLY
    assert kind(Subject=subject, Precedence="bulk") == ReplyKind.AUTO_REPLY
    assert kind(Subject=subject, Precedence="junk") == ReplyKind.AUTO_REPLY
    assert kind(Subject=subject, Precedence="list") == ReplyKind.REPLY
    assert kind(Subject=subject, Precedence="bulk", List_Id="<sales.lists.acme.example>") == ReplyKind.REPLY


def test_a_read_receipt_is_not_a_reply_nor_a_bounce() -> None:
    content_type = 'multipart/report; report-type=disposition-notification; boundary="b2"'
    assert kind(Subject="Read: Pricing", Content_Type=content_type) == ReplyKind.AUTO_REPLY
    assert kind(mime_type="multipart/report", Subject="Read: Pricing") == ReplyKind.AUTO_REPLY


# --- bounces ----------------------------------------------------------------------------------------------------------


def test_postmaster_sender_without_a_dsn_is_a_bounce() -> None:
    assert (
        kind(From="postmaster@acme.example", Subject="Delivery failure", Content_Type="text/plain; charset=us-ascii")
        == ReplyKind.BOUNCE
    )
    assert kind(From="Postmaster <POSTMASTER@acme.example>", Subject="Message rejected") == ReplyKind.BOUNCE


def test_qmail_failure_notice() -> None:
    assert kind(From="MAILER-DAEMON@mx1.acme.example", Subject="failure notice", Return_Path="<>") == ReplyKind.BOUNCE


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON",
        "MAILER-DAEMON (Mail Delivery System)",
        "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        "Microsoft Outlook <postmaster@outlook.com>",
        '"Mail Delivery System" <Mailer-Daemon@mx.acme.example>',
    ],
)
def test_daemon_senders_are_bounces(sender: str) -> None:
    assert kind(From=sender, Subject="Re: Pricing") == ReplyKind.BOUNCE


def test_a_person_whose_address_merely_contains_postmaster_is_not_a_daemon() -> None:
    assert kind(From="Pat <pat.postmaster@acme.example>", Subject="Re: Pricing") == ReplyKind.REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Undeliverable: Pricing",
        "Undelivered Mail Returned to Sender",
        "Delivery Status Notification (Failure)",
        "Mail delivery failed: returning message to sender",
        "Returned mail: see transcript for details",
        "Failure Notice",
        "Unzustellbar: Preise",
        "Non remis : Tarifs",
    ],
)
def test_a_failure_subject_from_a_machine_is_a_bounce(subject: str) -> None:
    relay = "Mail Delivery <noreply@relay.acme.example>"
    assert kind(From=relay, Subject=subject, Return_Path="<>") == ReplyKind.BOUNCE
    assert kind(From=relay, Subject=subject, Auto_Submitted="auto-replied") == ReplyKind.BOUNCE
    # From an ordinary address the wording alone proves no failure, but it is a machine's, never the prospect's.
    assert kind(From=relay, Subject=subject, Return_Path="<relay@acme.example>") == ReplyKind.AUTO_REPLY


def test_x_failed_recipients_is_a_bounce() -> None:
    assert kind(Subject="Re: Pricing", X_Failed_Recipients="dana@acme.example") == ReplyKind.BOUNCE
    assert kind(Subject="Re: Pricing", X_Failed_Recipients=" ") == ReplyKind.REPLY


def test_a_delivery_report_is_recognised_from_the_header_the_mime_type_or_the_parts() -> None:
    assert kind(Subject="Report", Content_Type=DSN) == ReplyKind.BOUNCE
    assert kind(Subject="Report", Content_Type='multipart/report; report-type="global-delivery-status"') == (
        ReplyKind.BOUNCE
    )
    assert kind(mime_type="multipart/report", parts=("text/plain", "message/delivery-status")) == ReplyKind.BOUNCE
    assert kind(mime_type="message/delivery-status") == ReplyKind.BOUNCE


def test_a_bounce_wins_over_its_own_auto_reply_signals() -> None:
    assert (
        kind(Subject="Report", Content_Type=DSN, Auto_Submitted="auto-replied", Precedence="bulk", X_Autoreply="yes")
        == ReplyKind.BOUNCE
    )


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Delivery Status Notification (Delay)"),
        ("MAILER-DAEMON@mx.acme.example", "Delayed Mail (still being retried)"),
        ("Microsoft Outlook <postmaster@outlook.com>", "Delivery delayed:Pricing"),
        ("Microsoft Outlook <postmaster@outlook.com>", "Delivered: Pricing"),
        ("Microsoft Outlook <postmaster@outlook.com>", "Relayed: Pricing"),
    ],
)
def test_delay_and_success_notices_are_not_bounces(sender: str, subject: str) -> None:
    """The mail arrived or may still arrive; a real failure notice follows if it does not."""
    assert kind(From=sender, Subject=subject, Content_Type=DSN) == ReplyKind.AUTO_REPLY


# --- header names and facts -------------------------------------------------------------------------------------------


def test_header_names_match_in_any_case_and_the_first_spelling_wins() -> None:
    assert classify(MessageFacts(headers={"SUBJECT": "Re: Pricing", "auto-submitted": "AUTO-REPLIED"})) == (
        ReplyKind.AUTO_REPLY
    )
    assert classify(MessageFacts(headers={"Auto-Submitted": "no", "AUTO-SUBMITTED": "auto-replied"})) == (
        ReplyKind.REPLY
    )


def test_classifier_headers_are_distinct() -> None:
    assert len({name.lower() for name in CLASSIFIER_HEADERS}) == len(CLASSIFIER_HEADERS)


# One message per requested header whose answer changes when that header alone is taken away: none is spare.
NEEDED = {
    "From": {"From": "MAILER-DAEMON@mx.acme.example", "Subject": "Re: Pricing"},
    "Subject": {"Subject": "Automatic reply: Pricing"},
    "Auto-Submitted": {"Subject": "Re: Pricing", "Auto-Submitted": "auto-replied"},
    "X-Autoreply": {"Subject": "Re: Pricing", "X-Autoreply": "yes"},
    "X-Autorespond": {"Subject": "Re: Pricing", "X-Autorespond": "Thanks"},
    "Precedence": {"Subject": "Re: Pricing", "Precedence": "auto_reply"},
    "X-Failed-Recipients": {"Subject": "Re: Pricing", "X-Failed-Recipients": "dana@acme.example"},
    "Return-Path": {"Subject": "Re: Pricing", "Return-Path": "<>"},
    "Content-Type": {"Subject": "Report", "Content-Type": DSN},
    "List-Id": {"Subject": "Re: Pricing - out of office", "Precedence": "bulk", "List-Id": "<l.acme.example>"},
    "X-Loop": {"Subject": "Re: Pricing", "X-Loop": "support@acme.example"},
}


@pytest.mark.parametrize("name", CLASSIFIER_HEADERS)
def test_every_requested_header_decides_some_message(name: str) -> None:
    headers = {"From": PROSPECT, **NEEDED[name]}
    without = {header: value for header, value in headers.items() if header != name}
    assert classify(MessageFacts(headers=headers)) != classify(MessageFacts(headers=without))


GMAIL_DSN = {
    "id": "18c3f0a2b4d5e6f7",
    "threadId": "18c3ef9a0b1c2d3e",
    "labelIds": ["UNREAD", "CATEGORY_UPDATES", "INBOX"],
    "sizeEstimate": 10444,
    "historyId": "9876543",
    "internalDate": "1764065523000",
    "payload": {
        "partId": "",
        "mimeType": "multipart/report",
        "filename": "",
        "headers": [
            {"name": "Return-Path", "value": "<>"},
            {"name": "From", "value": "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"},
            {"name": "Subject", "value": "Delivery Status Notification (Failure)"},
            {"name": "Auto-Submitted", "value": "auto-replied"},
            {"name": "X-Failed-Recipients", "value": "dana@acme.example"},
            {
                "name": "Content-Type",
                "value": 'multipart/report; boundary="000000000000a1b2c3"; report-type=delivery-status',
            },
            {"name": "Return-Path", "value": "<mailer-daemon@googlemail.com>"},
        ],
        "body": {"size": 0},
    },
}


def test_facts_from_a_gmail_metadata_answer() -> None:
    facts = facts_from_gmail(GMAIL_DSN)
    assert facts.label_ids == frozenset({"UNREAD", "CATEGORY_UPDATES", "INBOX"})
    assert facts.mime_type == "multipart/report"
    assert facts.part_mime_types == ()
    assert facts.headers["Return-Path"] == "<>"  # the first occurrence
    assert facts.headers["Content-Type"].startswith("multipart/report;")
    assert classify(facts) == ReplyKind.BOUNCE


def test_facts_from_gmail_with_parts_encoded_words_and_folded_values() -> None:
    answer = {
        "id": "18c3f0a2b4d5e6f8",
        "threadId": "18c3ef9a0b1c2d3e",
        "labelIds": ["INBOX"],
        "payload": {
            "mimeType": "multipart/alternative",
            "headers": [
                {"name": "from", "value": "=?UTF-8?Q?Ren=C3=A9e?= <renee@acme.example>"},
                {"name": "subject", "value": "=?UTF-8?Q?R=C3=A9ponse_automatique_:_Pricing?="},
                {"name": "content-type", "value": 'multipart/alternative;\r\n\tboundary="b3"'},
            ],
            "parts": [{"partId": "0", "mimeType": "text/plain"}, {"partId": "1", "mimeType": "text/html"}],
        },
    }
    facts = facts_from_gmail(answer)
    assert facts.headers == {
        "from": "Renée <renee@acme.example>",
        "subject": "Réponse automatique : Pricing",
        "content-type": 'multipart/alternative; boundary="b3"',
    }
    assert facts.part_mime_types == ("text/plain", "text/html")
    assert classify(facts) == ReplyKind.AUTO_REPLY


def test_facts_from_a_gmail_answer_without_payload_are_a_reply() -> None:
    facts = facts_from_gmail({"id": "x", "threadId": "y"})
    assert facts == MessageFacts(headers={})
    assert classify(facts) == ReplyKind.REPLY


def test_facts_from_rfc822_keep_requested_headers_unfolded_and_decoded() -> None:
    raw = (
        b"Received: from mx.acme.example by mx.google.com\r\n"
        b"From: Dana Prospect <dana@acme.example>\r\n"
        b"Subject: =?UTF-8?Q?Abwesenheitsnotiz:_Preise_f=C3=BCr?=\r\n"
        b" Acme\r\n"
        b"X-Auto-Response-Suppress: All\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="b4"\r\n'
        b"\r\n"
        b"--b4\r\nContent-Type: text/plain\r\n\r\nnot read\r\n"
        b"--b4\r\nContent-Type: text/html\r\n\r\n<p>not read</p>\r\n--b4--\r\n"
    )
    facts = facts_from_rfc822(raw)
    assert facts.headers == {
        "From": "Dana Prospect <dana@acme.example>",
        "Subject": "Abwesenheitsnotiz: Preise für Acme",
        "Content-Type": 'multipart/alternative; boundary="b4"',
    }
    assert facts.mime_type == "multipart/alternative"
    assert facts.part_mime_types == ("text/plain", "text/html")
    assert classify(facts) == ReplyKind.AUTO_REPLY
    assert classify(dataclasses.replace(facts, headers={**facts.headers, "Subject": "Re: Preise"})) == ReplyKind.REPLY


def test_reply_kind_values_are_the_stored_strings() -> None:
    assert [str(k) for k in ReplyKind] == ["reply", "auto_reply", "bounce"]
