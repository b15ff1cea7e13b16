"""Gmail's threading rules, both ways: sent messages naming a threadId, and arriving replies."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.integration.google_emulator.emulator_helpers import PROSPECT, READONLY, REP, SEND, connect, gmail, raw

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mail"


@pytest.fixture
def api(world):
    return gmail(world.url, connect(world, REP, scopes=[SEND, READONLY]))


def _send(api, subject, headers=None, thread_id=None):
    body = {"raw": raw(REP, PROSPECT, subject, "text", headers)}
    if thread_id:
        body["threadId"] = thread_id
    return api.users().messages().send(userId="me", body=body).execute()


def _first(api, subject="Following up"):
    return _send(api, subject, {"Message-ID": "<act_7@outsales.test>"})


def test_a_follow_up_with_thread_id_references_and_subject_joins_the_thread(api) -> None:
    first = _first(api)
    follow = _send(
        api,
        "Re: Following up",
        {"In-Reply-To": "<act_7@outsales.test>", "References": "<act_7@outsales.test>"},
        first["threadId"],
    )
    assert follow["threadId"] == first["threadId"]
    thread = api.users().threads().get(userId="me", id=first["threadId"], format="minimal").execute()
    assert [m["id"] for m in thread["messages"]] == [first["id"], follow["id"]]


def test_thread_id_without_references_starts_a_new_thread(api) -> None:
    first = _first(api)
    follow = _send(api, "Re: Following up", thread_id=first["threadId"])
    assert follow["threadId"] != first["threadId"]
    assert follow["threadId"] == follow["id"]


def test_thread_id_with_another_subject_starts_a_new_thread(api) -> None:
    first = _first(api)
    refs = {"In-Reply-To": "<act_7@outsales.test>", "References": "<act_7@outsales.test>"}
    follow = _send(api, "Something else entirely", refs, first["threadId"])
    assert follow["threadId"] != first["threadId"]


def test_references_without_thread_id_start_a_new_thread(api) -> None:
    first = _first(api)
    refs = {"In-Reply-To": "<act_7@outsales.test>", "References": "<act_7@outsales.test>"}
    assert _send(api, "Re: Following up", refs)["threadId"] != first["threadId"]


def test_an_unknown_thread_id_is_404(api) -> None:
    from googleapiclient.errors import HttpError

    with pytest.raises(HttpError) as raised:
        _send(api, "Hi", thread_id="18c0000000000000")
    assert raised.value.status_code == 404


def test_a_prospects_reply_joins_by_in_reply_to_and_subject(world, api) -> None:
    first = _first(api)
    reply = world.deliver(
        REP,
        **{
            "from": "Pat Lee <pat@prospect.test>",
            "subject": "RE: Following up",
            "in_reply_to": "<act_7@outsales.test>",
        },
    )
    assert reply["threadId"] == first["threadId"]
    got = api.users().messages().get(userId="me", id=reply["id"], format="metadata").execute()
    headers = {h["name"]: h["value"] for h in got["payload"]["headers"]}
    assert headers["References"] == "<act_7@outsales.test>"
    assert got["labelIds"] == ["INBOX", "UNREAD"]


def test_a_reply_with_a_new_subject_or_no_reference_is_a_new_conversation(world, api) -> None:
    first = _first(api)
    changed = world.deliver(REP, **{"from": PROSPECT, "subject": "New topic", "in_reply_to": "<act_7@outsales.test>"})
    unrelated = world.deliver(REP, **{"from": PROSPECT, "subject": "Re: Following up", "text": "no headers"})
    assert changed["threadId"] != first["threadId"]
    assert unrelated["threadId"] != first["threadId"]


def test_an_auto_reply_with_a_prefixed_subject_joins(world, api) -> None:
    first = _first(api)
    auto = world.deliver(
        REP,
        **{
            "from": PROSPECT,
            "subject": "Automatic reply: Following up",
            "in_reply_to": "<act_7@outsales.test>",
            "headers": {"Auto-Submitted": "auto-replied"},
        },
    )
    assert auto["threadId"] == first["threadId"]


def test_a_gmail_bounce_that_refers_to_the_message_joins_despite_its_subject(world, api) -> None:
    fixture = (FIXTURES / "bounce-gmail-address-not-found.eml").read_bytes()
    original = "<CAByYQsHoD+W5rSuhuhywef6ctb4__6whKo4VQCZk+LSM+HUZNA@mail.gmail.example.com>"
    first = _send(api, "Nyaan", {"Message-ID": original})
    bounce = world.deliver(REP, raw=base64.urlsafe_b64encode(fixture).decode())
    assert bounce["threadId"] == first["threadId"]


def test_the_prospect_sees_a_follow_up_in_the_same_conversation(world, api) -> None:
    first = _first(api)
    _send(
        api,
        "Re: Following up",
        {"In-Reply-To": "<act_7@outsales.test>", "References": "<act_7@outsales.test>"},
        first["threadId"],
    )
    received = world.messages(PROSPECT)
    assert len(received) == 2
    assert received[0]["threadId"] == received[1]["threadId"]


def test_a_bounce_given_as_fields_is_a_delivery_report_in_the_thread(world, api) -> None:
    first = _first(api)
    bounce = world.deliver(REP, kind="bounce", in_reply_to="<act_7@outsales.test>")
    assert bounce["threadId"] == first["threadId"]
    got = api.users().messages().get(userId="me", id=bounce["id"], format="metadata").execute()
    headers = {h["name"]: h["value"] for h in got["payload"]["headers"]}
    assert got["payload"]["mimeType"] == "multipart/report"
    assert headers["X-Failed-Recipients"] == PROSPECT
    assert headers["From"].endswith("<mailer-daemon@googlemail.com>")


def test_an_auto_reply_given_as_fields(world, api) -> None:
    first = _first(api)
    auto = world.deliver(REP, kind="auto_reply", **{"from": PROSPECT, "in_reply_to": "<act_7@outsales.test>"})
    assert auto["threadId"] == first["threadId"]
    got = api.users().messages().get(userId="me", id=auto["id"], format="metadata").execute()
    headers = {h["name"]: h["value"] for h in got["payload"]["headers"]}
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["Subject"] == "Automatic reply: Following up"
