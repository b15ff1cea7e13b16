"""Google's errors sorted by what the service does about them.

| error                                   | meaning for us                               |
|-----------------------------------------|----------------------------------------------|
| token refresh ``invalid_grant``         | AuthorizationLostError(token_revoked)        |
| refreshed token lacks a required scope  | AuthorizationLostError(scope_removed)        |
| 400 failedPrecondition, Mail service... | AuthorizationLostError(account_disabled)     |
| ``invalid_client`` / ``deleted_client`` | OperatorMisconfiguredError: users untouched  |
| 429, 403 rate/userRateLimitExceeded     | RateLimitedError(retry_after_s)              |
| 403 dailyLimitExceeded, sending quota   | DailyLimitError                              |
| 404 on history.list                     | GmailNotFoundError (caller knows: cursor old) |
| other 4xx                               | PermanentError(reason, message)              |
| 5xx, 401 after refresh, transport, ...  | TransientError                               |

A 401 or 403 alone never disconnects anyone: only Google's word on the grant itself does.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from gmail_integration.models.gmail_errors import (
    AuthorizationLostError,
    DailyLimitError,
    GmailError,
    GmailNotFoundError,
    OperatorMisconfiguredError,
    PermanentError,
    RateLimitedError,
    TransientError,
)

_RETRY_AFTER_TEXT = re.compile(r"Retry after (\d{4}-\d{2}-\d{2}T[0-9:.]+Z?)", re.IGNORECASE)
_DEFAULT_RATE_LIMIT_BACKOFF_S = 30.0
_AUTH_LOST_REFRESH_ERRORS = {"invalid_grant"}
_OPERATOR_REFRESH_ERRORS = {"invalid_client", "deleted_client", "unauthorized_client"}
_RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
_DAILY_LIMIT_REASONS = {"dailyLimitExceeded", "quotaExceeded", "dailyLimitExceededUnreg"}


def _error_body(exc: HttpError) -> dict[str, Any]:
    try:
        body = json.loads(exc.content or b"{}")
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _first_reason(error: dict[str, Any]) -> str:
    errors = error.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("reason") or "")
    return str(error.get("status") or "")


def retry_after_seconds(message: str, header: str | None, now: datetime) -> float | None:
    """Google's wait: the "Retry after <time>" it writes into the message first, then the Retry-After header."""
    match = _RETRY_AFTER_TEXT.search(message or "")
    if match:
        try:
            when = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
            return max(0.0, (when - now).total_seconds())
        except ValueError:
            pass
    if header:
        header = header.strip()
        if header.isdigit():
            return float(header)
        try:
            return max(0.0, (parsedate_to_datetime(header) - now).total_seconds())
        except (TypeError, ValueError):
            return None
    return None


def _from_refresh_error(exc: RefreshError) -> GmailError:
    details = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    code = str(details.get("error") or "")
    if code in _AUTH_LOST_REFRESH_ERRORS:
        return AuthorizationLostError("token_revoked")
    if code in _OPERATOR_REFRESH_ERRORS:
        return OperatorMisconfiguredError(code)
    return TransientError(f"token refresh failed ({code or 'no error code'})")


def _from_http_error(exc: HttpError, now: datetime) -> GmailError:
    status = int(exc.resp.status)
    error = _error_body(exc)
    reason = _first_reason(error)
    message = str(error.get("message") or exc.reason or "")
    retry_after = retry_after_seconds(message, exc.resp.get("retry-after"), now)
    if status == 429 or (status == 403 and reason in _RATE_LIMIT_REASONS):
        return RateLimitedError(retry_after if retry_after is not None else _DEFAULT_RATE_LIMIT_BACKOFF_S)
    if status == 403 and (reason in _DAILY_LIMIT_REASONS or "sending limit" in message.lower()):
        return DailyLimitError(retry_after)
    if status == 400 and reason == "failedPrecondition" and "mail service not enabled" in message.lower():
        return AuthorizationLostError("account_disabled")
    if status >= 500 or status in (401, 408):
        return TransientError(f"{status} {reason}")
    if status == 404:
        return GmailNotFoundError(f"404 {reason}")
    return PermanentError(status, reason, message)


def classify_google_error(exc: BaseException, now: datetime | None = None) -> GmailError:
    """Maps whatever the Google libraries raised to the taxonomy."""
    moment = now or datetime.now(UTC)
    if isinstance(exc, GmailError):
        return exc
    if isinstance(exc, RefreshError):
        return _from_refresh_error(exc)
    if isinstance(exc, HttpError):
        return _from_http_error(exc, moment)
    # Transport failures (google-auth's TransportError, httplib2's errors, sockets): Google may be fine, we retry.
    return TransientError(type(exc).__name__)
