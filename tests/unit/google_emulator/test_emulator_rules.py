"""Pure rules of the emulator: subjects and references for threading, header edits, field masks, quota buckets."""

from __future__ import annotations

import pytest

from google_emulator import compose
from google_emulator.conversation import is_delivery_report, normalise_subject, referenced_ids
from google_emulator.gmail import fields
from google_emulator.gmail.search import matches
from google_emulator.mailbox import Mailbox, parse
from google_emulator.quota import QuotaBook, units


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Following up", "following up"),
        ("RE: re: Fwd: Following   up", "following up"),
        ("AW: Following up", "following up"),
        ("Automatic reply: Following up", "following up"),
        ("Re[2]: Following up", "following up"),
        ("Following up", "following up"),
        ("Regarding: Following up", "regarding: following up"),
        ("Auto reply: Following up", "following up"),  # iCloud
        ("Automatische Antwort: Following up", "following up"),  # Exchange, German
        ("Réponse automatique : Following up", "following up"),  # French spacing before the colon
        ("Respuesta automática: Following up", "following up"),
        ("Risposta automatica: Following up", "following up"),
        ("Automatisch antwoord: Following up", "following up"),
        ("SV: VS: Odp: Following up", "following up"),
        ("Out of Office AutoReply: Following up", "following up"),
        ("自動返信\uff1aFollowing up", "following up"),  # Japanese, full-width colon
        ("Autopilot: Following up", "autopilot: following up"),
        ("Vacation: Following up", "vacation: following up"),  # a responder's own heading is not a prefix
    ],
)
def test_reply_prefixes_are_ignored_when_comparing_subjects(subject: str, expected: str) -> None:
    assert normalise_subject(subject) == expected


def test_referenced_ids_nearest_parent_first() -> None:
    message = parse(b"In-Reply-To: <c@x>\r\nReferences: <a@x> <b@x>\r\n <c@x>\r\nSubject: s\r\n\r\nbody")
    assert referenced_ids(message) == ["<c@x>", "<b@x>", "<a@x>"]


def test_delivery_reports_are_recognised_by_content_type_or_sender() -> None:
    report = parse(b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b--\r\n')
    daemon = parse(b"From: Mail Delivery Subsystem <MAILER-DAEMON@example.com>\r\n\r\nx")
    person = parse(b"From: Pat <pat@example.com>\r\n\r\nx")
    assert is_delivery_report(report)
    assert is_delivery_report(daemon)
    assert not is_delivery_report(person)


def test_header_edits_leave_the_body_bytes_alone() -> None:
    raw = b"From: a@x\r\nSubject: long\r\n  folded\r\nMessage-ID: <old@x>\r\n\r\n=E2=82=AC body\r\n"
    edited = compose.set_header(raw, "Message-ID", "<new@x>")
    assert edited.endswith(b"\r\n\r\n=E2=82=AC body\r\n")
    assert b"<old@x>" not in edited
    assert b"Subject: long\r\n  folded" in edited
    assert compose.set_header(edited, "Bcc", None) == edited


def test_stamping_rewrites_a_foreign_from_and_adds_a_message_id() -> None:
    stamped = compose.stamp_sent(b"From: Rita <other@x>\r\nTo: p@x\r\n\r\nhi", "rep@outsales.test", "Rita", False)
    message = parse(stamped)
    assert message["From"] == "Rita <rep@outsales.test>"
    assert str(message["Message-ID"]).endswith("@mail.gmail.com>")
    assert message["Date"]


def test_fields_masks_select_nested_parts() -> None:
    answer = {"messages": [{"id": "1", "threadId": "t", "x": 1}], "nextPageToken": "n", "resultSizeEstimate": 1}
    assert fields.apply(answer, fields.parse("messages(id,threadId),nextPageToken")) == {
        "messages": [{"id": "1", "threadId": "t"}],
        "nextPageToken": "n",
    }
    assert fields.apply(answer, fields.parse("messages/id")) == {"messages": [{"id": "1"}]}
    with pytest.raises(fields.FieldsError):
        fields.parse("messages(id")


def test_the_quota_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    book = QuotaBook()
    assert book.charge("u", 100, 250, 2, now=0.0) is None
    assert book.charge("u", 100, 250, 2, now=0.0) is None
    assert book.charge("u", 250, 250, 2, now=0.0) is None
    assert book.charge("u", 100, 250, 2, now=0.0) == 1
    assert book.charge("u", 100, 250, 2, now=0.5) is None
    assert units("gmail.users.messages.send") == 100
    assert units("gmail.users.history.list") == 2


def test_the_daily_window_frees_a_day_after_the_oldest_send() -> None:
    book = QuotaBook()
    book.record_send("u", 10.0)
    book.record_send("u", 20.0)
    assert book.send_allowed("u", 2, 30.0) == 10.0 + 86_400
    assert book.send_allowed("u", 2, 86_411.0) is None


def test_search_terms() -> None:
    mailbox = Mailbox("rep@x", iter(range(1, 100)).__next__)
    stored = mailbox.add(
        b"From: Pat <pat@p.test>\r\nSubject: Pricing\r\nMessage-ID: <m1@p>\r\n\r\nLet us talk", ["INBOX"], None, 1
    )
    assert matches(stored, "from:pat@p.test subject:pricing")
    assert matches(stored, "rfc822msgid:m1@p")
    assert matches(stored, '"us talk" -is:unread')
    assert not matches(stored, "in:sent")
