"""The one signal for "not now": nothing was sent, and the queue message is to come back after a delay."""

from __future__ import annotations


class RetryLaterError(Exception):
    """Nothing was sent; the intake sends the message again with ``delay_s`` (SQS DelaySeconds, chained beyond
    15 minutes) and acknowledges this delivery, so waiting never counts towards the dead-letter queue."""

    def __init__(self, reason: str, delay_s: float, ticket: str | None = None) -> None:
        super().__init__(f"{reason}; retry in {delay_s:.0f}s")
        self.reason = reason
        self.delay_s = delay_s
        self.ticket = ticket
        """What the returning message carries so its turn needs no read (models/turn_ticket.py), if anything."""


class EarlierNotSentError(RetryLaterError):
    """A follow-up whose earlier email has not gone out yet waits for it (the thread needs its ids)."""
