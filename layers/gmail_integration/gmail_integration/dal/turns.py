"""A mailbox's pace item and one email's item written together, in one TransactWriteItems (one partition).

Waiting and sending each move both items: a wait reserves a slot on the pace cursor and records ``not_before`` on
the email. Done apart that is two calls a step; together it is one, so an email that waits costs a table call less.
A transaction returns no values, so the reservation is optimistic: it hands out the slot the context read computed
from the cursor it saw, on condition that the cursor is still there. When another worker moved it, the cancellation
carries the pace item as it stood (``ReturnValuesOnConditionCheckFailure``) and the next attempt reserves from that,
with no read in between.

A cancellation says which part failed. The email part failing means the email is no longer new or waiting (a claim,
a park, an end): the slot alone is reserved by the atomic form (dal/pacing.py), as before the merge, and the caller
is told nothing was recorded.

The claim of an email back at its turn without a read carries its context's premises as ConditionChecks
(dal/premises.py): one of them failing answers ``TakenClaim(stale=True)``, and the use case reads afresh.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from gmail_integration.dal.items import Item
from gmail_integration.dal.ledger import DynamoEmailLedger, claim_answer, claim_update, wait_update
from gmail_integration.dal.pacing import DynamoMailboxPace, as_number, pace_from_item, pace_key, take_update
from gmail_integration.dal.premises import premise_checks
from gmail_integration.dal.slot_pool import SlotPool, block_size
from gmail_integration.dal.snapshots import MailboxSnapshots
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import EmailRecord
from gmail_integration.models.ledger import ClaimResult, TakenClaim
from gmail_integration.models.pacing import PaceState, WaitReason, window_of
from gmail_integration.models.turn_ticket import Premises, StaleContextError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

PACE_PART, EMAIL_PART = 0, 1
_ATTEMPTS = 4
_TYPES = TypeDeserializer()
_RETRYABLE = {"None", "ConditionalCheckFailed", "TransactionConflict"}


def _ms(value: float) -> float:
    """The pace item keeps times to the millisecond (dal/pacing.py); a condition compares against the same."""
    return round(value, 3)


class Cancelled(Exception):
    """A cancelled transaction: the parts whose condition failed, each with its item as it stood (typed form)."""

    def __init__(self, failed: dict[int, Item]) -> None:
        super().__init__(sorted(failed))
        self.failed = failed


def transact(table: Table, parts: list[dict[str, Any]], checks: list[dict[str, Any]] | None = None) -> None:
    """Writes every part (updates) or none, ``checks`` (ConditionCheck entries) after them; raises ``Cancelled`` when
    a condition failed or another transaction interfered (then ``failed`` is empty), and re-raises anything else
    (throttling: the message is retried as for any call). Indices count the parts first, then the checks."""
    items = [{"Update": part} for part in parts] + list(checks or [])
    try:
        table.meta.client.transact_write_items(TransactItems=items)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons: list[Any] = list(exc.response.get("CancellationReasons") or [])
        if not reasons or any(str(reason.get("Code")) not in _RETRYABLE for reason in reasons):
            raise
        failed = {
            index: {name: _TYPES.deserialize(value) for name, value in dict(reason.get("Item") or {}).items()}
            for index, reason in enumerate(reasons)
            if reason.get("Code") == "ConditionalCheckFailed"
        }
        raise Cancelled(failed) from exc


def _reservation(workspace_id: str, table_name: str, cursor: float | None, slot: float, step: float) -> dict[str, Any]:
    seen = {":seen": as_number(cursor)} if cursor is not None else {}
    return {
        "TableName": table_name,
        "Key": pace_key(workspace_id),
        "UpdateExpression": "SET next_slot = :after",
        "ConditionExpression": "next_slot = :seen" if cursor is not None else "attribute_not_exists(next_slot)",
        "ExpressionAttributeValues": {":after": as_number(slot + step), **seen},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


_THIS_PAYLOAD = "(attribute_not_exists(payload_hash) OR payload_hash = :hash)"
_GUARDED = (("send_cursor", ":seen_cursor"), ("message_id", ":seen_message_id"), ("reason", ":seen_reason"))


def _as_read(seen: EmailRecord | None) -> tuple[str, dict[str, Any]]:
    """The claim's guard: the email is still as the context read saw it in everything the claim's answer is made of
    (status, send cursor, Message-ID) and in its park reason, so the answer built from the read is the true one; and
    it is this email (no other payload under the activity id), which a context built without a read cannot know."""
    if seen is None:
        return "attribute_not_exists(pk)", {}
    terms = ["#status = :seen_status", _THIS_PAYLOAD]
    values = {":seen_status": seen.status.value}
    for name, placeholder in _GUARDED:
        value = getattr(seen, name)
        if value is None:
            terms.append(f"attribute_not_exists({name})")
        else:
            terms.append(f"{name} = {placeholder}")
            values[placeholder] = value
    return " AND ".join(terms), values


def _same_policy(update: dict[str, Any], hint: PaceState) -> dict[str, Any]:
    """The take holds only under the pace settings the interval and the cap were computed from: a workspace that
    changed them since the read gets its new pace at once (the failed take answers the item as it stands)."""
    values = update["ExpressionAttributeValues"]
    terms = [update["ConditionExpression"]]
    for name, value in (("min_gap_s", hint.min_gap_s), ("max_per_hour", hint.max_per_hour)):
        if value is None:
            terms.append(f"attribute_not_exists({name})")
        else:
            terms.append(f"{name} = :seen_{name}")
            values[f":seen_{name}"] = as_number(value) if isinstance(value, float) else value
    return {**update, "ConditionExpression": " AND ".join(terms)}


def _claim_as_read(seen: EmailRecord | None, cursor: str | None, message_id: str) -> ClaimResult:
    """What ``DynamoEmailLedger.claim`` answers from the item's old values, here from the guarded read."""
    if seen is None:
        return claim_answer(None, None, None, cursor, message_id)
    return claim_answer(seen.status, seen.send_cursor, seen.message_id, cursor, message_id)


class DynamoTurnBook:
    def __init__(self, table: Table, snapshots: MailboxSnapshots | None = None, pool: SlotPool | None = None) -> None:
        """``pool``: waits take their slots from blocks this container reserves (dal/slot_pool.py); without it, each
        wait reserves its own slot in the same transaction as its record."""
        self._table = table
        self._pace = DynamoMailboxPace(table)
        self._ledger = DynamoEmailLedger(table)
        self._snapshots = snapshots if snapshots is not None else MailboxSnapshots()
        self._pool = pool

    def _checks(self, command: SendEmailV1, premises: Premises | None) -> list[dict[str, Any]]:
        if premises is None:
            return []
        return premise_checks(self._table.name, command.workspace_id, command.activity_id, premises)

    def _wait_record(
        self,
        command: SendEmailV1,
        payload_hash: str,
        slot: float,
        now: datetime,
        reason: WaitReason,
        premises: Premises | None,
    ) -> dict[str, Any]:
        """The wait's record as a transaction part; on a context built without a read, only for this payload."""
        record = wait_update(self._table.name, command, now, datetime.fromtimestamp(slot, UTC), reason, payload_hash)
        if premises is not None:
            record["ConditionExpression"] = f"({record['ConditionExpression']}) AND {_THIS_PAYLOAD}"
        return record

    def book_wait(
        self,
        command: SendEmailV1,
        payload_hash: str,
        earliest: float,
        step: float,
        seen: PaceState,
        now: datetime,
        reason: WaitReason,
        premises: Premises | None = None,
    ) -> tuple[float, bool]:
        """Reserves the slot ``max(cursor, earliest)`` and records the wait until it, in one transaction.

        Answers the slot and whether the wait was recorded (False: the email was not new or waiting). With
        ``premises`` (a context built without a read), they are checked in the same transaction and the email must
        carry this payload; either failing raises ``StaleContextError`` with nothing written.
        """
        earliest = _ms(earliest)
        if self._pool is not None and block_size(step) > 1:
            return self._book_from_pool(command, payload_hash, earliest, step, seen, now, reason, premises)
        cursor = seen.next_slot
        checks = self._checks(command, premises)
        for _ in range(_ATTEMPTS):
            slot = max(cursor, earliest) if cursor is not None else earliest
            record = self._wait_record(command, payload_hash, slot, now, reason, premises)
            parts = [_reservation(command.workspace_id, self._table.name, cursor, slot, step), record]
            try:
                transact(self._table, parts, checks)
            except Cancelled as cancelled:
                if premises is not None and any(index >= EMAIL_PART for index in cancelled.failed):
                    raise StaleContextError("the email or the mailbox changed since the container read them") from None
                if EMAIL_PART in cancelled.failed:
                    return self._pace.reserve(command.workspace_id, earliest, step), False
                if PACE_PART in cancelled.failed:
                    found = pace_from_item(cancelled.failed[PACE_PART])  # another worker moved the cursor
                    cursor = found.next_slot
                    self._snapshots.note_pace(command.workspace_id, found)
                continue
            self._snapshots.note_pace(command.workspace_id, replace(seen, next_slot=_ms(slot + step)))
            return slot, True
        # The cursor kept moving under a crowd of workers: the atomic reservation, then the record on its own.
        slot = self._pace.reserve(command.workspace_id, earliest, step)
        recorded = self._ledger.record_wait(command, now, datetime.fromtimestamp(slot, UTC), reason, payload_hash)
        return slot, recorded

    def _book_from_pool(
        self,
        command: SendEmailV1,
        payload_hash: str,
        earliest: float,
        step: float,
        seen: PaceState,
        now: datetime,
        reason: WaitReason,
        premises: Premises | None,
    ) -> tuple[float, bool]:
        """A slot from the container's block (dal/slot_pool.py), then the wait record alone: one write a wait, and
        one more per block."""
        assert self._pool is not None
        ws = command.workspace_id
        slot = self._pool.take(ws, earliest)
        if slot is None:
            block = block_size(step)
            first = self._pace.reserve(ws, earliest, step * block, seen)
            slots = [_ms(first + index * step) for index in range(block)]
            self._pool.fill(ws, slots[1:])
            self._snapshots.note_pace(ws, replace(seen, next_slot=_ms(first + block * step)))
            slot = slots[0]
        if premises is None:
            return slot, self._ledger.record_wait(command, now, datetime.fromtimestamp(slot, UTC), reason, payload_hash)
        record = self._wait_record(command, payload_hash, slot, now, reason, premises)
        try:
            transact(self._table, [record], self._checks(command, premises))
        except Cancelled:
            raise StaleContextError("the email or the mailbox changed since the container read them") from None
        return slot, True

    def take_and_claim(
        self,
        command: SendEmailV1,
        payload_hash: str,
        now: datetime,
        pace: tuple[float, int, PaceState],
        seen: EmailRecord | None,
        claim: tuple[timedelta, str | None, str],
        premises: Premises | None = None,
    ) -> TakenClaim:
        """Takes the mailbox's slot at ``now`` and claims the email, in one transaction.

        ``pace``: (interval, hourly cap, the pace the read saw); ``claim``: (lease, send cursor, proposed
        Message-ID); ``seen``: the email as the context read saw it, which the claim is guarded on; ``premises``:
        what a context built without a read assumed, each checked in the same transaction.
        """
        interval, cap, hint = pace
        lease, cursor, message_id = claim
        at = now.timestamp()
        window = window_of(at)
        same = hint.window == window
        email_part = claim_update(self._table.name, command, now, lease, cursor, message_id, payload_hash)
        guard, guard_values = _as_read(seen)
        email_part["ConditionExpression"] = f"({email_part['ConditionExpression']}) AND {guard}"
        email_part["ExpressionAttributeValues"].update(guard_values)
        checks = self._checks(command, premises)
        state = hint
        for _ in range(2):
            pace_part = {
                "TableName": self._table.name,
                "Key": pace_key(command.workspace_id),
                **_same_policy(take_update(at, interval, cap, same), hint),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
            try:
                transact(self._table, [pace_part, email_part], checks)
            except Cancelled as cancelled:
                if any(index > EMAIL_PART for index in cancelled.failed):
                    return TakenClaim(stale=True)
                if EMAIL_PART in cancelled.failed:
                    return TakenClaim()
                if PACE_PART not in cancelled.failed:
                    return TakenClaim()  # a conflict with another transaction: the writes apart decide
                state = pace_from_item(cancelled.failed[PACE_PART])
                self._snapshots.note_pace(command.workspace_id, state)
                if state.window is None or (state.window == window) == same:
                    return TakenClaim(pace=state)
                same = state.window == window  # the hour was not the one the read saw: the other form decides
                continue
            counted = state.sent_in_window + 1 if same else 1
            taken = replace(state, prev_send=state.last_send, last_send=_ms(at), window=window, sent_in_window=counted)
            self._snapshots.note_pace(command.workspace_id, taken)
            return TakenClaim(claim=_claim_as_read(seen, cursor, message_id))
        return TakenClaim(pace=state)
