"""A mailbox's Gmail push watch as the service remembers it: what the safety-net schedule decides on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

RENEW_EVERY = timedelta(days=1)
"""Google asks for a renewal at least every 7 days and advises a daily one."""

RETRY_FAILED_AFTER = timedelta(hours=1)
"""A failed renewal is tried again after this long; meanwhile the mailbox is polled every minute."""


@dataclass(frozen=True)
class WatchState:
    workspace_id: str
    email: str | None
    expires_at: datetime | None
    renewed_at: datetime | None
    failed_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Push can be trusted for this mailbox: a watch that has not expired and whose last renewal succeeded."""
        return self.expires_at is not None and self.expires_at > now and self.failed_at is None

    def renewal_due(self, now: datetime) -> bool:
        if self.failed_at is not None:
            return now - self.failed_at >= RETRY_FAILED_AFTER
        return self.renewed_at is None or now - self.renewed_at >= RENEW_EVERY or not self.active(now)
