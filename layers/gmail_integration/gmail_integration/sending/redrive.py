"""Re-drive: when a gate opens, the emails it held go back on the send queue.

The send use case checks every gate again and is idempotent per activity, so a re-driven email that meets another
closed gate parks again with that reason, and one that was already sent is not sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gmail_integration.models.domain import ParkReason
from gmail_integration.observability import logger
from gmail_integration.sending.ports import ParkedEmails, SendQueue


@dataclass(frozen=True)
class RedriveParked:
    parked: ParkedEmails
    queue: SendQueue

    def __call__(self, workspace_id: str, reasons: Sequence[ParkReason], agent_id: str | None = None) -> int:
        bodies = [
            record.command
            for reason in reasons
            for record in self.parked.parked(workspace_id, reason.value)
            if record.command and (agent_id is None or record.agent_id == agent_id)
        ]
        self.queue.send_many(bodies)
        logger.info("parked emails re-driven", extra={"count": len(bodies), "reasons": [r.value for r in reasons]})
        return len(bodies)
