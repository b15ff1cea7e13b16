"""Unit tests run with no AWS and no Google: settings come from a fixed environment, nothing leaves the process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

UNIT_ENV = {
    "TABLE_NAME": "unit-table",
    "KMS_KEY_ID": "alias/unit",
    "EVENT_BUS_NAME": "unit-bus",
    "SEND_QUEUE_URL": "http://127.0.0.1:1/queue/send",
    "SEND_DLQ_URL": "http://127.0.0.1:1/queue/send-dlq",
    "POLL_QUEUE_URL": "http://127.0.0.1:1/queue/poll",
    "FRONTEND_ORIGIN": "https://app.outsales.example",
    "GOOGLE_CLIENT_ID": "unit-client",
    "GOOGLE_CLIENT_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:unit",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_METRICS_NAMESPACE": "Unit",
    "POWERTOOLS_SERVICE_NAME": "unit",
    # No mailbox pace unless a test sets one (Gmail's own 0.45 s between sends still holds, on the fake clock).
    "SEND_MIN_GAP_S": "0",
    "SEND_MAX_PER_HOUR": "0",
}


@pytest.fixture(autouse=True)
def _unit_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from gmail_integration.observability import metrics
    from gmail_integration.settings import get_settings

    for key, value in UNIT_ENV.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    # A handler's decorator flushes the counts of each invocation; a use case called directly never does, and the
    # shared Metrics flushes itself at 100 counts, so each test starts from none as each invocation would.
    metrics.clear_metrics()
