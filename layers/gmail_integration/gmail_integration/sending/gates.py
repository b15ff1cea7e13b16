"""The billing and agent gates, as other OutSales systems report them; opening one re-drives what it held.

Where the rest of the gates live: the rule that reads them all and names the first closed one is
``Gates.closed_by`` (models/domain.py, pure, so the send use case and its tests share it); re-drive is
``RedriveParked`` (redrive.py); the mailbox gate opens on connect (mailbox/connect.py) and the daily limit's at the
end of its pause (``ResumeAfterDailyLimit``, daily_limit.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gmail_integration.models.domain import BillingStatus, ParkReason
from gmail_integration.models.times import iso
from gmail_integration.observability import logger
from gmail_integration.sending.ports import GateWriter, Redrive


@dataclass(frozen=True)
class SetBilling:
    gates: GateWriter
    redrive: Redrive
    clock: Callable[[], datetime]

    def __call__(self, workspace_id: str, status: BillingStatus) -> int:
        self.gates.set_billing(workspace_id, status, iso(self.clock()))
        logger.info("billing status set", extra={"workspace_id": workspace_id, "billing": status.value})
        if status is BillingStatus.CURRENT:
            return self.redrive(workspace_id, [ParkReason.BILLING_PAST_DUE])
        return 0


@dataclass(frozen=True)
class SetAgentActive:
    gates: GateWriter
    redrive: Redrive
    clock: Callable[[], datetime]

    def __call__(self, workspace_id: str, agent_id: str, active: bool) -> int:
        self.gates.set_agent_active(workspace_id, agent_id, active, iso(self.clock()))
        logger.info("agent state set", extra={"workspace_id": workspace_id, "agent_id": agent_id, "active": active})
        if active:
            return self.redrive(workspace_id, [ParkReason.AGENT_INACTIVE], agent_id=agent_id)
        return 0
