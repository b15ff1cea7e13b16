"""Reading one send-queue message: a valid one goes to the send use case, a poison one is set aside, visibly.

A message that can never be valid is not worth eight redeliveries: it goes straight to the dead-letter queue with
its reason (which raises the alarm), and, when its workspace and activity can be read, its email shows FAILED.

Waiting is not failing: when the email must wait (``RetryLaterError``), the same body is sent again with the delay
and its target time (``not_before``), and this delivery is acknowledged. The new message goes out before the old
one is deleted (at least once; the ledger keeps the send exactly once), and its receive count starts again, so only
real failures (exceptions, Gmail's 5xx or network) use the visibility back-off and count towards the DLQ. A message
back before its ``not_before`` (waits beyond SQS's 15 minutes chain) goes round again without reading the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from gmail_integration.jitter import with_jitter
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.gmail_errors import DeliveryUnknownError, GmailError
from gmail_integration.models.pacing import WaitReason
from gmail_integration.models.turn_ticket import TurnTicket
from gmail_integration.models.types import Identifier
from gmail_integration.observability import count, logger
from gmail_integration.sending.pacing import INLINE_WAIT_S, sqs_delay_s
from gmail_integration.sending.ports import DeadLetters, DelayedResend, EmailLedger, Postponer
from gmail_integration.sending.send_email import (
    LONGEST_BACKOFF,
    PayloadMismatchError,
    RetryLaterError,
    SendEmail,
    SendOutcome,
    payload_hash,
)
from gmail_integration.strict_json import StrictJsonError, loads_strict

_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)
FIRST_BACKOFF_S = 10.0


def transient_backoff_s(receive_count: int) -> float:
    return with_jitter(min(FIRST_BACKOFF_S * 2 ** max(0, receive_count - 1), LONGEST_BACKOFF.total_seconds()))


def describe_errors(exc: ValidationError) -> str:
    """A short reason a person can act on, naming the fields without echoing their values (which may be bodies)."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "message"
        parts.append(f"{where}: {error['msg']}")
    return "invalid send message (" + "; ".join(parts) + ")"


def _usable_id(payload: Any, key: str) -> str | None:
    value = payload.get(key) if isinstance(payload, dict) else None
    try:
        return _IDENTIFIER.validate_python(value)
    except ValidationError:
        return None


@dataclass(frozen=True)
class ProcessSendMessage:
    send_email: SendEmail
    ledger: EmailLedger
    dead_letters: DeadLetters
    postponer: Postponer
    clock: Callable[[], datetime]
    resend: DelayedResend | None = None

    def __call__(
        self,
        body: str,
        receipt_handle: str,
        receive_count: int = 1,
        not_before: float | None = None,
        ticket: str | None = None,
    ) -> SendOutcome | None:
        """``not_before`` and ``ticket``: what a waiting email's message carries (its turn, and what the read before
        the wait saw, models/turn_ticket.py); a message from upstream carries neither."""
        try:
            loads_strict(body)  # duplicate keys, absurd depth or numbers: refused, never resolved
            command = SendEmailV1.model_validate_json(body)
        except StrictJsonError as exc:
            self._reject(body, f"invalid send message ({exc})")
            return None
        except ValidationError as exc:
            self._reject(body, describe_errors(exc))
            return None
        logger.append_keys(workspace_id=command.workspace_id, activity_id=command.activity_id)
        now = self.clock().timestamp()
        if self.resend is not None and not_before is not None and not_before - now > INLINE_WAIT_S:
            # A wait longer than one SQS delay: the next hop, decided without reading the table.
            count("SendWaitHops")
            self.resend.send_later(body, sqs_delay_s(not_before, now), not_before, ticket)
            logger.remove_keys(["workspace_id", "activity_id"])
            return None
        try:
            return self.send_email(command, slot=not_before, ticket=TurnTicket.from_attribute(ticket))
        except PayloadMismatchError as exc:
            logger.error("send message rejected", extra={"reason": str(exc)})
            count("InvalidSendMessages")
            self.dead_letters.dead_letter(body, str(exc))
            return None
        except RetryLaterError as exc:
            if self.resend is None:
                # The message comes back when Google (or the other worker) is ready, not after the queue's default.
                self.postponer.postpone(receipt_handle, exc.delay_s)
                raise
            until = self.clock().timestamp() + exc.delay_s
            self.resend.send_later(body, sqs_delay_s(until, self.clock().timestamp()), until, exc.ticket)
            return None
        except DeliveryUnknownError:
            # Come back just after the claim's lease, when the retry may look in Gmail for this email.
            self.postponer.postpone(receipt_handle, self.send_email.lease.total_seconds() + 5)
            raise
        except GmailError:
            # Google or the network stumbled: back off exponentially with the deliveries so far, so the queue's
            # maxReceiveCount spans minutes of trouble before the dead-letter queue, not seconds.
            self.postponer.postpone(receipt_handle, transient_backoff_s(receive_count))
            raise
        except Exception:
            # Unforeseen (a table or network error): the message is retried and, at maxReceiveCount, dead-lettered;
            # either way the functions log has a line with the ids.
            logger.exception(
                "send message not processed; it will be retried",
                extra={
                    "workspace_id": command.workspace_id,
                    "activity_id": command.activity_id,
                    "receive_count": receive_count,
                },
            )
            raise
        finally:
            logger.remove_keys(["workspace_id", "activity_id"])

    def defer(self, body: str, not_before: float | None, ticket: str | None = None) -> bool:
        """A record the invocation has no time left for goes back on the queue at once, keeping its turn; a first
        receive also shows its email (waiting in line), so every approved email is visible. False: not deferred."""
        if self.resend is None:
            return False
        try:
            loads_strict(body)
            command = SendEmailV1.model_validate_json(body)
        except (StrictJsonError, ValidationError):
            return False  # the next receive rejects it with its reason
        now = self.clock()
        if not_before is None:
            self.ledger.record_wait(command, now, now, WaitReason.IN_LINE, payload_hash(command))
        self.resend.send_later(body, 0, not_before if not_before is not None else now.timestamp(), ticket)
        return True

    def _reject(self, body: str, reason: str) -> None:
        try:
            payload: Any = loads_strict(body)
        except StrictJsonError:
            # Unreadable as a whole (duplicate keys included): no id in it can be trusted to name an email.
            payload = None
        workspace_id, activity_id = _usable_id(payload, "workspace_id"), _usable_id(payload, "activity_id")
        logger.error(
            "send message rejected", extra={"reason": reason, "workspace_id": workspace_id, "activity_id": activity_id}
        )
        count("InvalidSendMessages")
        if workspace_id and activity_id:
            self.ledger.mark_invalid(workspace_id, activity_id, reason, self.clock())
        self.dead_letters.dead_letter(body, reason)
