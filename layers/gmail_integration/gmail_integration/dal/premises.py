"""A provisional send context's premises as ConditionCheck parts of the claim's transaction (dal/turns.py).

Each premise is one item of the workspace's partition checked as it is now: the claim is written only if all of
them still hold, so a context built without a read (models/turn_ticket.py) can never send past a gate that closed,
a profile that changed, a suppression added or a thread that is not the one the ticket names. Which part failed
does not matter to the caller: any failure means "read afresh".
"""

from __future__ import annotations

from typing import Any

from gmail_integration.dal import keys
from gmail_integration.dal.connections import connection_key
from gmail_integration.dal.email_item import STATUS, email_key
from gmail_integration.dal.suppressions import suppression_key
from gmail_integration.models.domain import BillingStatus, ConnectionStatus, EmailStatus
from gmail_integration.models.turn_ticket import EarlierSeen, Premises


def _check(
    table_name: str, key: dict[str, str], condition: str, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    part: dict[str, Any] = {"TableName": table_name, "Key": key, "ConditionExpression": condition}
    if "#status" in condition:
        part["ExpressionAttributeNames"] = dict(STATUS)
    if values:
        part["ExpressionAttributeValues"] = values
    return {"ConditionCheck": part}


def _same_or_absent(name: str, value: str | None, values: dict[str, Any]) -> str:
    if value is None:
        return f"attribute_not_exists({name})"
    placeholder = f":seen_{name}"
    values[placeholder] = value
    return f"{name} = {placeholder}"


def _earlier_check(table_name: str, workspace_id: str, activity_id: str, seen: EarlierSeen | None) -> dict[str, Any]:
    key = email_key(workspace_id, activity_id)
    if seen is None:
        return _check(table_name, key, "attribute_not_exists(pk)")
    values: dict[str, Any] = {":sent": EmailStatus.SENT.value}
    terms = ["#status = :sent"]
    for name in ("gmail_thread_id", "gmail_message_id", "subject", "rfc_message_id", "message_id"):
        terms.append(_same_or_absent(name, getattr(seen, name), values))
    if seen.references is None:
        terms.append("attribute_not_exists(#references)")
    else:
        terms.append("#references = :seen_references")
        values[":seen_references"] = seen.references
    part = _check(table_name, key, " AND ".join(terms), values)
    part["ConditionCheck"]["ExpressionAttributeNames"] = {**STATUS, "#references": "references"}
    return part


def premise_checks(table_name: str, workspace_id: str, activity_id: str, premises: Premises) -> list[dict[str, Any]]:
    """The ConditionCheck parts, one per item a premise rests on (at most six, all in the workspace's partition)."""
    pk = keys.workspace_pk(workspace_id)
    now = {":now": premises.now}
    checks = [
        _check(
            table_name,
            connection_key(workspace_id),
            "#status = :connected AND connected_at = :connected_at"
            " AND (attribute_not_exists(paused_until) OR paused_until <= :now)"
            " AND (attribute_not_exists(throttled_until) OR throttled_until <= :now)",
            {":connected": ConnectionStatus.CONNECTED.value, ":connected_at": premises.connected_at, **now},
        ),
        _check(
            table_name,
            {"pk": pk, "sk": keys.BILLING_SK},
            "attribute_not_exists(pk) OR #status <> :past_due",
            {":past_due": BillingStatus.PAST_DUE.value},
        ),
        _check(
            table_name,
            {"pk": pk, "sk": keys.agent_sk(premises.agent_id)},
            "attribute_not_exists(pk) OR active = :active",
            {":active": True},
        ),
        _check(table_name, suppression_key(workspace_id, premises.recipient), "attribute_not_exists(pk)"),
    ]
    if premises.profile_stamp is None:
        checks.append(_check(table_name, {"pk": pk, "sk": keys.PROFILE_SK}, "attribute_not_exists(pk)"))
    else:
        checks.append(
            _check(
                table_name,
                {"pk": pk, "sk": keys.PROFILE_SK},
                "updated_at = :stamp",
                {":stamp": premises.profile_stamp},
            )
        )
    earlier = premises.earlier_activity_id
    if earlier and earlier != activity_id:
        checks.append(_earlier_check(table_name, workspace_id, earlier, premises.earlier))
    return checks
