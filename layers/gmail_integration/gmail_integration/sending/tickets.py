"""Decisions without a read: a first email's first receive, and a waiting email's turn, on the container's view.

``ticket_for`` decides whether a waiting email's state is plain enough to be taken for granted at its turn: new or
simply waiting (no park reason, no earlier attempt, not released), the mailbox connected, the recipient not
suppressed, and, for a follow-up, the email it answers already sent (or unknown to the table). Anything else goes
without a ticket and is read again at its turn. A ticket written from a view is only what an earlier read saw, and
is checked by the next write like every premise.

``resume`` builds a context from the ticket and the container's last read of the mailbox (``MailboxSnapshot``), with
the premises the next write checks (dal/premises.py): for a first receive (``new``), the email is assumed unknown
to the table. A gate that looked closed, a throttle not yet over or no recent view: no context, the email is read.
"""

from __future__ import annotations

from datetime import datetime

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import ConnectionStatus, EmailRecord, EmailStatus, Gates
from gmail_integration.models.send_context import MailboxSnapshot, SendContext
from gmail_integration.models.times import iso
from gmail_integration.models.turn_ticket import EarlierSeen, Premises, TurnTicket


def _plain(email: EmailRecord | None) -> bool:
    return email is None or (
        email.status is EmailStatus.EMAIL_READY
        and email.reason is None
        and email.send_cursor is None
        and email.message_id is None
        and email.lease_until is None
        and not email.released
        and not email.delivery_unconfirmed
    )


def _follows(command: SendEmailV1) -> str | None:
    earlier = command.in_reply_to_activity_id
    return earlier if earlier and earlier != command.activity_id else None


def ticket_for(command: SendEmailV1, context: SendContext) -> str | None:
    """The ticket attribute for this email's next message, or None when its turn must read afresh."""
    connection = context.connection
    if connection is None or connection.status is not ConnectionStatus.CONNECTED or connection.connected_at is None:
        return None
    if context.recipient_suppressed or not _plain(context.email):
        return None
    if _follows(command) is None or context.earlier is None:
        return TurnTicket().to_attribute()
    earlier = context.earlier
    if earlier.status is not EmailStatus.SENT or not earlier.gmail_thread_id or not earlier.gmail_message_id:
        return None
    seen = EarlierSeen(
        activity_id=earlier.activity_id,
        gmail_thread_id=earlier.gmail_thread_id,
        gmail_message_id=earlier.gmail_message_id,
        subject=earlier.subject,
        rfc_message_id=earlier.rfc_message_id,
        message_id=earlier.message_id,
        references=earlier.references,
    )
    return TurnTicket(earlier=seen).to_attribute()


def resume(
    command: SendEmailV1, ticket: TurnTicket, snapshot: MailboxSnapshot | None, now: datetime, *, new: bool = False
) -> SendContext | None:
    """The context without a read, or None when the email must be read afresh. ``new``: a first receive (the email
    assumed unknown to the table; the write that records it checks so); otherwise a turn, the email waiting as its
    first receive recorded it."""
    if snapshot is None:
        return None
    connection = snapshot.connection
    if connection.status is not ConnectionStatus.CONNECTED or connection.connected_at is None:
        return None
    for until in (connection.paused_until, connection.throttled_until):
        if until is not None and until > now:
            return None
    earlier_id = _follows(command)
    seen = ticket.earlier
    if seen is not None and seen.activity_id != earlier_id:
        return None
    email = (
        None
        if new
        else EmailRecord(
            workspace_id=command.workspace_id,
            activity_id=command.activity_id,
            agent_id=command.agent_id,
            status=EmailStatus.EMAIL_READY,
            to_email=command.to.email,
            subject=command.subject,
            in_reply_to_activity_id=command.in_reply_to_activity_id,
            approved_at=command.approved_at,
            updated_at=now,
        )
    )
    earlier = None
    if seen is not None:
        earlier = EmailRecord(
            workspace_id=command.workspace_id,
            activity_id=seen.activity_id,
            agent_id=command.agent_id,
            status=EmailStatus.SENT,
            to_email=command.to.email,
            subject=seen.subject,
            gmail_thread_id=seen.gmail_thread_id,
            gmail_message_id=seen.gmail_message_id,
            rfc_message_id=seen.rfc_message_id,
            message_id=seen.message_id,
            references=seen.references,
            approved_at=command.approved_at,
            updated_at=now,
        )
    premises = Premises(
        connected_at=iso(connection.connected_at),
        profile_stamp=snapshot.profile_stamp,
        agent_id=command.agent_id,
        recipient=command.to.email,
        earlier_activity_id=earlier_id,
        earlier=seen,
        now=iso(now),
    )
    return SendContext(
        gates=Gates(connection_status=ConnectionStatus.CONNECTED),
        connection=connection,
        profile=snapshot.profile,
        email=email,
        earlier=earlier,
        pace=snapshot.pace,
        premises=premises,
    )
