"""OAuth states: one item per pending authorization, found by the nonce's hash, consumed by an atomic delete."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gmail_integration.dal import keys
from gmail_integration.models.authorization import PendingAuthorization, nonce_hash

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoStateStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def save(self, nonce: str, pending: PendingAuthorization) -> None:
        self._table.put_item(
            Item={
                "pk": keys.state_pk(nonce_hash(nonce)),
                "sk": keys.STATE_SK,
                "workspace_id": pending.workspace_id,
                "user_id": pending.user_id,
                "code_verifier": pending.code_verifier,
                "redirect_uri": pending.redirect_uri,
                "expires_at": int(pending.expires_at.timestamp()),
                "browser_binding_hash": pending.browser_binding_hash,
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    def consume(self, nonce: str, now: datetime) -> PendingAuthorization | None:
        answer = self._table.delete_item(
            Key={"pk": keys.state_pk(nonce_hash(nonce)), "sk": keys.STATE_SK}, ReturnValues="ALL_OLD"
        )
        item = answer.get("Attributes")
        if not item:
            return None
        # DynamoDB's TTL deletes lazily (up to days late): the expiry is checked here, not trusted to TTL.
        expires_at = datetime.fromtimestamp(int(str(item["expires_at"])), UTC)
        if expires_at <= now:
            return None
        return PendingAuthorization(
            workspace_id=str(item["workspace_id"]),
            user_id=str(item["user_id"]),
            code_verifier=str(item["code_verifier"]),
            redirect_uri=str(item["redirect_uri"]),
            expires_at=expires_at,
            # A state saved before flows were bound to a browser has no hash and matches no browser.
            browser_binding_hash=str(item.get("browser_binding_hash", "")),
        )
