"""Conversions between DynamoDB items and the domain records: times are ISO strings, absent means None."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

Item = dict[str, Any]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def text(item: Item, key: str) -> str | None:
    value = item.get(key)
    return None if value is None else str(value)


def without_none(values: Item) -> Item:
    return {key: value for key, value in values.items() if value is not None}
