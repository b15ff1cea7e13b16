"""Upstream sets a workspace's own mailbox pace; every later send of that mailbox follows it."""

from __future__ import annotations

from dataclasses import dataclass

from gmail_integration.models.pacing import PaceSettings
from gmail_integration.sending.pacing import PacePolicy
from gmail_integration.sending.ports import MailboxPace


@dataclass(frozen=True)
class SetSendingPace:
    pace: MailboxPace
    default_gap_s: float
    default_max_per_hour: int

    def __call__(self, workspace_id: str, settings: PaceSettings) -> PacePolicy:
        """Answers the pace now in force: the workspace's values, the stack's defaults for what it never set."""
        state = self.pace.configure(workspace_id, settings)
        return PacePolicy.of(state, self.default_gap_s, self.default_max_per_hour)
