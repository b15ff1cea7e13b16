"""Conversions between DynamoDB items and the domain records: times are ISO strings, absent means None."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

from gmail_integration.models.times import iso, parse_time

Item = dict[str, Any]
__all__ = ["Item", "conditional_update", "is_conditional_failure", "iso", "parse_time", "text", "without_none"]


def text(item: Item, key: str) -> str | None:
    value = item.get(key)
    return None if value is None else str(value)


def without_none(values: Item) -> Item:
    return {key: value for key, value in values.items() if value is not None}


def conditional_update(table: Table, key: dict[str, str], **update: Any) -> bool:
    """One conditional UpdateItem; False when its condition did not hold (another writer got there first).

    The service's exactly-once rules are these conditions, so a failed condition is an answer, not an error.
    """
    try:
        table.update_item(Key=key, **update)
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def is_conditional_failure(exc: ClientError) -> bool:
    """A write whose condition did not hold, alone (ConditionalCheckFailed) or inside a transaction."""
    code = exc.response.get("Error", {}).get("Code")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")
