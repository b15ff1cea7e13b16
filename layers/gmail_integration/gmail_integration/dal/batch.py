"""BatchGetItem with its two limits handled once: 100 keys per call, and the keys DynamoDB left for later."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from gmail_integration.dal.items import Item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource

BATCH_GET_LIMIT = 100


def batch_get(
    resource: DynamoDBServiceResource, table_name: str, keys: Sequence[dict[str, str]], *, consistent: bool = False
) -> Iterator[Item]:
    """Every item that exists among ``keys``, in no particular order; missing keys are simply absent."""
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        wanted: dict[str, Any] = {"Keys": list(keys[start : start + BATCH_GET_LIMIT])}
        if consistent:
            wanted["ConsistentRead"] = True
        request: Any = {table_name: wanted}
        while request:
            answer = resource.batch_get_item(RequestItems=request)
            yield from answer.get("Responses", {}).get(table_name, [])
            request = answer.get("UnprocessedKeys") or {}
