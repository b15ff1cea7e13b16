"""What the Gmail port raises, sorted by what the service does about it; ``gmail/errors.py`` maps Google's errors
onto these, so use cases catch them without knowing any Google library."""

from __future__ import annotations


class GmailError(Exception):
    """Base of the taxonomy; ``str()`` never contains a token or a body."""


class AuthorizationLostError(GmailError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OperatorMisconfiguredError(GmailError):
    """The OAuth client itself is refused: an operator must fix the deployment; no user is at fault."""


class RateLimitedError(GmailError):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after_s:.0f}s")
        self.retry_after_s = retry_after_s


class DailyLimitError(GmailError):
    def __init__(self, retry_after_s: float | None = None) -> None:
        super().__init__("daily sending limit reached")
        self.retry_after_s = retry_after_s


class TransientError(GmailError):
    pass


class GmailNotFoundError(GmailError):
    """Gmail has no such resource: a message gone, or a history cursor too old to read from."""


class PermanentError(GmailError):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message


class DeliveryUnknownError(TransientError):
    """The send call failed without an answer from Google: the message may or may not have gone out."""
