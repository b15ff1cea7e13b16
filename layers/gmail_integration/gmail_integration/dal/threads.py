"""Threads the service sent into: one item per Gmail thread, listing its emails, found by a BatchGetItem.

The poll worker learns from history which threads got new messages; one BatchGetItem of up to 100 thread keys tells
which of them are ours, so a busy inbox costs one read per hundred threads, and nothing is read from Gmail about the
others.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gmail_integration.dal import keys
from gmail_integration.dal.batch import batch_get
from gmail_integration.dal.items import Item
from gmail_integration.dal.paging import query_all
from gmail_integration.models.threads import ThreadEmail, TrackedThread
from gmail_integration.models.times import iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table


def thread_key(workspace_id: str, thread_id: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": keys.thread_sk(thread_id)}


def thread_append(
    table_name: str, workspace_id: str, thread_id: str, *, activity_id: str, message_id: str, now: datetime
) -> dict[str, Any]:
    """The transaction part that adds a sent email to its thread item (created by the first email sent into it)."""
    return {
        "TableName": table_name,
        "Key": thread_key(workspace_id, thread_id),
        "UpdateExpression": (
            "SET workspace_id = :ws, thread_id = :tid, updated_at = :now,"
            " emails = list_append(if_not_exists(emails, :none), :email)"
        ),
        "ExpressionAttributeValues": {
            ":ws": workspace_id,
            ":tid": thread_id,
            ":now": iso(now),
            ":none": [],
            ":email": [{"a": activity_id, "m": message_id, "t": iso(now)}],
        },
    }


def thread_from_item(item: Item) -> TrackedThread:
    emails = tuple(
        ThreadEmail(
            activity_id=str(entry["a"]),
            message_id=str(entry.get("m", "")),
        )
        for entry in item.get("emails", [])
    )
    return TrackedThread(thread_id=str(item["thread_id"]), emails=emails)


class DynamoThreads:
    def __init__(self, resource: DynamoDBServiceResource, table: Table) -> None:
        self._resource = resource
        self._table = table

    def tracked(self, workspace_id: str, thread_ids: Iterable[str]) -> dict[str, TrackedThread]:
        wanted = [thread_key(workspace_id, t) for t in sorted(set(thread_ids))]
        threads = (thread_from_item(item) for item in batch_get(self._resource, self._table.name, wanted))
        return {thread.thread_id: thread for thread in threads}

    def all_tracked(self, workspace_id: str) -> list[TrackedThread]:
        """Every thread of the workspace, for the rare check after Gmail forgot our history cursor."""
        items = query_all(
            self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": keys.workspace_pk(workspace_id), ":prefix": keys.THREAD_SK_PREFIX},
        )
        return [thread_from_item(item) for item in items]
