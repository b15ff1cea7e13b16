"""The suppression list's promises, held by FakeSuppressions and by DynamoDB (moto) alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from gmail_integration.dal import keys
from gmail_integration.dal.send_context import DynamoSendContextReader
from gmail_integration.dal.suppressions import DynamoSuppressions
from gmail_integration.models.suppressions import SuppressionReason
from tests.unit.fake_suppressions import FakeSuppressions

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SuppressionSide:
    suppressions: FakeSuppressions | DynamoSuppressions
    is_suppressed: Callable[[str, str], bool]
    given_email_to: Callable[[str, str, str], None]


def _fake() -> SuppressionSide:
    fake = FakeSuppressions()

    def given(ws: str, act: str, to: str) -> None:
        fake.recipients[(ws, act)] = to

    return SuppressionSide(fake, fake.is_suppressed, given)


def _dynamodb(table: Any) -> SuppressionSide:
    reader = DynamoSendContextReader(boto3.resource("dynamodb", region_name="us-east-1"), table)

    def is_suppressed(ws: str, address: str) -> bool:
        # The send path learns it from its one BatchGetItem, so that is what the contract checks.
        return reader.read(ws, "ag_1", "act_probe", None, recipient=address).recipient_suppressed

    def given(ws: str, act: str, to: str) -> None:
        table.put_item(Item={"pk": keys.workspace_pk(ws), "sk": keys.email_sk(act), "to_email": to})

    return SuppressionSide(DynamoSuppressions(table), is_suppressed, given)


@pytest.fixture(params=["fake", "dynamodb"])
def side(request: pytest.FixtureRequest) -> SuppressionSide:
    if request.param == "fake":
        return _fake()
    return _dynamodb(request.getfixturevalue("dynamodb_table"))


def test_a_suppressed_address_matches_whatever_the_case_of_its_domain(side: SuppressionSide) -> None:
    assert side.suppressions.suppress("ws_1", "Pat@Prospect.COM", SuppressionReason.BOUNCE, "act_1", NOW)
    assert side.is_suppressed("ws_1", "Pat@prospect.com")
    assert not side.is_suppressed("ws_1", "pat@prospect.com"), "the local part keeps its case (RFC 5321)"
    assert not side.is_suppressed("ws_2", "Pat@prospect.com"), "one workspace's list is its own"


def test_the_first_suppression_stays_the_one_listed(side: SuppressionSide) -> None:
    assert side.suppressions.suppress("ws_1", "pat@prospect.com", SuppressionReason.BOUNCE, "act_1", NOW)
    later = NOW + timedelta(hours=1)
    assert not side.suppressions.suppress(
        "ws_1", "pat@PROSPECT.com", SuppressionReason.INVALID_RECIPIENT, "act_2", later
    )
    [entry] = side.suppressions.suppressions("ws_1")
    assert (entry.address, entry.reason, entry.since, entry.activity_id) == (
        "pat@prospect.com",
        SuppressionReason.BOUNCE,
        NOW,
        "act_1",
    )


def test_lifting_removes_the_address_once(side: SuppressionSide) -> None:
    side.suppressions.suppress("ws_1", "pat@prospect.com", SuppressionReason.BOUNCE, None, NOW)
    side.suppressions.suppress("ws_1", "lee@prospect.com", SuppressionReason.BOUNCE, None, NOW)
    assert side.suppressions.lift("ws_1", "pat@Prospect.com")
    assert not side.suppressions.lift("ws_1", "pat@prospect.com")
    assert not side.is_suppressed("ws_1", "pat@prospect.com")
    assert [s.address for s in side.suppressions.suppressions("ws_1")] == ["lee@prospect.com"]


def test_a_bounce_suppresses_the_recipient_of_the_email_that_bounced(side: SuppressionSide) -> None:
    side.given_email_to("ws_1", "act_1", "pat@prospect.com")
    assert side.suppressions.suppress_bounced("ws_1", "act_1", NOW)
    assert not side.suppressions.suppress_bounced("ws_1", "act_1", NOW)
    assert not side.suppressions.suppress_bounced("ws_1", "act_unknown", NOW)
    [entry] = side.suppressions.suppressions("ws_1")
    assert (entry.address, entry.reason, entry.activity_id) == ("pat@prospect.com", SuppressionReason.BOUNCE, "act_1")
