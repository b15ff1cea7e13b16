"""What an email's first receive saw, carried by its re-sent message so that its turn needs no table read.

A burst of approved emails to one mailbox waits: each email's first receive reads everything (the send context),
records the wait and sends its message back with a delay. When it returns, nothing has usually changed, and the read
would cost a call per email. The ticket says what the first receive knew that the turn cannot learn from the
container alone (the email it follows up, once sent); the mailbox's state comes from the container's last read. None
of it is trusted: the claim's write holds only while every premise is still true in the table (``Premises``), and
any change sends the email through the full read instead. A forged or damaged ticket therefore costs a read, never a
wrong send.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

TICKET_ATTRIBUTE = "turn"
"""The send queue message attribute that carries the ticket (next to ``not_before``, the turn's time)."""


class EarlierSeen(BaseModel):
    """The sent email a follow-up answers, as the first receive read it: the thread the follow-up joins."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    activity_id: str
    gmail_thread_id: str
    gmail_message_id: str
    subject: str
    rfc_message_id: str | None = None
    message_id: str | None = None
    references: str | None = None


class TurnTicket(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    earlier: EarlierSeen | None = None
    """For a follow-up: the sent email it answers; None: the table had no such email (sent as a new conversation)."""

    def to_attribute(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_attribute(cls, text: str | None) -> TurnTicket | None:
        """An unreadable ticket is no ticket: the email is read afresh, as on a first receive."""
        if not text:
            return None
        try:
            return cls.model_validate_json(text)
        except ValidationError:
            return None


@dataclass(frozen=True)
class Premises:
    """What a send context not read afresh assumes; the claim's write checks every one of them in the table.

    ``connected_at``: the mailbox connection the container read (a reconnect or disconnect changes it); it must still
    be connected, not paused by Gmail's daily limit and not throttled. ``profile_stamp``: the sender profile's
    ``updated_at`` (None: there was none). The agent must be active, billing not past due, the recipient not
    suppressed, and the followed-up email (``earlier``, when the command names one) still as the ticket says.
    """

    connected_at: str
    profile_stamp: str | None
    agent_id: str
    recipient: str
    earlier_activity_id: str | None
    earlier: EarlierSeen | None
    now: str
    """The moment the throttle and pause must have passed by (ISO, as the connection item keeps them)."""


class StaleContextError(Exception):
    """A context built without a read rests on something that changed (a premise, or the email itself): nothing was
    written on its strength; read afresh and decide again."""
