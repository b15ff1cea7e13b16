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
class Verdict:
    verdict: ThreadVerdict
    parent_message_id: str | None = None
    """The followed-up email's Message-ID as the thread shows it, when the look learned it (saves a Gmail call)."""


@dataclass(frozen=True)
class StopOnReply:
    check: ThreadReplyCheck

    def __call__(self, command: SendEmailV1, context: SendContext, connection: Connection) -> Verdict:
        earlier, email = context.earlier, context.email
        if not command.in_reply_to_activity_id or earlier is None or not earlier.gmail_thread_id:
            return Verdict(ThreadVerdict.GO)
        if email is not None and email.released:
            return Verdict(ThreadVerdict.GO)
        if earlier.status is EmailStatus.REPLIED:
            return Verdict(ThreadVerdict.REPLIED)  # the poll already saw it: no Gmail call
        look = self.check(connection, earlier.gmail_thread_id)
        parent = look.message_ids.get(earlier.gmail_message_id or "")
        if "reply" in look.kinds:
            return Verdict(ThreadVerdict.REPLIED, parent)
        if "bounce" in look.kinds:
            return Verdict(ThreadVerdict.BOUNCED, parent)
        return Verdict(ThreadVerdict.GO, parent)
