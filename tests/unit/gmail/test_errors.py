"""The error taxonomy on Google's own error bodies (shapes as the Gmail API and OAuth endpoints answer them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httplib2
import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from gmail_integration.gmail.errors import classify_google_error, retry_after_seconds
from gmail_integration.models.gmail_errors import (
    AuthorizationLostError,
    DailyLimitError,
    GmailNotFoundError,
    OperatorMisconfiguredError,
    PermanentError,
    RateLimitedError,
    TransientError,
)

NOW = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)


def http_error(status: int, reason: str, message: str, headers: dict[str, str] | None = None) -> HttpError:
    response = httplib2.Response({"status": str(status), **(headers or {})})
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": "X",
        }
    }
    return HttpError(response, json.dumps(body).encode(), uri="https://gmail.googleapis.com/gmail/v1/users/me")


def test_rate_limit_takes_google_retry_time_from_the_message_text() -> None:
    exc = http_error(429, "rateLimitExceeded", "User-rate limit exceeded.  Retry after 2026-11-25T10:00:42.000Z")
    error = classify_google_error(exc, NOW)
    assert isinstance(error, RateLimitedError)
    assert error.retry_after_s == pytest.approx(42)


def test_rate_limit_falls_back_to_the_retry_after_header() -> None:
    exc = http_error(429, "rateLimitExceeded", "Too many requests", {"retry-after": "7"})
    error = classify_google_error(exc, NOW)
    assert isinstance(error, RateLimitedError)
    assert error.retry_after_s == 7


@pytest.mark.parametrize("reason", ["rateLimitExceeded", "userRateLimitExceeded"])
def test_403_rate_limits_are_rate_limits(reason: str) -> None:
    assert isinstance(classify_google_error(http_error(403, reason, "User Rate Limit Exceeded"), NOW), RateLimitedError)


def test_daily_sending_limit() -> None:
    exc = http_error(403, "dailyLimitExceeded", "Daily user sending quota exceeded.")
    assert isinstance(classify_google_error(exc, NOW), DailyLimitError)


def test_mail_service_not_enabled_means_the_account_has_no_gmail() -> None:
    error = classify_google_error(http_error(400, "failedPrecondition", "Mail service not enabled"), NOW)
    assert isinstance(error, AuthorizationLostError)
    assert error.reason == "account_disabled"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(status: int) -> None:
    assert isinstance(classify_google_error(http_error(status, "backendError", "Backend Error"), NOW), TransientError)


def test_401_and_403_alone_never_mean_authorization_lost() -> None:
    assert isinstance(classify_google_error(http_error(401, "authError", "Invalid Credentials"), NOW), TransientError)
    error = classify_google_error(http_error(403, "insufficientPermissions", "Insufficient Permission"), NOW)
    assert not isinstance(error, AuthorizationLostError)


def test_404_is_not_found() -> None:
    assert isinstance(
        classify_google_error(http_error(404, "notFound", "Requested entity was not found."), NOW), GmailNotFoundError
    )


def test_other_4xx_are_permanent_with_google_words() -> None:
    error = classify_google_error(http_error(400, "invalidArgument", "Invalid To header"), NOW)
    assert isinstance(error, PermanentError)
    assert error.reason == "invalidArgument"
    assert "Invalid To header" in error.message


def test_invalid_grant_on_refresh_is_authorization_lost() -> None:
    exc = RefreshError(
        "invalid_grant: Token has been expired or revoked.",
        {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
    )
    error = classify_google_error(exc, NOW)
    assert isinstance(error, AuthorizationLostError)
    assert error.reason == "token_revoked"


@pytest.mark.parametrize("code", ["invalid_client", "deleted_client"])
def test_a_refused_client_is_the_operators_problem(code: str) -> None:
    error = classify_google_error(RefreshError(f"{code}: The OAuth client was not found.", {"error": code}), NOW)
    assert isinstance(error, OperatorMisconfiguredError)


def test_a_refresh_that_google_could_not_answer_is_transient() -> None:
    assert isinstance(
        classify_google_error(RefreshError("server_error", {"error": "server_error"}), NOW), TransientError
    )


def test_transport_failures_are_transient() -> None:
    assert isinstance(classify_google_error(TimeoutError(), NOW), TransientError)
    assert isinstance(classify_google_error(httplib2.ServerNotFoundError("no dns"), NOW), TransientError)


def test_retry_after_http_date_header() -> None:
    assert retry_after_seconds("", "Wed, 25 Nov 2026 10:01:00 GMT", NOW) == 60
    assert retry_after_seconds("", None, NOW) is None
