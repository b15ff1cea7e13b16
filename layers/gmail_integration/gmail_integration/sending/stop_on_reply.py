"""Stop on reply: a follow-up is not sent into a thread where the prospect has answered.

The poll may not have seen the answer yet, so before a follow-up goes out the thread itself is read once
(``ThreadReplyCheck``: ``threads.get``, metadata). First emails cost no extra call. An auto-reply does not stop a
follow-up (the prospect is away, not answering); a bounce stops it through the suppression list instead.
A follow-up that upstream released is sent whatever the thread holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import Connection, EmailStatus
from gmail_integration.models.send_context import SendContext
from gmail_integration.sending.ports import ThreadReplyCheck


class ThreadVerdict(StrEnum):
    GO = "go"
    REPLIED = "replied"
    BOUNCED = "bounced"


@dataclass(frozen=True)
class StopOnReply:
    check: ThreadReplyCheck

    def __call__(self, command: SendEmailV1, context: SendContext, connection: Connection) -> ThreadVerdict:
        earlier, email = context.earlier, context.email
        if not command.in_reply_to_activity_id or earlier is None or not earlier.gmail_thread_id:
            return ThreadVerdict.GO
        if email is not None and email.released:
            return ThreadVerdict.GO
        if earlier.status is EmailStatus.REPLIED:
            return ThreadVerdict.REPLIED  # the poll already saw it: no Gmail call
        kinds = self.check(connection, earlier.gmail_thread_id)
        if "reply" in kinds:
            return ThreadVerdict.REPLIED
        if "bounce" in kinds:
            return ThreadVerdict.BOUNCED
        return ThreadVerdict.GO
