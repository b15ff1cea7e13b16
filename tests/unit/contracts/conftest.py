"""Each port with a fake runs one suite twice: against the fake and against the real adapter on moto's DynamoDB."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from gmail_integration.dal.ledger import DynamoEmailLedger
from gmail_integration.dal.read_model import DynamoEmailReadModel
from gmail_integration.models.domain import EmailRecord
from gmail_integration.sending.ports import EmailLedger
from tests.unit.fake_ledger import FakeEmailLedger

TABLE = "contract-table"


def create_table(resource: Any) -> Any:
    """The table as template.yaml declares it (keys and the gsi1 index); the rest does not change what we test."""
    strings = ["pk", "sk", "gsi1pk", "gsi1sk"]
    return resource.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in strings],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


@pytest.fixture
def dynamodb_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "contract")
    with mock_aws():
        yield create_table(boto3.resource("dynamodb", region_name="us-east-1"))


@dataclass(frozen=True)
class LedgerSide:
    """A ledger and a way to read back what it wrote (the read model on DynamoDB, the dict on the fake)."""

    ledger: EmailLedger
    read: Callable[[str, str], EmailRecord | None]


def fake_side() -> LedgerSide:
    fake = FakeEmailLedger()
    return LedgerSide(ledger=fake, read=fake.get)


def dynamodb_side(table: Any) -> LedgerSide:
    return LedgerSide(ledger=DynamoEmailLedger(table), read=DynamoEmailReadModel(table).get)


@pytest.fixture(params=["fake", "dynamodb"])
def ledger_side(request: pytest.FixtureRequest) -> LedgerSide:
    if request.param == "fake":
        return fake_side()
    return dynamodb_side(request.getfixturevalue("dynamodb_table"))
