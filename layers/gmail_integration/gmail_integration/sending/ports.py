"""The roles the sending use cases need; ``dal``, ``gmail``, ``queues`` and ``events`` provide them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import BillingStatus, Connection, EmailRecord, ParkReason
from gmail_integration.models.gmail import AddedMessage, MessageHeaders, SentMessage
from gmail_integration.models.ledger import ClaimResult, TakenClaim
from gmail_integration.models.pacing import PaceSettings, PaceState, WaitReason
from gmail_integration.models.send_context import MailboxSnapshot, SendContext
from gmail_integration.models.suppressions import Suppression, SuppressionReason
from gmail_integration.models.threads import ThreadLook
from gmail_integration.models.turn_ticket import Premises


class SendContextReader(Protocol):
    def read(
        self,
        workspace_id: str,
        agent_id: str,
        activity_id: str,
        earlier_activity_id: str | None,
        recipient: str | None = None,
    ) -> SendContext: ...

    def snapshot(self, workspace_id: str) -> MailboxSnapshot | None:
        """The mailbox as this container's last ``read`` of it saw it, while recent (dal/send_context.py)."""
        ...


class EmailLedger(Protocol):
    def park(
        self,
        command: SendEmailV1,
        reason: ParkReason,
        now: datetime,
        payload_hash: str,
        *,
        delivery_unconfirmed: bool = False,
    ) -> bool: ...

    def claim(
        self,
        command: SendEmailV1,
        now: datetime,
        lease: timedelta,
        cursor: str | None,
        message_id: str,
        payload_hash: str,
    ) -> ClaimResult: ...

    def mark_sent(
        self,
        workspace_id: str,
        activity_id: str,
        *,
        gmail_message_id: str,
        gmail_thread_id: str,
        message_id: str,
        references: str | None,
        now: datetime,
        parent: tuple[str, str] | None = None,
    ) -> bool:
        """``parent``: (activity id, Message-ID) of the email this one follows up, when the send learned the
        Message-ID Gmail stored for it; written with the SENT record, only where none is kept yet."""
        ...

    def release(self, workspace_id: str, activity_id: str, now: datetime) -> bool: ...

    def mark_failed(self, workspace_id: str, activity_id: str, reason: str, message: str, now: datetime) -> bool: ...

    def mark_invalid(self, workspace_id: str, activity_id: str, reason_message: str, now: datetime) -> bool: ...

    def record_wait(
        self, command: SendEmailV1, now: datetime, not_before: datetime, reason: WaitReason, payload_hash: str
    ) -> bool:
        """EMAIL_READY with ``not_before`` and the reason, creating the record on a first receive; never over a
        live claim, a parked email or a final one (False then)."""
        ...


class SendingGmail(Protocol):
    def ready(self, connection: Connection) -> None:
        """Everything a send needs before its one request (a valid access token); raises a GmailError."""
        ...

    def send(self, connection: Connection, raw: bytes, thread_id: str | None) -> SentMessage: ...

    def message_headers(self, connection: Connection, message_id: str, names: Sequence[str]) -> MessageHeaders: ...

    def added_since(
        self, connection: Connection, start_history_id: str, label_id: str | None = None
    ) -> Iterator[AddedMessage]: ...


class MailboxSetbacks(Protocol):
    """What happens to a mailbox when Google withdraws the grant or the day's quota is spent."""

    def authorization_lost(self, workspace_id: str, reason: str) -> None: ...

    def pause_sending(self, workspace_id: str, until: datetime) -> None: ...

    def throttle(self, workspace_id: str, until: datetime) -> None: ...


class DeadLetters(Protocol):
    def dead_letter(self, body: str, reason: str) -> None: ...


class DelayedResend(Protocol):
    """The send queue taking a message again, hidden for ``delay_s`` and carrying its target time."""

    def send_later(self, body: str, delay_s: int, not_before: float, ticket: str | None = None) -> None: ...


class Postponer(Protocol):
    def postpone(self, receipt_handle: str, seconds: float) -> None: ...


class Redrive(Protocol):
    def __call__(self, workspace_id: str, reasons: Sequence[ParkReason], agent_id: str | None = None) -> int: ...


class GateWriter(Protocol):
    def set_billing(self, workspace_id: str, status: BillingStatus, now: str) -> None: ...

    def set_agent_active(self, workspace_id: str, agent_id: str, active: bool, now: str) -> None: ...


class ParkedEmails(Protocol):
    def parked(self, workspace_id: str, reason: str) -> list[EmailRecord]: ...


class SendQueue(Protocol):
    def send_many(self, bodies: Sequence[str]) -> None: ...


class SendingPauses(Protocol):
    def resume_sending(self, workspace_id: str, until: datetime) -> bool:
        """Lifts the daily-limit pause set until ``until``; False when it was already lifted or moved."""
        ...


class SuppressionList(Protocol):
    """The workspace's addresses that must not be mailed again (a bounce or Gmail's permanent refusal)."""

    def suppress(
        self, workspace_id: str, address: str, reason: SuppressionReason, activity_id: str | None, now: datetime
    ) -> bool: ...

    def suppressions(self, workspace_id: str) -> list[Suppression]: ...

    def lift(self, workspace_id: str, address: str) -> bool: ...


class ThreadReplyCheck(Protocol):
    """The reply kinds that arrived in a Gmail thread after our latest email, recorded as the poll would."""

    def __call__(self, connection: Connection, thread_id: str) -> ThreadLook: ...


class HeldEmails(Protocol):
    """Parked emails as upstream decides about them; each write holds only while the email is parked."""

    def get(self, workspace_id: str, activity_id: str) -> EmailRecord | None: ...

    def release(self, workspace_id: str, activity_id: str, now: datetime) -> bool: ...

    def cancel(self, workspace_id: str, activity_id: str, now: datetime) -> bool: ...


class MailboxPace(Protocol):
    """The mailbox's send slots, shared by every worker (dal/pacing.py); times are epoch seconds."""

    def reserve(self, workspace_id: str, earliest: float, step: float, hint: PaceState | None = None) -> float:
        """The slot handed to one waiting email: ``max(cursor, earliest)``; the cursor moves one ``step`` past it."""
        ...

    def take(
        self, workspace_id: str, now: float, interval: float, max_per_hour: int, hint: PaceState | None = None
    ) -> tuple[bool, PaceState]:
        """Takes the slot right before a send: only if the last send is ``interval`` old (0: no gap), the send before
        it at least ``GMAIL_PAIR_WINDOW_S`` old and the hour under the cap (0: none). Answers whether it was taken
        and the pace as it now stands."""
        ...

    def configure(self, workspace_id: str, settings: PaceSettings) -> PaceState: ...


class TurnBook(Protocol):
    """The pace item and an email's item moved together in one write (dal/turns.py), a call less than apart."""

    def book_wait(
        self,
        command: SendEmailV1,
        payload_hash: str,
        earliest: float,
        step: float,
        seen: PaceState,
        now: datetime,
        reason: WaitReason,
        premises: Premises | None = None,
    ) -> tuple[float, bool]:
        """``MailboxPace.reserve`` and ``EmailLedger.record_wait`` at once: the slot ``max(cursor, earliest)``, the
        cursor one ``step`` past it, the wait recorded until the slot. ``seen``: the pace the context read saw (the
        write is optimistic on its cursor). Answers the slot and whether the wait was recorded (as record_wait).
        ``premises``: checked in the same write, with this payload on the email; raises ``StaleContextError``."""
        ...

    def take_and_claim(
        self,
        command: SendEmailV1,
        payload_hash: str,
        now: datetime,
        pace: tuple[float, int, PaceState],
        seen: EmailRecord | None,
        claim: tuple[timedelta, str | None, str],
        premises: Premises | None = None,
    ) -> TakenClaim:
        """``MailboxPace.take`` and ``EmailLedger.claim`` at once, all or nothing. ``pace``: (interval, hourly cap,
        the pace read); ``claim``: (lease, send cursor, proposed Message-ID); the claim holds only while the email
        is as ``seen`` (the context read) in status, send cursor, Message-ID and park reason, and carries this
        payload, so the claim's answer comes from that read; the take only under the pace settings read. A missed
        slot answers the pace as it stood; a changed email answers neither; a ``premises`` part that no longer
        holds answers ``stale``."""
        ...
