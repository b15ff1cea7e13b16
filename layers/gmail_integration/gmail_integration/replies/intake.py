"""Reading one poll job: a throttled mailbox comes back when Google allows, without holding up the others."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from gmail_integration.jitter import with_jitter
from gmail_integration.models.types import Identifier
from gmail_integration.observability import logger
from gmail_integration.replies.poll_mailbox import PollLaterError, PollMailbox, PollOutcome
from gmail_integration.sending.ports import Postponer


class PollJob(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    workspace_id: Identifier


@dataclass(frozen=True)
class ProcessPollJob:
    poll_mailbox: PollMailbox
    postponer: Postponer

    def __call__(
        self, body: str, receipt_handle: str, time_left: Callable[[], float] = lambda: math.inf
    ) -> PollOutcome:
        """``time_left``: the invocation's remaining seconds (from the Lambda context), for a long recovery."""
        job = PollJob.model_validate_json(body)
        logger.append_keys(workspace_id=job.workspace_id)
        try:
            return self.poll_mailbox(job.workspace_id, time_left)
        except PollLaterError as exc:
            self.postponer.postpone(receipt_handle, with_jitter(exc.delay_s))
            raise
        finally:
            logger.remove_keys(["workspace_id"])
