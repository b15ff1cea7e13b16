"""Threads the service sent into: one item per Gmail thread, listing its emails, found by a BatchGetItem.

The poll worker learns from history which threads got new messages; one BatchGetItem of up to 100 thread keys tells
which of them are ours, so a busy inbox costs one read per hundred threads, and nothing is read from Gmail about the
others.

A thread also sits in the workspace's ``THREADS#<ws>`` partition of gsi1, sorted by when we last sent into it, until
its latest email is answered (reply or bounce): after Gmail forgot our history cursor, recovery reads that partition
newest first down to the retention window, so its cost follows recent threads, not all history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gmail_integration.dal import keys
from gmail_integration.dal.batch import batch_get
from gmail_integration.dal.items import Item, conditional_update
from gmail_integration.dal.paging import query_page
from gmail_integration.models.threads import RecentThreads, ThreadEmail, TrackedThread
from gmail_integration.models.times import iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table


def thread_key(workspace_id: str, thread_id: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": keys.thread_sk(thread_id)}


def thread_append(
    table_name: str, workspace_id: str, thread_id: str, *, activity_id: str, message_id: str, now: datetime
) -> dict[str, Any]:
    """The transaction part that adds a sent email to its thread item (created by the first email sent into it).

    It also (re)enters the thread into the recent-threads index at the send time: a follow-up into a thread whose
    earlier email was answered makes it worth a look again.
    """
    return {
        "TableName": table_name,
        "Key": thread_key(workspace_id, thread_id),
        "UpdateExpression": (
            "SET workspace_id = :ws, thread_id = :tid, updated_at = :now, last_activity = :act,"
            " gsi1pk = :recent, gsi1sk = :sent,"
            " emails = list_append(if_not_exists(emails, :none), :email)"
        ),
        "ExpressionAttributeValues": {
            ":ws": workspace_id,
            ":tid": thread_id,
            ":now": iso(now),
            ":act": activity_id,
            ":recent": keys.recent_threads_gsi1pk(workspace_id),
            ":sent": f"{iso(now)}#{thread_id}",
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

    def recent(self, workspace_id: str, since: datetime, page: str | None, limit: int) -> RecentThreads:
        """Unanswered threads we sent into at or after ``since``, newest first, one page (a Query on gsi1)."""
        items, last = query_page(
            self._table,
            limit,
            json.loads(page) if page else None,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk AND gsi1sk >= :since",
            ExpressionAttributeValues={":pk": keys.recent_threads_gsi1pk(workspace_id), ":since": iso(since)},
            ScanIndexForward=False,
        )
        threads = tuple(thread_from_item(item) for item in items)
        return RecentThreads(threads, json.dumps(last, sort_keys=True) if last else None)

    def settle(self, workspace_id: str, thread_id: str, activity_id: str) -> bool:
        """The thread's latest email was answered: it leaves the recent-threads index (a later send puts it back)."""
        return conditional_update(
            self._table,
            thread_key(workspace_id, thread_id),
            UpdateExpression="REMOVE gsi1pk, gsi1sk",
            ConditionExpression="last_activity = :act AND attribute_exists(gsi1pk)",
            ExpressionAttributeValues={":act": activity_id},
        )
