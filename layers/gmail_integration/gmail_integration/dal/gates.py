"""Reads the three send gates of a workspace and agent in one round trip."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gmail_integration.dal import keys
from gmail_integration.dal.connections import connection_key
from gmail_integration.models.domain import BillingStatus, ConnectionStatus, Gates

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoGateReader:
    def __init__(self, resource: DynamoDBServiceResource, table: Table) -> None:
        self._resource = resource
        self._table = table

    def read(self, workspace_id: str, agent_id: str) -> Gates:
        """Gmail connection, billing and agent state; a workspace or agent never reported on is current and active."""
        pk = keys.workspace_pk(workspace_id)
        wanted = [
            connection_key(workspace_id),
            {"pk": pk, "sk": keys.BILLING_SK},
            {"pk": pk, "sk": keys.agent_sk(agent_id)},
        ]
        request = {self._table.name: {"Keys": wanted, "ConsistentRead": True}}
        found: dict[str, Any] = {}
        while request:
            answer = self._resource.batch_get_item(RequestItems=request)  # type: ignore[arg-type]
            for item in answer.get("Responses", {}).get(self._table.name, []):
                found[str(item["sk"])] = item
            request = answer.get("UnprocessedKeys") or {}  # type: ignore[assignment]
        connection = found.get(keys.CONNECTION_SK)
        billing = found.get(keys.BILLING_SK)
        agent = found.get(keys.agent_sk(agent_id))
        return Gates(
            connection_status=ConnectionStatus(str(connection["status"]))
            if connection
            else ConnectionStatus.DISCONNECTED,
            billing=BillingStatus(str(billing["status"])) if billing else BillingStatus.CURRENT,
            agent_active=bool(agent["active"]) if agent else True,
        )


class DynamoGateWriter:
    """Billing and agent states as the internal routes report them."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def set_billing(self, workspace_id: str, status: BillingStatus, now: str) -> None:
        self._table.put_item(
            Item={
                "pk": keys.workspace_pk(workspace_id),
                "sk": keys.BILLING_SK,
                "status": status.value,
                "updated_at": now,
            }
        )

    def set_agent_active(self, workspace_id: str, agent_id: str, active: bool, now: str) -> None:
        self._table.put_item(
            Item={
                "pk": keys.workspace_pk(workspace_id),
                "sk": keys.agent_sk(agent_id),
                "agent_id": agent_id,
                "active": active,
                "updated_at": now,
            }
        )
