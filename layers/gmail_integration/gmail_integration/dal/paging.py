"""Reading a query to its end, or one page of it: DynamoDB answers at most 1 MB per call and says where to go on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gmail_integration.dal.items import Item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def query_all(table: Table, **query: Any) -> Iterator[Item]:
    """Every item the query matches, page after page, read lazily."""
    while True:
        answer = table.query(**query)
        yield from answer.get("Items", [])
        last = answer.get("LastEvaluatedKey")
        if not last:
            return
        query["ExclusiveStartKey"] = last


def query_page(table: Table, limit: int, start: Item | None, **query: Any) -> tuple[list[Item], Item | None]:
    """One page of at most ``limit`` items after ``start``, and the key to continue after (None at the end)."""
    if start:
        query["ExclusiveStartKey"] = start
    answer = table.query(Limit=limit, **query)
    return list(answer.get("Items", [])), answer.get("LastEvaluatedKey")
