"""Connected mailboxes for the poll schedule: the sparse MAILBOXES index, shard by shard, never a table scan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gmail_integration.dal import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoConnectedMailboxes:
    def __init__(self, table: Table) -> None:
        self._table = table

    def connected(self) -> Iterator[str]:
        for shard in range(keys.MAILBOX_SHARDS):
            query: dict[str, Any] = {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :pk",
                "ExpressionAttributeValues": {":pk": keys.mailboxes_gsi1pk(shard)},
                "ProjectionExpression": "gsi1sk",
            }
            while True:
                answer = self._table.query(**query)
                for item in answer.get("Items", []):
                    yield str(item["gsi1sk"])
                if "LastEvaluatedKey" not in answer:
                    break
                query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
