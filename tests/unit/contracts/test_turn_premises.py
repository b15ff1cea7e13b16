"""The premises of a context built without a read, checked by DynamoDB (moto) in the claim's and the wait's writes.

Each premise rests on one item of the workspace's partition (dal/premises.py): changing that item after the container
read it must cancel the write with nothing written, and leaving everything as read must let it through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gmail_integration.dal.connections import DynamoConnectionRepository
from gmail_integration.dal.gates import DynamoGateWriter
from gmail_integration.dal.ledger import DynamoEmailLedger
from gmail_integration.dal.profiles import DynamoProfileRepository
from gmail_integration.dal.read_model import DynamoEmailReadModel
from gmail_integration.dal.slot_pool import SlotPool
from gmail_integration.dal.suppressions import DynamoSuppressions
from gmail_integration.dal.turns import DynamoTurnBook
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import BillingStatus, Connection, ConnectionStatus, EmailStatus
from gmail_integration.models.gmail import SentMessage
from gmail_integration.models.ledger import TakenClaim
from gmail_integration.models.pacing import PaceState, WaitReason
from gmail_integration.models.profile import Profile
from gmail_integration.models.suppressions import SuppressionReason
from gmail_integration.models.times import iso
from gmail_integration.models.turn_ticket import EarlierSeen, Premises, StaleContextError
from tests.unit.domain.test_commands import VALID

WS, ACT, EARLIER = "ws_1", "act_9", "act_1"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CONNECTED_AT = datetime(2026, 11, 1, tzinfo=UTC)
PROFILE_STAMP = "2026-11-20T09:00:00.000Z"
LEASE = timedelta(minutes=2)


def command(**extra: Any) -> SendEmailV1:
    return SendEmailV1.model_validate({**VALID, "workspace_id": WS, "activity_id": ACT, **extra})


@dataclass
class World:
    table: Any
    seen: EarlierSeen

    def premises(self, **changes: Any) -> Premises:
        base = Premises(
            connected_at=iso(CONNECTED_AT),
            profile_stamp=PROFILE_STAMP,
            agent_id=command().agent_id,
            recipient=command().to.email,
            earlier_activity_id=EARLIER,
            earlier=self.seen,
            now=iso(NOW),
        )
        return replace(base, **changes)

    def claim(self, premises: Premises) -> TakenClaim:
        follow = command(in_reply_to_activity_id=EARLIER)
        return DynamoTurnBook(self.table).take_and_claim(
            follow, "hash1", NOW, (0.0, 0, PaceState()), None, (LEASE, "100", "<m@x>"), premises
        )


@pytest.fixture
def world(dynamodb_table: Any) -> World:
    table = dynamodb_table
    connection = Connection(
        workspace_id=WS,
        status=ConnectionStatus.CONNECTED,
        email="sam@company.example",
        connected_at=CONNECTED_AT,
        refresh_token_ciphertext=b"x",
        scopes=("https://www.googleapis.com/auth/gmail.send",),
        history_id="100",
    )
    DynamoConnectionRepository(table).replace(connection)
    DynamoProfileRepository(table).put(WS, Profile(display_name="Sam"), PROFILE_STAMP)
    ledger = DynamoEmailLedger(table)
    earlier = command(activity_id=EARLIER)
    ledger.claim(earlier, NOW - timedelta(days=1), LEASE, "90", "<e@x>", "hash0")
    sent = SentMessage("gm1", "th1")
    ledger.mark_sent(WS, EARLIER, gmail_message_id=sent.gmail_message_id, gmail_thread_id=sent.gmail_thread_id,
                     message_id="<e@x>", references=None, now=NOW - timedelta(days=1))  # fmt: skip
    record = DynamoEmailReadModel(table).get(WS, EARLIER)
    assert record is not None
    seen = EarlierSeen(
        activity_id=EARLIER,
        gmail_thread_id="th1",
        gmail_message_id="gm1",
        subject=record.subject,
        message_id=record.message_id,
    )
    return World(table, seen)


def test_everything_as_read_lets_the_claim_through(world: World) -> None:
    taken = world.claim(world.premises())
    assert taken.claim is not None
    assert taken.claim.claimed
    email = DynamoEmailReadModel(world.table).get(WS, ACT)
    assert email is not None
    assert email.status is EmailStatus.SENDING


CHANGES: dict[str, Callable[[World], None]] = {
    "disconnected": lambda w: DynamoConnectionRepository(w.table).tombstone(WS, NOW, None),
    "needs reconnect": lambda w: DynamoConnectionRepository(w.table).mark_needs_reconnect(WS, "token_revoked", NOW),
    "throttled": lambda w: DynamoConnectionRepository(w.table).throttle(WS, NOW + timedelta(seconds=30)),
    "daily limit": lambda w: DynamoConnectionRepository(w.table).pause_sending(WS, NOW + timedelta(hours=3)),
    "billing": lambda w: DynamoGateWriter(w.table).set_billing(WS, BillingStatus.PAST_DUE, iso(NOW)),
    "agent": lambda w: DynamoGateWriter(w.table).set_agent_active(WS, command().agent_id, False, iso(NOW)),
    "profile": lambda w: DynamoProfileRepository(w.table).put(WS, Profile(display_name="Sam Lee"), iso(NOW)),
    "suppressed": lambda w: DynamoSuppressions(w.table).suppress(
        WS, command().to.email, SuppressionReason.BOUNCE, "act_1", NOW
    ),
    "earlier's Message-ID learned": lambda w: w.table.update_item(
        Key={"pk": f"WS#{WS}", "sk": f"EMAIL#{EARLIER}"},
        UpdateExpression="SET rfc_message_id = :id",
        ExpressionAttributeValues={":id": "<gmail@x>"},
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_premise_changed_since_the_read_cancels_the_claim(world: World, change: str) -> None:
    CHANGES[change](world)
    assert world.claim(world.premises()) == TakenClaim(stale=True)
    assert DynamoEmailReadModel(world.table).get(WS, ACT) is None, "nothing written"


def test_a_reconnected_mailbox_or_another_thread_is_not_the_one_read(world: World) -> None:
    assert world.claim(world.premises(connected_at=iso(NOW))).stale
    assert world.claim(world.premises(earlier=replace_seen(world.seen, gmail_thread_id="th2"))).stale
    assert world.claim(world.premises(profile_stamp=None)).stale


def replace_seen(seen: EarlierSeen, **changes: str) -> EarlierSeen:
    return seen.model_copy(update=changes)


def test_a_wait_without_a_read_checks_the_same_premises(world: World) -> None:
    book = DynamoTurnBook(world.table)
    follow = command(in_reply_to_activity_id=EARLIER)
    CHANGES["agent"](world)
    with pytest.raises(StaleContextError):
        book.book_wait(
            follow, "hash1", NOW.timestamp(), 1.0, PaceState(), NOW, WaitReason.MAILBOX_PACE, world.premises()
        )
    assert DynamoEmailReadModel(world.table).get(WS, ACT) is None


def test_a_wait_without_a_read_never_takes_over_another_payload(world: World) -> None:
    book = DynamoTurnBook(world.table)
    follow = command(in_reply_to_activity_id=EARLIER)
    args = (NOW.timestamp(), 1.0, PaceState(), NOW, WaitReason.MAILBOX_PACE, world.premises())
    assert book.book_wait(follow, "hash1", *args)[1]
    with pytest.raises(StaleContextError):
        book.book_wait(follow, "hash2", *args)


def test_a_wait_from_a_container_s_block_checks_the_premises_too(world: World) -> None:
    book = DynamoTurnBook(world.table, pool=SlotPool())
    follow = command(in_reply_to_activity_id=EARLIER)
    args = (NOW.timestamp(), 0.5, PaceState(), NOW, WaitReason.MAILBOX_PACE)
    CHANGES["suppressed"](world)
    with pytest.raises(StaleContextError):
        book.book_wait(follow, "hash1", *args, world.premises())
    assert DynamoEmailReadModel(world.table).get(WS, ACT) is None
    assert book.book_wait(follow, "hash1", *args)[1], "read afresh, the wait itself is recorded"
