"""The profile item of a workspace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gmail_integration.dal import keys
from gmail_integration.models.profile import Profile

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def profile_from_item(item: Mapping[str, Any] | None) -> Profile:
    if not item:
        return Profile()
    return Profile(
        display_name=str(item.get("display_name", "")),
        signature_text=str(item.get("signature_text", "")),
        signature_html=str(item.get("signature_html", "")),
    )


class DynamoProfileRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, workspace_id: str) -> Profile:
        item = self._table.get_item(Key={"pk": keys.workspace_pk(workspace_id), "sk": keys.PROFILE_SK}).get("Item")
        return profile_from_item(item)

    def put(self, workspace_id: str, profile: Profile, now: str) -> None:
        self._table.put_item(
            Item={
                "pk": keys.workspace_pk(workspace_id),
                "sk": keys.PROFILE_SK,
                **profile.model_dump(),
                "updated_at": now,
            }
        )
