from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gmail_integration.models.domain import BillingStatus, ConnectionStatus, Gates, ParkReason

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("gates", "expected"),
    [
        (Gates(connection_status=ConnectionStatus.CONNECTED), None),
        (Gates(connection_status=ConnectionStatus.DISCONNECTED), ParkReason.GMAIL_NOT_CONNECTED),
        (Gates(connection_status=ConnectionStatus.NEEDS_RECONNECT), ParkReason.GMAIL_NEEDS_RECONNECT),
        (
            Gates(connection_status=ConnectionStatus.CONNECTED, billing=BillingStatus.PAST_DUE),
            ParkReason.BILLING_PAST_DUE,
        ),
        (Gates(connection_status=ConnectionStatus.CONNECTED, agent_active=False), ParkReason.AGENT_INACTIVE),
        # The product page's order: Gmail first, then billing, then the agent.
        (
            Gates(connection_status=ConnectionStatus.DISCONNECTED, billing=BillingStatus.PAST_DUE, agent_active=False),
            ParkReason.GMAIL_NOT_CONNECTED,
        ),
        (
            Gates(connection_status=ConnectionStatus.CONNECTED, billing=BillingStatus.PAST_DUE, agent_active=False),
            ParkReason.BILLING_PAST_DUE,
        ),
    ],
)
def test_the_first_closed_gate_is_the_reason(gates: Gates, expected: ParkReason | None) -> None:
    assert gates.closed_by(NOW) == expected


def test_a_spent_daily_limit_closes_sending_until_its_time() -> None:
    paused = Gates(connection_status=ConnectionStatus.CONNECTED, paused_until=NOW + timedelta(hours=1))
    assert paused.closed_by(NOW) == ParkReason.DAILY_LIMIT_REACHED
    assert paused.closed_by(NOW + timedelta(hours=2)) is None
