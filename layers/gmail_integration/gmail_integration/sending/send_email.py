"""The send use case: an approved email goes out through Gmail exactly once, or waits visibly with its reason.

Order of work for one delivery of the queue message:
1. read everything in one round trip (gates, mailbox, profile, the email, the email it follows up, whether
   the recipient is suppressed);
2. an email already sent, failed or answered is left alone (SQS redelivers; one activity, one email);
3. a closed gate parks it in Email Ready with the reason (and one ``EmailParked``), consuming the message;
   so does a prospect's answer in the thread of a follow-up (``StopOnReply``, stop_on_reply.py);
4. wait for the mailbox's turn (waiting.py: its pace, the hourly cap, Gmail's 429), take its slot (a conditional
   write), then claim it in the ledger (SENDING with a lease); a live claim elsewhere means: come back after its
   lease;
5. a claim that finds an interrupted earlier attempt first looks in the mailbox's SENT history for our own
   message (metadata only), and records it instead of sending twice;
   a suppressed recipient (a bounce, Gmail's permanent refusal) then fails it without asking Gmail;
6. send, then record SENT with Gmail's ids. Google's answer decides the rest (see ``_on_gmail_error``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from gmail_integration.events.ports import EventPublisher
from gmail_integration.jitter import spread
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import Connection, ConnectionStatus, EmailRecord, EmailStatus, ParkReason
from gmail_integration.models.events import DetailType, ServiceEvent
from gmail_integration.models.gmail import ACTIVITY_HEADER, MessageHeaders, SentMessage, activity_marker
from gmail_integration.models.gmail_errors import (
    AuthorizationLostError,
    DailyLimitError,
    DeliveryUnknownError,
    GmailError,
    GmailNotFoundError,
    OperatorMisconfiguredError,
    PermanentError,
    RateLimitedError,
)
from gmail_integration.models.ledger import ClaimResult
from gmail_integration.models.pacing import WaitReason
from gmail_integration.models.send_context import SendContext
from gmail_integration.models.suppressions import SUPPRESSED_MESSAGE, SuppressionReason
from gmail_integration.models.turn_ticket import StaleContextError, TurnTicket
from gmail_integration.observability import count, logger
from gmail_integration.sending.mime import (
    ThreadRef,
    build_message,
    new_message_id,
)
from gmail_integration.sending.ports import (
    EmailLedger,
    MailboxSetbacks,
    SendContextReader,
    SendingGmail,
    SuppressionList,
)
from gmail_integration.sending.retry import EarlierNotSentError, RetryLaterError
from gmail_integration.sending.stop_on_reply import StopOnReply, ThreadVerdict, Verdict
from gmail_integration.sending.tickets import resume
from gmail_integration.sending.waiting import MailboxTurns

__all__ = ["PayloadMismatchError", "RetryLaterError", "SendEmail", "SendOutcome"]

LONGEST_BACKOFF = timedelta(minutes=15)
"""A wait Google asks for beyond this is Gmail's daily sending limit (it answers 429 with "Retry after <tomorrow>"):
the workspace's sending pauses and its emails park as ``daily_limit_reached``, re-driven when the pause ends."""

DAILY_PAUSE = timedelta(hours=24)

SEARCH_PAUSE_S = 5.0
"""The longest Retry-After the recovery search waits out in place: a mailbox that sent hundreds of emails since the
claim has that many headers to read, more than Gmail's per-user quota allows in one second. Starting the walk over
on each 429 never finishes it (the 5,000-email soak found an email looping so); a short pause lets it go on."""


class SendOutcome(StrEnum):
    SENT = "sent"
    PARKED = "parked"
    ALREADY_PARKED = "already_parked"
    ALREADY_HANDLED = "already_handled"
    FAILED = "failed"


class _Earlier(StrEnum):
    """What became of an earlier attempt of unknown outcome, as far as a look in Gmail before parking can tell."""

    NONE = "none"
    """No such attempt: nothing of this email can be in Gmail."""
    NOT_IN_GMAIL = "not_in_gmail"
    UNKNOWN = "unknown"
    """Gmail could not be asked (disconnected, history expired, no answer): the prospect may have it."""


@dataclass(frozen=True)
class SentSearch:
    found: SentMessage | None
    conclusive: bool


class PayloadMismatchError(Exception):
    """The activity id was already used for a different email: never send or overwrite on its strength."""


PERMANENT_REASONS: dict[str, tuple[str, str]] = {
    "invalid_recipient": ("invalid_recipient", "Gmail refused the recipient address. Check the prospect's email."),
    "too_large": ("message_too_large", "The email is larger than Gmail accepts. Shorten it or remove images."),
}


def _held_for_reply(email: EmailRecord | None) -> bool:
    return (
        email is not None
        and email.status is EmailStatus.EMAIL_READY
        and email.reason == ParkReason.PROSPECT_REPLIED.value
        and not email.released
    )


def payload_hash(command: SendEmailV1) -> str:
    return hashlib.sha256(command.model_dump_json().encode()).hexdigest()


def _permanent_reason(error: PermanentError) -> tuple[str, str]:
    words = error.message.lower()
    if error.status == 413 or "too large" in words or "exceeds" in words:
        return PERMANENT_REASONS["too_large"]
    if "recipient" in words or "to header" in words or "address" in words:
        return PERMANENT_REASONS["invalid_recipient"]
    return "gmail_refused", f"Gmail refused this email: {error.message or error.reason}."


@dataclass
class _Attempt:
    """One claimed attempt; ``handed_to_gmail`` tells a crash before the send call from one after it."""

    claim: ClaimResult
    message_id: str
    digest: str
    handed_to_gmail: bool = False
    parent: tuple[str, str] | None = None
    """The followed-up email's Message-ID, learned for this send, to keep with its SENT record."""


@dataclass(frozen=True)
class SendEmail:
    contexts: SendContextReader
    ledger: EmailLedger
    gmail: SendingGmail
    mailboxes: MailboxSetbacks
    events: EventPublisher
    clock: Callable[[], datetime]
    message_id_domain: str
    lease: timedelta = timedelta(minutes=2)
    suppressions: SuppressionList | None = None
    stop_on_reply: StopOnReply | None = None
    turns: MailboxTurns | None = None
    """The mailbox's pace (waiting.py); unset, only Gmail's own 429s hold a mailbox back."""
    sleep: Callable[[float], None] = time.sleep

    def __call__(
        self, command: SendEmailV1, slot: float | None = None, ticket: TurnTicket | None = None
    ) -> SendOutcome:
        """``slot``: the turn (epoch seconds) an earlier wait of this email reserved, carried by its message;
        ``ticket``: what that wait's read saw (sending/tickets.py), so the turn may go without a read."""
        context = self._without_read(command, slot, ticket)
        count("SendsDecidedWithoutRead" if context is not None else "SendsDecidedOnRead")
        if context is not None:
            try:
                return self._decide(command, context, slot)
            except StaleContextError as stale:
                # Nothing was written on the context's strength: decide again on what the table says now.
                count("SendContextsStale")
                logger.info(
                    "the container's view of the mailbox was out of date; read afresh", extra={"why": str(stale)}
                )
        return self._decide(command, self._read(command), slot)

    def _without_read(self, command: SendEmailV1, slot: float | None, ticket: TurnTicket | None) -> SendContext | None:
        """The context from the container's last read of the mailbox (sending/tickets.py), when that may do: a first
        email's first receive, or a turn whose message carries a ticket. A follow-up's first receive reads, since
        its thread comes from the table."""
        if slot is None and not command.in_reply_to_activity_id:
            return resume(command, TurnTicket(), self.contexts.snapshot(command.workspace_id), self.clock(), new=True)
        if slot is not None and ticket is not None:
            return resume(command, ticket, self.contexts.snapshot(command.workspace_id), self.clock())
        return None

    def _read(self, command: SendEmailV1) -> SendContext:
        return self.contexts.read(
            command.workspace_id,
            command.agent_id,
            command.activity_id,
            command.in_reply_to_activity_id,
            recipient=command.to.email,
        )

    def _decide(self, command: SendEmailV1, context: SendContext, slot: float | None) -> SendOutcome:
        digest = payload_hash(command)
        existing = context.email
        if existing is not None and existing.payload_hash not in (None, digest):
            raise PayloadMismatchError("activity_id was already used for a different email")
        if existing is not None and existing.status not in (EmailStatus.EMAIL_READY, EmailStatus.SENDING):
            logger.info("email already handled", extra={"status": existing.status.value})
            return SendOutcome.ALREADY_HANDLED
        if existing is not None and existing.status is EmailStatus.SENDING:
            lease_until = existing.lease_until or self.clock()
            if lease_until > self.clock():
                # Another delivery is sending it right now: whatever the gates say, its outcome is that worker's.
                wait = (lease_until - self.clock()).total_seconds() + 1
                raise RetryLaterError("another delivery of this email is being sent", wait)
        if _held_for_reply(existing):
            return SendOutcome.ALREADY_PARKED  # only upstream's release or cancel moves it on
        reason = context.gates.closed_by(self.clock())
        if reason is not None:
            # An interrupted attempt parked here keeps its send cursor in the ledger: the claim after the re-drive
            # looks in Gmail before sending, so a gate closing on an unconfirmed send never makes a second copy.
            waiting = existing is not None and existing.status is EmailStatus.EMAIL_READY
            if waiting and existing is not None and existing.reason == reason.value:
                return SendOutcome.ALREADY_PARKED
            return self._park_settled(command, context, reason, digest, at_gate=True)
        connection = context.connection
        assert connection is not None, "an open Gmail gate means a connection"
        if self.turns is not None:
            # The mailbox's pace, Gmail's 429 (throttled_until) and the hourly cap: one turn, waited for visibly.
            self.turns.await_turn(command, context, digest, slot)
        elif connection.throttled_until is not None and connection.throttled_until > self.clock():
            # Another delivery just heard "slow down" for this mailbox: wait with it instead of asking again.
            wait = (connection.throttled_until - self.clock()).total_seconds()
            raise RetryLaterError("Gmail rate limit for this mailbox", spread(wait))
        stored = context.earlier.rfc_message_id if context.earlier else None  # before the thread check teaches it
        if self.stop_on_reply is not None and not context.recipient_suppressed:
            try:
                look = self.stop_on_reply(command, context, connection)
            except (RateLimitedError, DailyLimitError, AuthorizationLostError) as error:
                # Nothing is claimed yet: the same answers as for a send (wait, pause, or park for reconnect).
                return self._on_gmail_error(command, error, digest, unclaimed=context)
            if look.verdict is ThreadVerdict.REPLIED:
                return self._park_settled(command, context, ParkReason.PROSPECT_REPLIED, digest)
            context = self._learned(context, look)
        return self._send(command, context, connection, digest, first=slot is None, stored_rfc=stored)

    def _park_settled(
        self, command: SendEmailV1, context: SendContext, reason: ParkReason, digest: str, *, at_gate: bool = False
    ) -> SendOutcome:
        """Parks, unless an earlier attempt turns out to be in Gmail already (then it is recorded SENT). When Gmail
        cannot tell, the parked email says so (``delivery_unconfirmed``): the prospect may have it while Email
        Ready shows it waiting, and its next claim looks in Gmail before sending, so no second copy goes out.
        A context built without a read never parks: the decision is made again on a fresh read."""
        if context.premises is not None:
            raise StaleContextError(f"about to park ({reason.value}) on a context built without a read")
        earlier = self._settle_unconfirmed(command, context, digest)
        if isinstance(earlier, SendOutcome):
            return earlier
        unconfirmed = earlier is _Earlier.UNKNOWN
        if unconfirmed:
            count("ParkedDeliveryUnconfirmed", reason=reason.value)
        if at_gate:
            return self._park_at_gate(command, reason, digest, unconfirmed)
        return self._park(command, reason, digest, unconfirmed)

    def _settle_unconfirmed(self, command: SendEmailV1, context: SendContext, digest: str) -> SendOutcome | _Earlier:
        """Before an attempt whose outcome is unknown parks, look in Gmail while the mailbox still answers: an email
        the prospect already has is recorded SENT, not shown waiting in Email Ready."""
        existing, connection = context.email, context.connection
        unconfirmed = existing is not None and (existing.status is EmailStatus.SENDING or bool(existing.send_cursor))
        if not unconfirmed or existing is None:
            return _Earlier.NONE
        if connection is None or connection.status is not ConnectionStatus.CONNECTED or not existing.message_id:
            return _Earlier.UNKNOWN
        try:
            thread = self._thread_for(command, context.earlier, connection)
        except EarlierNotSentError:
            return _Earlier.NOT_IN_GMAIL  # a follow-up leaves only after the email it follows is SENT, for good
        except (GmailError, RetryLaterError):
            return _Earlier.UNKNOWN
        try:
            search = self._find_sent(connection, existing.send_cursor, existing.message_id)
        except (GmailError, RetryLaterError):
            return _Earlier.UNKNOWN
        if search.found is None:
            return _Earlier.NOT_IN_GMAIL if search.conclusive else _Earlier.UNKNOWN
        claim = self.ledger.claim(command, self.clock(), self.lease, connection.history_id, existing.message_id, digest)
        if not claim.claimed:
            # Another delivery claimed it since the read: it looks in Gmail too, and records what is there.
            raise RetryLaterError("another delivery of this email is being sent", self.lease.total_seconds())
        logger.info("unconfirmed send found in Gmail before parking; recorded without sending again")
        return self._record_sent(command, search.found, thread, claim.message_id or existing.message_id)

    def _learned(self, context: SendContext, look: Verdict) -> SendContext:
        """What the thread check taught: a bounce suppresses, the parent's Message-ID spares a Gmail call."""
        if look.verdict is ThreadVerdict.BOUNCED:
            context = replace(context, recipient_suppressed=True)
        earlier = context.earlier
        if look.parent_message_id and earlier is not None and not earlier.rfc_message_id:
            # Kept with the SENT record (``_Attempt.parent``), not written now: the write is free there, and by then a
            # ticket's view of the earlier email has been checked by the claim.
            context = replace(context, earlier=earlier.model_copy(update={"rfc_message_id": look.parent_message_id}))
        return context

    # ---- sending ----
    def _send(
        self,
        command: SendEmailV1,
        context: SendContext,
        connection: Connection,
        digest: str,
        *,
        first: bool = False,
        stored_rfc: str | None = None,
    ) -> SendOutcome:
        """``first``: the message's first receive, which never sleeps (the rest of its batch must be recorded).
        ``stored_rfc``: the followed-up email's Message-ID as the table keeps it; one learned on the way is written
        with the SENT record."""
        try:
            thread = self._thread_for(command, context.earlier, connection)
        except EarlierNotSentError as waiting:
            if self.turns is not None:
                until = self.clock().timestamp() + waiting.delay_s
                self.turns.record(command, digest, until, WaitReason.EARLIER_EMAIL_NOT_SENT)
            raise
        if self.turns is not None:
            # The slot is taken with the claim, just before the Gmail call: only the MIME build sits between the
            # stamp and the send; a token refresh is done before it. A slot missed by more than a second is a
            # recorded wait, with nothing claimed to give back.
            try:
                self.gmail.ready(connection)
            except GmailError as error:
                return self._on_gmail_error(command, error, digest, unclaimed=context)
        proposed = new_message_id(self.message_id_domain)

        def claim_apart() -> ClaimResult:
            return self.ledger.claim(command, self.clock(), self.lease, connection.history_id, proposed, digest)

        if self.turns is not None:
            # One write takes the slot and claims the email (waiting.py); the claim's answer comes from the read.
            claim = self.turns.take_and_claim(
                command, context, digest, (self.lease, connection.history_id, proposed), claim_apart, first=first
            )
        else:
            claim = claim_apart()
        if not claim.claimed:
            raise RetryLaterError("another delivery of this email is being sent", self.lease.total_seconds())
        message_id = claim.message_id or proposed
        # An interrupted claim's earlier attempt may already be in Gmail: whatever this delivery then does (record
        # what it finds, fail it unconfirmed, send), a crash must keep the claim, or the next delivery would claim
        # afresh without looking and could send a second copy (the 5,000-email soak found both paths).
        attempt = _Attempt(claim=claim, message_id=message_id, digest=digest, handed_to_gmail=claim.interrupted)
        earlier = context.earlier
        if thread is not None and earlier is not None and thread.message_id and not stored_rfc:
            attempt.parent = (earlier.activity_id, thread.message_id)
        try:
            return self._send_claimed(command, context, connection, thread, attempt)
        except (RetryLaterError, GmailError):
            raise  # decided above: released, or kept on purpose (Gmail may have the email)
        except Exception:
            # Unforeseen: never leave the email SENDING in silence. Before Gmail was asked, nothing went out, so
            # the claim is given back and the redelivery (or the DLQ's re-drive) can finish it. After, the claim is
            # kept: its lease ends and the retry looks in Gmail before sending, so no second copy can go out.
            released = not attempt.handed_to_gmail and self.ledger.release(
                command.workspace_id, command.activity_id, self.clock()
            )
            logger.exception(
                "send stopped after the claim",
                extra={
                    "workspace_id": command.workspace_id,
                    "activity_id": command.activity_id,
                    "claim_released": released,
                },
            )
            count("SendsCrashed")
            raise

    def _send_claimed(
        self,
        command: SendEmailV1,
        context: SendContext,
        connection: Connection,
        thread: ThreadRef | None,
        attempt: _Attempt,
    ) -> SendOutcome:
        claim, message_id, digest = attempt.claim, attempt.message_id, attempt.digest
        if claim.interrupted:
            search = self._find_sent(connection, claim.send_cursor, message_id)
            if search.found is not None:
                logger.info("interrupted send found in Gmail; recorded without sending again")
                return self._record_sent(command, search.found, thread, message_id, attempt.parent)
            if not search.conclusive:
                return self._fail(
                    command,
                    "delivery_unconfirmed",
                    "Sending was interrupted and Gmail's history no longer shows whether it went out."
                    " Check your Sent folder.",
                )
        if context.recipient_suppressed:
            # Checked once the claim is ours (FAILED is written from SENDING only), before any Gmail call.
            return self._fail(command, "recipient_suppressed", SUPPRESSED_MESSAGE)
        try:
            raw = build_message(
                command,
                sender_email=connection.email or "",
                profile=context.profile,
                message_id=message_id,
                sent_at=self.clock(),
                thread=thread,
            )
        except (ValueError, TypeError, LookupError):
            # The same email would fail the same way on every delivery: a final state with its reason, at once.
            logger.exception("email could not be built")
            return self._fail(
                command,
                "invalid_message",
                "This email could not be written as a valid message. Edit it and send again.",
            )
        attempt.handed_to_gmail = True
        try:
            sent = self.gmail.send(connection, raw, thread.gmail_thread_id if thread else None)
        except DeliveryUnknownError:
            # Gmail may have the email: keep the claim; after its lease the retry looks before sending again.
            count("SendsUncertain")
            raise
        except GmailError as error:
            return self._on_gmail_error(command, error, digest)
        return self._record_sent(command, sent, thread, message_id, attempt.parent)

    def _record_sent(
        self,
        command: SendEmailV1,
        sent: SentMessage,
        thread: ThreadRef | None,
        message_id: str,
        parent: tuple[str, str] | None = None,
    ) -> SendOutcome:
        references = f"{thread.references} {thread.message_id}".strip() if thread else None
        recorded = self.ledger.mark_sent(
            command.workspace_id,
            command.activity_id,
            gmail_message_id=sent.gmail_message_id,
            gmail_thread_id=sent.gmail_thread_id,
            message_id=message_id,
            references=references,
            now=self.clock(),
            parent=parent,
        )
        if not recorded:
            # Our claim was no longer ours (its lease ran out and another delivery recorded the email).
            logger.warning("email already recorded by another delivery", extra={"gmail_id": sent.gmail_message_id})
            return SendOutcome.ALREADY_HANDLED
        self._announce(
            DetailType.EMAIL_SENT,
            command,
            gmail_message_id=sent.gmail_message_id,
            gmail_thread_id=sent.gmail_thread_id,
        )
        count("EmailsSent")
        logger.info("email sent", extra={"gmail_message_id": sent.gmail_message_id})
        return SendOutcome.SENT

    def _on_gmail_error(
        self, command: SendEmailV1, error: GmailError, digest: str, *, unclaimed: SendContext | None = None
    ) -> SendOutcome:
        """Google answered, so nothing was sent: decide between retry, park and fail. Without ``unclaimed`` the
        answer was to this delivery's own send, so its claim is given back. With it (a Gmail call before the claim:
        the thread check, the token refresh) an earlier attempt's marks are left alone, since that attempt may still
        be in Gmail, and a park first looks for it there (``_park_settled``). An answer to a call made on a context
        built without a read is not acted on: the connection it used may be one the user has since replaced (a
        revoked grant there must not mark the new one), so the email is read and decided afresh."""
        if unclaimed is not None and unclaimed.premises is not None:
            raise StaleContextError(f"Gmail answered {type(error).__name__} on the container's view of the mailbox")
        ws, act = command.workspace_id, command.activity_id
        claimed = unclaimed is None

        def release() -> None:
            if claimed:
                self.ledger.release(ws, act, self.clock())

        def park(reason: ParkReason, can_look: bool = True) -> SendOutcome:
            if unclaimed is None:
                return self._park(command, reason, digest)
            context = unclaimed if can_look else replace(unclaimed, connection=None)
            return self._park_settled(command, context, reason, digest)

        if isinstance(error, RateLimitedError) and error.retry_after_s <= LONGEST_BACKOFF.total_seconds():
            release()
            until = self.clock() + timedelta(seconds=error.retry_after_s)
            self.mailboxes.throttle(ws, until)
            count("SendsRetried", reason="rate_limited")
            count("GmailRateLimited")
            if self.turns is not None:
                # The 429 moves the mailbox's turn (throttled_until): this email takes a slot after it, like the rest.
                self.turns.wait(command, digest, until.timestamp(), WaitReason.GMAIL_RATE_LIMIT)
            raise RetryLaterError("Gmail rate limit", spread(error.retry_after_s)) from error
        if isinstance(error, RateLimitedError | DailyLimitError):
            wait = getattr(error, "retry_after_s", None)
            until = self.clock() + (timedelta(seconds=wait) if wait else DAILY_PAUSE)
            self.mailboxes.pause_sending(ws, until)
            release()  # Google refused: nothing of this attempt is in Gmail
            return park(ParkReason.DAILY_LIMIT_REACHED)
        if isinstance(error, AuthorizationLostError):
            self.mailboxes.authorization_lost(ws, error.reason)
            release()
            return park(ParkReason.GMAIL_NEEDS_RECONNECT, can_look=False)  # the mailbox no longer answers
        if isinstance(error, PermanentError):
            reason, words = _permanent_reason(error)
            if reason == "invalid_recipient" and self.suppressions is not None:
                self.suppressions.suppress(ws, command.to.email, SuppressionReason.INVALID_RECIPIENT, act, self.clock())
            return self._fail(command, reason, words)
        release()
        if isinstance(error, OperatorMisconfiguredError):
            count("OperatorMisconfigured")
            logger.error("Google refuses the OAuth client: check the deployment's client id and secret")
        count("SendsRetried", reason=type(error).__name__)
        raise error

    # ---- follow-ups ----
    def _thread_for(
        self, command: SendEmailV1, earlier: EmailRecord | None, connection: Connection
    ) -> ThreadRef | None:
        if not command.in_reply_to_activity_id:
            return None
        if earlier is None:
            logger.warning("follow-up of an unknown email; sent as a new conversation")
            return None
        if earlier.status in (EmailStatus.EMAIL_READY, EmailStatus.SENDING):
            raise EarlierNotSentError("the email this follows up is not sent yet", 60)
        if not earlier.gmail_thread_id or not earlier.gmail_message_id:
            logger.warning("follow-up of an email that was never sent; sent as a new conversation")
            return None
        rfc_message_id = earlier.rfc_message_id
        if not rfc_message_id:
            try:
                headers = self.gmail.message_headers(connection, earlier.gmail_message_id, ["Message-ID"])
            except GmailNotFoundError:
                logger.warning("the followed-up email is gone from this mailbox; sent as a new conversation")
                return None
            rfc_message_id = headers.headers.get("message-id") or earlier.message_id or ""
        return ThreadRef(
            gmail_thread_id=earlier.gmail_thread_id,
            message_id=rfc_message_id,
            subject=earlier.subject,
            references=earlier.references or "",
        )

    # ---- recovery ----
    def _find_sent(self, connection: Connection, cursor: str | None, message_id: str) -> SentSearch:
        """Our message among the mailbox's SENT additions since the claim, by our header or our Message-ID.

        The metadata scope forbids a search query, so this walks history (``labelId=SENT``) and reads only the
        two headers that identify us. Without a usable cursor the outcome can't be known: the caller fails the
        email with words that send the user to their Sent folder, rather than risking a second copy.
        """
        if not cursor:
            return SentSearch(found=None, conclusive=False)
        marker = activity_marker(message_id)
        names = [ACTIVITY_HEADER, "Message-ID"]
        try:
            for added in self.gmail.added_since(connection, cursor, label_id="SENT"):
                found = self._headers(connection, added.gmail_message_id, names)
                ours = found.headers.get(ACTIVITY_HEADER.lower()) == marker
                if ours or found.headers.get("message-id") == message_id:
                    return SentSearch(SentMessage(found.gmail_message_id, found.gmail_thread_id), conclusive=True)
        except GmailNotFoundError:
            return SentSearch(found=None, conclusive=False)
        return SentSearch(found=None, conclusive=True)

    def _headers(self, connection: Connection, gmail_message_id: str, names: Sequence[str]) -> MessageHeaders:
        """One read of the recovery search, waiting out Gmail's short rate limits instead of giving up the walk."""
        for _ in range(3):
            try:
                return self.gmail.message_headers(connection, gmail_message_id, names)
            except RateLimitedError as error:
                if error.retry_after_s > SEARCH_PAUSE_S:
                    raise
                count("RecoverySearchPaused")
                self.sleep(max(error.retry_after_s, 0.5))
        return self.gmail.message_headers(connection, gmail_message_id, names)

    # ---- outcomes ----
    def _announce(self, detail_type: DetailType, command: SendEmailV1, **ids: str) -> None:
        self.events.publish(
            ServiceEvent(
                detail_type=detail_type,
                workspace_id=command.workspace_id,
                activity_id=command.activity_id,
                agent_id=command.agent_id,
                **ids,
            )
        )

    def _park_at_gate(
        self, command: SendEmailV1, reason: ParkReason, digest: str, unconfirmed: bool = False
    ) -> SendOutcome:
        """Parks behind a closed gate, then looks at the gates once more: a gate that reopened between the read and
        the park has already re-driven the emails it found parked, without this one, which would then wait for a
        re-drive that never comes. Such an email goes round again at once instead (a wait, not a failure)."""
        outcome = self._park(command, reason, digest, unconfirmed)
        again = self.contexts.read(
            command.workspace_id, command.agent_id, command.activity_id, command.in_reply_to_activity_id
        )
        if again.gates.closed_by(self.clock()) is None:
            count("ParkedAsGateReopened")
            raise RetryLaterError("the gate reopened while this email parked", 1)
        return outcome

    def _park(self, command: SendEmailV1, reason: ParkReason, digest: str, unconfirmed: bool = False) -> SendOutcome:
        # Announce first, record second: a crash in between repeats the event (EventBridge is at-least-once
        # anyway) instead of losing it.
        self._announce(DetailType.EMAIL_PARKED, command, reason=reason.value)
        changed = self.ledger.park(command, reason, self.clock(), digest, delivery_unconfirmed=unconfirmed)
        count("EmailsParked", reason=reason.value)
        logger.info(
            "email parked", extra={"reason": reason.value, "changed": changed, "delivery_unconfirmed": unconfirmed}
        )
        return SendOutcome.PARKED

    def _fail(self, command: SendEmailV1, reason: str, words: str) -> SendOutcome:
        self.ledger.mark_failed(command.workspace_id, command.activity_id, reason, words, self.clock())
        self._announce(DetailType.EMAIL_FAILED, command, reason=reason)
        count("EmailsFailed", reason=reason)
        logger.warning("email failed", extra={"reason": reason})
        return SendOutcome.FAILED
