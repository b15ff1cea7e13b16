"""The workspace's suppression list: one item per address that must not be mailed again."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from boto3.dynamodb.conditions import Key

from gmail_integration.dal import keys
from gmail_integration.dal.email_item import email_key
from gmail_integration.dal.items import Item, conditional_update, text, without_none
from gmail_integration.dal.paging import query_all
from gmail_integration.models.suppressions import Suppression, SuppressionReason, normalize_address
from gmail_integration.models.times import iso, parse_time

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def suppression_key(workspace_id: str, address: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": keys.suppression_sk(normalize_address(address))}


def suppression_from_item(item: Item) -> Suppression:
    since = parse_time(item.get("since"))
    assert since is not None, "a suppression always has its time"
    return Suppression(
        address=str(item["address"]),
        reason=SuppressionReason(str(item["reason"])),
        since=since,
        activity_id=text(item, "activity_id"),
    )


class DynamoSuppressions:
    def __init__(self, table: Table) -> None:
        self._table = table

    def suppress(
        self, workspace_id: str, address: str, reason: SuppressionReason, activity_id: str | None, now: datetime
    ) -> bool:
        """Adds the address; False when it was already there (the first bounce stays the one shown)."""
        return conditional_update(
            self._table,
            suppression_key(workspace_id, address),
            UpdateExpression="SET address = :address, reason = :reason, since = :since"
            + (", activity_id = :act" if activity_id else ""),
            ConditionExpression="attribute_not_exists(pk)",
            ExpressionAttributeValues=without_none(
                {
                    ":address": normalize_address(address),
                    ":reason": reason.value,
                    ":since": iso(now),
                    ":act": activity_id,
                }
            ),
        )

    def suppressions(self, workspace_id: str) -> list[Suppression]:
        items = query_all(
            self._table,
            KeyConditionExpression=Key("pk").eq(keys.workspace_pk(workspace_id))
            & Key("sk").begins_with(keys.SUPPRESSION_SK_PREFIX),
            ConsistentRead=True,
        )
        return [suppression_from_item(item) for item in items]

    def lift(self, workspace_id: str, address: str) -> bool:
        """Removes the address; False when it was not suppressed."""
        answer = self._table.delete_item(Key=suppression_key(workspace_id, address), ReturnValues="ALL_OLD")
        return bool(answer.get("Attributes"))

    def suppress_bounced(self, workspace_id: str, activity_id: str, now: datetime) -> bool:
        """Suppresses the recipient of the email that bounced; False when unknown or already suppressed."""
        item = self._table.get_item(Key=email_key(workspace_id, activity_id), ConsistentRead=True).get("Item")
        address = text(item, "to_email") if item else None
        if not address:
            return False
        return self.suppress(workspace_id, address, SuppressionReason.BOUNCE, activity_id, now)
