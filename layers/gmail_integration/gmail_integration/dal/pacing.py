"""The mailbox's pace item: the reservation cursor that hands out send slots, and the slot taken before each send.

Both moves are single conditional UpdateItems, so any number of workers share one mailbox without a lock:
``reserve`` advances the cursor atomically (arithmetic in the update, the new value returned), ``take`` stamps the
send only when the last one is at least the interval old and the hour's count is under the cap. Times are epoch
seconds stored as numbers, so the conditions compare them as numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from gmail_integration.dal import keys
from gmail_integration.dal.items import Item, is_conditional_failure
from gmail_integration.models.pacing import GMAIL_PAIR_WINDOW_S, PaceSettings, PaceState, window_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_WINDOW = {"#w": "window"}
_TYPES = TypeDeserializer()
_ATTEMPTS = 4


def pace_key(workspace_id: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": keys.PACE_SK}


def as_number(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def _float(item: Item, name: str) -> float | None:
    value = item.get(name)
    return None if value is None else float(value)


def pace_from_item(item: Item | None) -> PaceState:
    if not item:
        return PaceState()
    window, gap, cap = item.get("window"), item.get("min_gap_s"), item.get("max_per_hour")
    return PaceState(
        next_slot=_float(item, "next_slot"),
        last_send=_float(item, "last_send"),
        prev_send=_float(item, "prev_send"),
        window=None if window is None else int(window),
        sent_in_window=int(item.get("sent_in_window", 0)),
        min_gap_s=None if gap is None else float(gap),
        max_per_hour=None if cap is None else int(cap),
    )


class DynamoMailboxPace:
    def __init__(self, table: Table) -> None:
        self._table = table

    def _update(self, workspace_id: str, **update: Any) -> tuple[bool, Item]:
        """(written, the item after the write or, on a failed condition, as it stood)."""
        try:
            answer = self._table.update_item(
                Key=pace_key(workspace_id), ReturnValuesOnConditionCheckFailure="ALL_OLD", **update
            )
        except ClientError as exc:
            if is_conditional_failure(exc):
                # The item as it stood comes in DynamoDB's typed form: the resource layer does not convert errors.
                typed: dict[str, Any] = dict(exc.response.get("Item") or {})  # type: ignore[call-overload]
                return False, {name: _TYPES.deserialize(value) for name, value in typed.items()}
            raise
        return True, dict(answer.get("Attributes") or {})

    def reserve(self, workspace_id: str, earliest: float, step: float, hint: PaceState | None = None) -> float:
        """Hands out the slot ``max(cursor, earliest)`` and moves the cursor one ``step`` past it."""
        ahead = hint is not None and hint.next_slot is not None and hint.next_slot >= earliest
        for _ in range(_ATTEMPTS):
            if ahead:
                written, item = self._update(
                    workspace_id,
                    UpdateExpression="SET next_slot = next_slot + :step",
                    ConditionExpression="next_slot >= :earliest",
                    ExpressionAttributeValues={":step": as_number(step), ":earliest": as_number(earliest)},
                    ReturnValues="UPDATED_NEW",
                )
                if written:
                    return float(item["next_slot"]) - float(as_number(step))
            else:
                written, item = self._update(
                    workspace_id,
                    UpdateExpression="SET next_slot = :after",
                    ConditionExpression="attribute_not_exists(next_slot) OR next_slot < :earliest",
                    ExpressionAttributeValues={":after": as_number(earliest + step), ":earliest": as_number(earliest)},
                )
                if written:
                    return float(as_number(earliest))
            ahead = not ahead  # another worker moved the cursor across `earliest` meanwhile: the other form holds
        raise RuntimeError("the pace cursor kept moving; the message is retried")

    def take(
        self, workspace_id: str, now: float, interval: float, max_per_hour: int, hint: PaceState | None = None
    ) -> tuple[bool, PaceState]:
        """Stamps a send at ``now`` if the mailbox may send; otherwise answers the pace item as it stood."""
        window = window_of(now)
        same = hint is not None and hint.window == window
        for _ in range(2):
            written, item = self._update(
                workspace_id, **take_update(now, interval, max_per_hour, same), ReturnValues="ALL_NEW"
            )
            state = pace_from_item(item)
            if written or state.window is None or (state.window == window) == same:
                return written, state
            same = state.window == window  # the hour turned (or our hint was old): the other form decides
        return False, state

    def configure(self, workspace_id: str, settings: PaceSettings) -> PaceState:
        assignments: list[str] = []
        values: dict[str, Any] = {}
        if settings.min_gap_s is not None:
            assignments.append("min_gap_s = :gap")
            values[":gap"] = as_number(settings.min_gap_s)
        if settings.max_per_hour is not None:
            assignments.append("max_per_hour = :cap")
            values[":cap"] = settings.max_per_hour
        if not assignments:
            return self.read(workspace_id)
        answer = self._table.update_item(
            Key=pace_key(workspace_id),
            UpdateExpression="SET " + ", ".join(assignments),
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return pace_from_item(answer.get("Attributes"))

    def read(self, workspace_id: str) -> PaceState:
        return pace_from_item(self._table.get_item(Key=pace_key(workspace_id), ConsistentRead=True).get("Item"))


def take_update(now: float, interval: float, max_per_hour: int, same_window: bool) -> dict[str, Any]:
    """The take's write (without its key): ``same_window`` when the pace item already counts ``now``'s hour;
    ``interval``: the workspace's gap between two sends (0: none). Gmail's pair rule always holds: the send before
    the last one is at least ``GMAIL_PAIR_WINDOW_S`` old.

    The two forms keep the hour's count exact: the same hour adds one under the cap, a new hour starts at one. The
    caller picks the form from the pace it read and, when the write fails because the hour was not the one it
    thought, tries the other (dal/turns.py does the same inside its transaction)."""
    window = window_of(now)
    values: dict[str, Any] = {
        ":now": as_number(now),
        ":pair_cutoff": as_number(now - GMAIL_PAIR_WINDOW_S),
        ":win": window,
        ":one": 1,
        ":never": 0,
    }
    gap_ok = "(attribute_not_exists(prev_send) OR prev_send <= :pair_cutoff)"
    if interval > 0:
        gap_ok += " AND (attribute_not_exists(last_send) OR last_send <= :cutoff)"
        values[":cutoff"] = as_number(now - interval)
    stamp = "SET prev_send = if_not_exists(last_send, :never), last_send = :now"
    if same_window:
        condition = f"#w = :win AND {gap_ok}"
        update = f"{stamp}, sent_in_window = sent_in_window + :one"
        if max_per_hour:
            condition += " AND sent_in_window < :cap"
            values[":cap"] = max_per_hour
    else:
        condition = f"(attribute_not_exists(#w) OR #w < :win) AND {gap_ok}"
        update = f"{stamp}, #w = :win, sent_in_window = :one"
    return {
        "UpdateExpression": update,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": dict(_WINDOW),
        "ExpressionAttributeValues": values,
    }
