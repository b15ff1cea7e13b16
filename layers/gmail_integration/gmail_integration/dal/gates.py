"""Billing and agent gate items, as the internal routes report them (read back by the send context reader)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gmail_integration.dal import keys
from gmail_integration.models.domain import BillingStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoGateWriter:
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
