"""Connected mailboxes for the poll schedule: the sparse MAILBOXES index, shard by shard, never a table scan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gmail_integration.dal import keys
from gmail_integration.dal.paging import query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoConnectedMailboxes:
    def __init__(self, table: Table) -> None:
        self._table = table

    def connected(self) -> Iterator[str]:
        for shard in range(keys.MAILBOX_SHARDS):
            items = query_all(
                self._table,
                IndexName="gsi1",
                KeyConditionExpression="gsi1pk = :pk",
                ExpressionAttributeValues={":pk": keys.mailboxes_gsi1pk(shard)},
                ProjectionExpression="gsi1sk",
            )
            for item in items:
                yield str(item["gsi1sk"])
