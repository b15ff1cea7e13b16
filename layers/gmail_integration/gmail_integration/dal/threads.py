"""Threads the service sent into: one item per Gmail thread, listing its emails, found by a BatchGetItem.

The poll worker learns from history which threads got new messages; one BatchGetItem of up to 100 thread keys tells
which of them are ours, so a busy inbox costs one read per hundred threads, and nothing is read from Gmail about the
others.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from gmail_integration.dal import keys
from gmail_integration.dal.items import Item
from gmail_integration.models.threads import ThreadEmail, TrackedThread
from gmail_integration.models.times import parse_time

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table

_BATCH_GET_LIMIT = 100


def thread_key(workspace_id: str, thread_id: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": keys.thread_sk(thread_id)}


def thread_from_item(item: Item) -> TrackedThread:
    emails = tuple(
        ThreadEmail(
            activity_id=str(entry["a"]),
            message_id=str(entry.get("m", "")),
            sent_at=parse_time(entry.get("t")),
        )
        for entry in item.get("emails", [])
    )
    return TrackedThread(thread_id=str(item["thread_id"]), emails=emails)


class DynamoThreads:
    def __init__(self, resource: DynamoDBServiceResource, table: Table) -> None:
        self._resource = resource
        self._table = table

    def tracked(self, workspace_id: str, thread_ids: Iterable[str]) -> dict[str, TrackedThread]:
        wanted = sorted(set(thread_ids))
        found: dict[str, TrackedThread] = {}
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            request: Any = {
                self._table.name: {
                    "Keys": [thread_key(workspace_id, t) for t in wanted[start : start + _BATCH_GET_LIMIT]]
                }
            }
            while request:
                answer = self._resource.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self._table.name, []):
                    thread = thread_from_item(item)
                    found[thread.thread_id] = thread
                request = answer.get("UnprocessedKeys") or {}
        return found

    def all_tracked(self, workspace_id: str) -> list[TrackedThread]:
        """Every thread of the workspace, for the rare check after Gmail forgot our history cursor."""
        threads: list[TrackedThread] = []
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": keys.workspace_pk(workspace_id), ":prefix": keys.THREAD_SK_PREFIX},
        }
        while True:
            answer = self._table.query(**query)
            threads.extend(thread_from_item(item) for item in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return threads
            query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
