"""The daily-limit resume: when Gmail's day has passed, the mailbox sends again and what the limit held is re-driven.

Gmail's daily quota parks emails as ``daily_limit_reached`` and pauses the mailbox; nothing calls back when the day
is over, so each poll of the mailbox (every few minutes) asks this first. Clearing the pause is conditional on the
pause read, so two polls never re-drive twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gmail_integration.models.domain import Connection, ParkReason
from gmail_integration.sending.ports import Redrive, SendingPauses


@dataclass(frozen=True)
class ResumeAfterDailyLimit:
    pauses: SendingPauses
    redrive: Redrive
    clock: Callable[[], datetime]

    def __call__(self, connection: Connection) -> bool:
        """True when the pause was over and this call lifted it."""
        until = connection.paused_until
        if until is None or until > self.clock() or not self.pauses.resume_sending(connection.workspace_id, until):
            return False
        self.redrive(connection.workspace_id, [ParkReason.DAILY_LIMIT_REACHED])
        return True
