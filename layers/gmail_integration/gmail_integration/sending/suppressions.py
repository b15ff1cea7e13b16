"""Upstream reads and lifts the workspace's suppression list (internal routes)."""

from __future__ import annotations

from dataclasses import dataclass

from gmail_integration.models.suppressions import Suppression
from gmail_integration.observability import logger
from gmail_integration.sending.ports import SuppressionList


@dataclass(frozen=True)
class ListSuppressions:
    suppressions: SuppressionList

    def __call__(self, workspace_id: str) -> list[Suppression]:
        return self.suppressions.suppressions(workspace_id)


@dataclass(frozen=True)
class LiftSuppression:
    suppressions: SuppressionList

    def __call__(self, workspace_id: str, address: str) -> bool:
        """True when the address was suppressed; the next email to it goes out."""
        lifted = self.suppressions.lift(workspace_id, address)
        logger.info("suppression lifted", extra={"workspace_id": workspace_id, "lifted": lifted})
        return lifted
