from __future__ import annotations

import pytest
from gmail_integration.models.domain import BillingStatus, ConnectionStatus, Gates, ParkReason


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
    assert gates.closed_by() == expected
