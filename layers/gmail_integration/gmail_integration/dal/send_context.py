"""Everything the send use case reads, in one DynamoDB round trip (BatchGetItem of up to eight items).

The reader also keeps, per workspace, the mailbox as its last read saw it (``snapshot``, dal/snapshots.py): an email
can then be decided without reading again (sending/tickets.py), and the write that follows checks that nothing it
assumed has changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gmail_integration.dal import keys
from gmail_integration.dal.batch import batch_get
from gmail_integration.dal.connections import connection_from_item, connection_key
from gmail_integration.dal.email_item import email_from_item, email_key
from gmail_integration.dal.pacing import pace_from_item, pace_key
from gmail_integration.dal.profiles import profile_from_item
from gmail_integration.dal.snapshots import MailboxSnapshots
from gmail_integration.dal.suppressions import suppression_key
from gmail_integration.models.domain import BillingStatus, ConnectionStatus, Gates
from gmail_integration.models.send_context import MailboxSnapshot, SendContext
from gmail_integration.models.times import parse_time

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoSendContextReader:
    def __init__(
        self, resource: DynamoDBServiceResource, table: Table, snapshots: MailboxSnapshots | None = None
    ) -> None:
        self._resource = resource
        self._table = table
        self._snapshots = snapshots if snapshots is not None else MailboxSnapshots()

    def snapshot(self, workspace_id: str) -> MailboxSnapshot | None:
        """The mailbox as this container last read it, while recent (dal/snapshots.py)."""
        return self._snapshots.get(workspace_id)

    def read(
        self,
        workspace_id: str,
        agent_id: str,
        activity_id: str,
        earlier_activity_id: str | None,
        recipient: str | None = None,
    ) -> SendContext:
        """A workspace or agent never reported on counts as current and active.

        The recipient's suppression item rides in the same BatchGetItem, so the check costs no extra call.
        """
        pk = keys.workspace_pk(workspace_id)
        wanted: list[dict[str, str]] = [
            connection_key(workspace_id),
            {"pk": pk, "sk": keys.BILLING_SK},
            {"pk": pk, "sk": keys.agent_sk(agent_id)},
            {"pk": pk, "sk": keys.PROFILE_SK},
            email_key(workspace_id, activity_id),
            pace_key(workspace_id),
        ]
        if earlier_activity_id and earlier_activity_id != activity_id:
            wanted.append(email_key(workspace_id, earlier_activity_id))
        suppression = suppression_key(workspace_id, recipient) if recipient else None
        if suppression:
            wanted.append(suppression)
        found = self._batch_get(wanted)
        connection_item = found.get(keys.CONNECTION_SK)
        billing = found.get(keys.BILLING_SK)
        agent = found.get(keys.agent_sk(agent_id))
        connection = connection_from_item(connection_item) if connection_item else None
        email = found.get(keys.email_sk(activity_id))
        earlier = found.get(keys.email_sk(earlier_activity_id)) if earlier_activity_id else None
        profile_item = found.get(keys.PROFILE_SK)
        profile, pace = profile_from_item(profile_item), pace_from_item(found.get(keys.PACE_SK))
        if connection is not None:
            stamp = str(profile_item["updated_at"]) if profile_item and "updated_at" in profile_item else None
            kept = MailboxSnapshot(connection=connection, profile=profile, profile_stamp=stamp, pace=pace)
            self._snapshots.put(workspace_id, kept)
        return SendContext(
            gates=Gates(
                connection_status=connection.status if connection else ConnectionStatus.DISCONNECTED,
                billing=BillingStatus(str(billing["status"])) if billing else BillingStatus.CURRENT,
                agent_active=bool(agent["active"]) if agent else True,
                paused_until=parse_time(connection_item.get("paused_until")) if connection_item else None,
            ),
            connection=connection,
            profile=profile,
            email=email_from_item(email) if email else None,
            earlier=email_from_item(earlier) if earlier else None,
            recipient_suppressed=bool(suppression and suppression["sk"] in found),
            pace=pace,
        )

    def _batch_get(self, wanted: list[dict[str, str]]) -> dict[str, Any]:
        items = batch_get(self._resource, self._table.name, wanted, consistent=True)
        return {str(item["sk"]): item for item in items}
