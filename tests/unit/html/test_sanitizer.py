from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.profile import Profile
from gmail_integration.sanitizer import sanitize_html
from gmail_integration.sending.mime import build_message
from tests.unit.domain.test_commands import VALID
from tests.unit.html.hostile_html import PAYLOADS, problems_in


def test_the_inspector_sees_what_it_must_refuse() -> None:
    # Given the raw payloads, When inspected unsanitized, Then most are flagged: the check can fail.
    flagged = [p for p in PAYLOADS if problems_in(p)]
    assert len(flagged) >= 20


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_hostile_payload_survives_sanitizing(payload: str) -> None:
    cleaned = sanitize_html(payload)
    assert problems_in(cleaned) == []
    assert "javascript:" not in cleaned.lower()
    # Sanitizing is stable: what comes out is already what the parser reads, nothing left to revive.
    assert sanitize_html(cleaned) == cleaned


def test_a_signature_keeps_its_formatting_links_and_images() -> None:
    signature = (
        '<p style="color:#333;font-family:Arial">Sam <b>Seller</b><br>'
        '<a href="https://outsales.example" target="_blank">OutSales</a> · '
        '<a href="mailto:sam@outsales.example">mail</a>'
        '<img src="https://cdn.outsales.example/logo.png" alt="OutSales" width="80"></p>'
    )
    cleaned = sanitize_html(signature)
    for kept in (
        'href="https://outsales.example"',
        'href="mailto:sam@outsales.example"',
        "<b>Seller</b>",
        'width="80"',
    ):
        assert kept in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


def test_the_profile_stores_the_sanitized_signature() -> None:
    profile = Profile(signature_html='<b onclick="steal()">Sam</b><script>alert(1)</script>')
    assert profile.signature_html == "<b>Sam</b>"


TOKENS = [*"<>/=\"' !-[]abcdeimnorstx&#;:", "script", "img", "svg", "onerror", "onload", "href", "src"]
TOKENS += ["javascript:", "<!--", "-->", "--!>", "<![CDATA[", "]]>", "&#x09;", "<a ", "<img ", "<style>", "style="]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_generated_markup_never_comes_out_runnable(markup: str) -> None:
    cleaned = sanitize_html(markup)
    assert problems_in(cleaned) == []
    assert sanitize_html(cleaned) == cleaned


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_upstream_html_part_is_sanitized_before_sending(payload: str) -> None:
    command = SendEmailV1.model_validate({**VALID, "html": f"<p>Hi Pat</p>{payload}"})
    # A profile stored before the sanitizer existed: the builder cleans it again at the last step.
    stale = Profile.model_construct(display_name="Sam", signature_text="", signature_html=payload)
    raw = build_message(
        command,
        sender_email="sam@company.example",
        profile=stale,
        message_id="<m@mail.outsales.app>",
        sent_at=datetime(2026, 11, 24, tzinfo=UTC),
    )
    parsed = message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    html_part = parsed.get_body(preferencelist=("html",))
    assert html_part is not None
    sent_html = html_part.get_content()
    assert "<p>Hi Pat</p>" in sent_html
    assert problems_in(sent_html) == []
