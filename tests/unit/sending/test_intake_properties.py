"""Generated send-queue messages through the intake, the send use case and the real MIME builder.

Arbitrary Unicode in every field, odd sizes, wrong types, missing and duplicate keys: each message ends in exactly
one visible state (sent once, failed with a reason and dead-lettered, or parked) or asks for a retry, and no email
is ever left SENDING.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmail_integration.models.domain import EmailStatus
from gmail_integration.models.gmail_errors import GmailError
from gmail_integration.models.profile import Profile
from gmail_integration.observability import metrics
from gmail_integration.sending.intake import ProcessSendMessage
from gmail_integration.sending.send_email import RetryLaterError, SendEmail, SendOutcome
from tests.unit.domain.test_commands import VALID
from tests.unit.fakes import FakeClock, FakeDeadLetters, FakeEvents
from tests.unit.sending.fakes import FakeGmail, SendWorld
from tests.unit.sending.test_send_email import CONNECTED, FIRST, FakePostponer

FIELDS = [k for k in FIRST if k != "version"]
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=300)
ODD_TEXT = st.one_of(
    ANY_TEXT,
    st.text(st.sampled_from("\u2028\u2029\u0085\r\n\t\x00\x1b\u200b\ufeff\u202e é漢😀<>\"'&;:@."), max_size=50),
    st.just("x" * 2000),
)
ANY_VALUE = st.one_of(
    ODD_TEXT, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(), st.lists(st.integers(), max_size=3)
)


@st.composite
def messages(draw: st.DrawFn) -> str:
    message: dict[str, Any] = json.loads(json.dumps(FIRST))
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        if key == "to":
            message["to"] = draw(st.one_of(ANY_VALUE, st.fixed_dictionaries({"email": ODD_TEXT, "name": ODD_TEXT})))
        else:
            message[key] = draw(ANY_VALUE)
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)):
        message.pop(key, None)
    body = json.dumps(message, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()) and body.endswith("}"):
        # A duplicate key, as a hostile producer writes it (json.dumps cannot).
        key = draw(st.sampled_from([*FIELDS, "version"]))
        body = body[:-1] + f", {json.dumps(key)}: {json.dumps(draw(ODD_TEXT))}}}"
    return body


def harness() -> tuple[ProcessSendMessage, SendWorld, FakeGmail, FakeDeadLetters]:
    metrics.clear_metrics()  # hundreds of examples in one test would overflow Powertools' 100-metric buffer
    clock = FakeClock()
    world = SendWorld(clock=clock, connection=CONNECTED, profile=Profile(display_name="Sam", signature_text="Sam"))
    gmail, dead = FakeGmail(), FakeDeadLetters()
    send = SendEmail(
        contexts=world,
        ledger=world.ledger,
        gmail=gmail,
        mailboxes=world,
        events=FakeEvents(),
        clock=clock,
        message_id_domain="mail.outsales.app",
    )
    process = ProcessSendMessage(
        send_email=send, ledger=world.ledger, dead_letters=dead, postponer=FakePostponer([]), clock=clock
    )
    return process, world, gmail, dead


TRIED: list[str] = []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_every_generated_message_ends_visibly_or_retries(body: str) -> None:
    TRIED.append(body)
    process, world, gmail, dead = harness()
    try:
        outcome = process(body, "receipt")
    except (RetryLaterError, GmailError):
        outcome = None
        retried = True
    else:
        retried = False
    assert all(r.status is not EmailStatus.SENDING for r in world.emails.values()), "nothing left SENDING"
    if outcome is SendOutcome.SENT:
        assert len(gmail.sent) == 1
        assert not dead.letters
    elif outcome is None and not retried:
        assert len(dead.letters) == 1, "refused: dead-lettered once, with its reason"
        assert dead.letters[0][1].startswith("invalid send message")
        assert gmail.sent == []
        for record in world.emails.values():
            assert (record.status, record.reason) == (EmailStatus.FAILED, "invalid_message")
    else:
        assert outcome in (SendOutcome.PARKED, SendOutcome.FAILED) or retried
        assert gmail.sent == []


def test_duplicate_keys_are_refused_not_resolved() -> None:
    process, world, gmail, dead = harness()
    body = json.dumps(FIRST)[:-1] + ', "to": {"email": "attacker@evil.example", "name": "X"}}'
    assert process(body, "receipt") is None
    assert gmail.sent == []
    assert "more than once" in dead.letters[0][1]
    assert world.emails == {}, "ids from a document read two ways are not trusted to name an email"


def test_a_valid_message_still_sends() -> None:
    process, _, gmail, _ = harness()
    assert process(json.dumps({**VALID, "in_reply_to_activity_id": None}), "receipt") is SendOutcome.SENT
    assert len(gmail.sent) == 1
