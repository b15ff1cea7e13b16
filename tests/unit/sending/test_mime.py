from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.gmail import activity_marker
from gmail_integration.models.profile import Profile
from gmail_integration.sending.mime import ThreadRef, build_message, new_message_id, reply_subject
from tests.unit.domain.test_commands import VALID

WHEN = datetime(2026, 11, 24, 10, 5, tzinfo=UTC)
PROFILE = Profile(display_name="Sam Seller", signature_text="Sam Seller\nOutSales", signature_html="<b>Sam</b>")


def build(command: SendEmailV1, profile: Profile = PROFILE, thread: ThreadRef | None = None) -> EmailMessage:
    raw = build_message(
        command,
        sender_email="sam@company.example",
        profile=profile,
        message_id="<0123456789abcdef0123456789abcdef@mail.outsales.app>",
        sent_at=WHEN,
        thread=thread,
    )
    parsed = message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_from_to_and_both_alternatives_with_the_signature() -> None:
    message = build(SendEmailV1.model_validate(VALID))
    assert message["From"].addresses[0].display_name == "Sam Seller"
    assert message["From"].addresses[0].addr_spec == "sam@company.example"
    assert message["To"].addresses[0].display_name == "Pat Lee"
    assert message["X-OutSales-Activity"] == "0123456789abcdef0123456789abcdef"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert text.startswith("Hi Pat, ...")
    assert "\n-- \nSam Seller\nOutSales" in text
    assert "<p>Hi Pat, ...</p>" in html
    assert '<div class="outsales-signature"><b>Sam</b></div>' in html


def test_non_ascii_names_and_subjects_are_encoded_words_on_the_wire() -> None:
    command = SendEmailV1.model_validate(
        {**VALID, "subject": "Suite à notre échange 🙂", "to": {"email": "zoe@prospect.fr", "name": "Zoé Müller"}}
    )
    raw = build_message(
        command,
        sender_email="sam@company.example",
        profile=Profile(display_name="Søren Ægir"),
        message_id="<x@y>",
        sent_at=WHEN,
    )
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    assert b"=?utf-8?" in headers
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["Subject"] == "Suite à notre échange 🙂"
    assert parsed["To"].addresses[0].display_name == "Zoé Müller"
    assert parsed["From"].addresses[0].display_name == "Søren Ægir"


def test_without_html_the_html_part_is_made_from_the_text() -> None:
    command = SendEmailV1.model_validate({**{k: v for k, v in VALID.items() if k != "html"}, "text": "a < b\nline 2"})
    html = build(command).get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "a &lt; b<br>" in html
    assert "line 2" in html


def test_the_text_signature_stands_in_for_a_missing_html_signature() -> None:
    html = build(SendEmailV1.model_validate(VALID), Profile(signature_text="Sam & co")).get_body(("html",))
    assert "Sam &amp; co" in html.get_content()  # type: ignore[union-attr]


def test_no_signature_no_separator() -> None:
    text = build(SendEmailV1.model_validate(VALID), Profile()).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "-- " not in text


def test_a_follow_up_carries_the_threading_headers() -> None:
    thread = ThreadRef(gmail_thread_id="t1", message_id="<first@mail.gmail.com>", subject="Following up")
    message = build(SendEmailV1.model_validate({**VALID, "subject": "Checking in"}), thread=thread)
    assert message["In-Reply-To"] == "<first@mail.gmail.com>"
    assert message["References"] == "<first@mail.gmail.com>"
    assert message["Subject"] == "Re: Following up"


def test_references_grow_along_the_thread() -> None:
    thread = ThreadRef("t1", "<second@x>", "Re: Following up", references="<first@x>")
    message = build(SendEmailV1.model_validate(VALID), thread=thread)
    assert message["References"] == "<first@x> <second@x>"
    assert message["Subject"] == "Re: Following up"


def test_message_ids_and_the_activity_header_reveal_no_ids() -> None:
    ids = {new_message_id("d.example") for _ in range(50)}
    assert len(ids) == 50, "random, not derived"
    for message_id in ids:
        assert message_id.endswith("@d.example>")
        assert "ws_" not in message_id
        assert "act_" not in message_id
        assert activity_marker(message_id) == message_id[1:33]
    message = build(SendEmailV1.model_validate(VALID))
    assert "ws_1" not in message.as_string()
    assert "act_9" not in message.as_string()


@pytest.mark.parametrize("subject", ["Re: Hello", "RE: Hello", "re:Hello"])
def test_reply_subject_is_not_doubled(subject: str) -> None:
    assert reply_subject(subject) == subject


def test_the_builder_refuses_a_line_break_even_if_validation_was_bypassed() -> None:
    command = SendEmailV1.model_construct(**{**SendEmailV1.model_validate(VALID).__dict__, "subject": "Hi\r\nBcc: x@y"})
    with pytest.raises(ValueError, match=r"linefeed|carriage"):
        build(command)
