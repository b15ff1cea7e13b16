"""Connected mailboxes for the poll schedule: the sparse MAILBOXES index, shard by shard, never a table scan.

Every connection item carries its shard since the first version (``replace`` writes ``MAILBOXES#<shard>``), so no
mailbox predates the sharding. The shards are read in parallel by the schedule, so this goes through the low-level
client behind the Table (safe to share between threads, where a resource is not; it keeps the resource's plain
Python values).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from gmail_integration.dal import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoConnectedMailboxes:
    def __init__(self, table: Table) -> None:
        self._client = table.meta.client
        self._name = table.name

    def shards(self) -> Sequence[int]:
        # Raising MAILBOX_SHARDS is safe (items stay in their shard, which is still read); lowering it is not.
        return range(keys.MAILBOX_SHARDS)

    def connected(self) -> Iterator[str]:
        for shard in self.shards():
            yield from self.in_shard(shard)

    def in_shard(self, shard: int) -> Iterator[str]:
        query: dict[str, Any] = {
            "TableName": self._name,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": {":pk": keys.mailboxes_gsi1pk(shard)},
            "ProjectionExpression": "gsi1sk",
        }
        while True:
            answer = self._client.query(**query)
            for item in answer.get("Items", []):
                yield str(item["gsi1sk"])
            last = answer.get("LastEvaluatedKey")
            if not last:
                return
            query["ExclusiveStartKey"] = last
