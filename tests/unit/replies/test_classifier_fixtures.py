"""Real auto-replies, bounces and human replies from public test corpora, each classified as its manifest expects.

The corpora live in the repository (``tests/fixtures/mail*/``, with their licence notes). If one is missing,
collection fails: a silent skip would let the classifier drift with nothing checking it against real mail.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from gmail_integration.replies.classifier import (
    CLASSIFIER_HEADERS,
    MessageFacts,
    ReplyKind,
    classify,
    facts_from_gmail,
    facts_from_rfc822,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CORPORA = ("mail", "mail-2", "mail-3", "mail-4", "mail-5", "mail-6")


def _manifest(corpus: str) -> list[dict[str, str]]:
    path = FIXTURES / corpus / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"mail fixtures missing: {path} (part of the repository, never skipped)")
    entries: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return entries


MANIFESTS = {corpus: _manifest(corpus) for corpus in CORPORA}
CASES = [
    pytest.param(f"{corpus}/{entry['file']}", ReplyKind(entry["expected"]), id=f"{corpus}/{entry['file']}")
    for corpus, entries in MANIFESTS.items()
    for entry in entries
]


def raw(name: str) -> bytes:
    """``name`` is ``<corpus>/<file>``; a bare file name is taken from the first corpus."""
    return (FIXTURES / (name if "/" in name else f"mail/{name}")).read_bytes()


def _parsed(header: str, value: str) -> str:
    """A header as Gmail hands it over, unfolded and decoded; one Python cannot parse stays as written.

    Real mail has headers the email package chokes on (sprynet's ``To: unlisted-recipients:; (no To-header on
    input)``); Gmail still returns them, so a test must not fail on a header the classifier never reads.
    """
    try:
        text = str(policy.default.header_fetch_parse(header, value))
    except (AttributeError, IndexError, TypeError, ValueError):
        text = value
    return " ".join(text.split())


@pytest.mark.parametrize("corpus", CORPORA)
def test_manifest_and_directory_list_the_same_messages_of_every_kind(corpus: str) -> None:
    listed = [entry["file"] for entry in MANIFESTS[corpus]]
    assert len(listed) == len(set(listed))
    assert set(listed) == {path.name for path in (FIXTURES / corpus).glob("*.eml")}
    assert {ReplyKind(entry["expected"]) for entry in MANIFESTS[corpus]} == set(ReplyKind)
    assert all(entry.get("license") for entry in MANIFESTS[corpus]), "every sample names its licence"


@pytest.mark.parametrize("corpus", CORPORA)
def test_every_sample_says_where_it_comes_from_and_why_it_has_its_label_and_is_unchanged(corpus: str) -> None:
    for entry in MANIFESTS[corpus]:
        assert "/" in entry["source"].partition(":")[0], f"{entry['file']}: source is owner/repo:path"
        assert entry["producer"], entry["file"]
        assert entry.get("label_basis") or entry.get("note"), f"{entry['file']}: says why it has its label"
        if "sha256" in entry:
            digest = hashlib.sha256((FIXTURES / corpus / entry["file"]).read_bytes()).hexdigest()
            assert digest == entry["sha256"], f"{entry['file']} differs from the copy its manifest describes"


@pytest.mark.parametrize(("name", "expected"), CASES)
def test_fixture_is_classified_as_expected(name: str, expected: ReplyKind) -> None:
    assert classify(facts_from_rfc822(raw(name))) == expected


@pytest.mark.parametrize(("name", "expected"), CASES)
def test_headers_alone_suffice_as_gmail_metadata_may_give_no_parts_and_no_mime_type(
    name: str, expected: ReplyKind
) -> None:
    facts = dataclasses.replace(facts_from_rfc822(raw(name)), mime_type="", part_mime_types=())
    assert classify(facts) == expected


@pytest.mark.parametrize(("name", "expected"), CASES)
def test_no_header_outside_the_requested_list_changes_the_answer(name: str, expected: ReplyKind) -> None:
    message = message_from_bytes(raw(name), policy=policy.default)
    every_header: dict[str, str] = {}
    for header, value in message.raw_items():
        every_header.setdefault(header, _parsed(header, value))
    facts = facts_from_rfc822(raw(name))
    assert classify(dataclasses.replace(facts, headers=every_header)) == expected


@pytest.mark.parametrize("with_parts", [False, True], ids=["no-parts", "parts"])
@pytest.mark.parametrize(("name", "expected"), CASES)
def test_the_same_message_as_a_gmail_metadata_answer_is_classified_the_same(
    name: str, expected: ReplyKind, with_parts: bool
) -> None:
    """Header order and repeats as in the message (the Gmail DSN has two Return-Path headers), first one wins;
    ``payload.parts`` as Gmail may or may not give them, with their types only."""
    message = message_from_bytes(raw(name), policy=policy.default)
    wanted = {header.lower() for header in CLASSIFIER_HEADERS}
    answer = {
        "id": "18c0000000000001",
        "threadId": "18c0000000000000",
        "labelIds": ["UNREAD", "INBOX"],
        "payload": {
            "mimeType": message.get_content_type(),
            "headers": [
                {"name": header, "value": _parsed(header, value)}
                for header, value in message.raw_items()
                if header.lower() in wanted
            ],
        },
    }
    if with_parts and message.is_multipart():
        answer["payload"]["parts"] = [
            {"partId": str(index), "mimeType": part.get_content_type()}
            for index, part in enumerate(message.iter_parts())
        ]
    assert classify(facts_from_gmail(answer)) == expected


def test_facts_from_a_real_dsn_keep_only_the_requested_headers_and_the_mime_structure() -> None:
    facts = facts_from_rfc822(raw("bounce-gmail-address-not-found.eml"))
    assert {name.lower() for name in facts.headers} <= {name.lower() for name in CLASSIFIER_HEADERS}
    assert "Received" not in facts.headers
    assert facts.headers["Return-Path"] == "<>"
    assert facts.headers["From"] == "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"
    assert facts.mime_type == "multipart/report"
    assert facts.part_mime_types == ("multipart/related", "message/delivery-status", "message/rfc822")
    assert facts.label_ids == frozenset()


def test_an_encoded_localised_subject_is_decoded() -> None:
    facts = facts_from_rfc822(raw("auto_reply-wp-pl-autoresponder-precedence-junk.eml"))
    assert facts.headers["Subject"] == "[Automatyczna odpowiedź] test"


def test_the_exchange_out_of_office_is_recognised_by_its_subject_and_null_sender_alone() -> None:
    """No Auto-Submitted at all: without the subject rule and the null Return-Path it would count as a reply."""
    facts = facts_from_rfc822(raw("auto_reply-exchange2010-automatic-reply.eml"))
    assert "auto-submitted" not in {name.lower() for name in facts.headers}
    no_subject = {name: value for name, value in facts.headers.items() if name.lower() != "subject"}
    assert classify(MessageFacts(headers=no_subject)) == ReplyKind.AUTO_REPLY
    no_return_path = {name: value for name, value in facts.headers.items() if name.lower() != "return-path"}
    assert classify(MessageFacts(headers=no_return_path)) == ReplyKind.AUTO_REPLY
    only_sender = {name: value for name, value in facts.headers.items() if name.lower() == "from"}
    assert classify(MessageFacts(headers=only_sender)) == ReplyKind.REPLY
