"""moto with the local stack's speedups answers as moto does: a cancelled transaction leaves every item as it was,
a committed one writes them all, and data-plane answers carry the same values (binary, sets, nulls, paging keys)."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_stack import moto_speedups

TABLE = "t"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    moto_speedups.apply()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _items(client: Any) -> list[dict[str, Any]]:
    return sorted(client.scan(TableName=TABLE)["Items"], key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def _set_v(pk: str, sk: str, value: str) -> dict[str, Any]:
    update = {"TableName": TABLE, "Key": _key(pk, sk), "UpdateExpression": "SET v = :v"}
    return {"Update": {**update, "ExpressionAttributeValues": {":v": {"N": value}}}}


def test_a_cancelled_transaction_leaves_updated_created_and_deleted_items_as_they_were(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item={**_key("a", "1"), "v": {"N": "1"}})
    dynamodb.put_item(TableName=TABLE, Item={**_key("a", "2"), "v": {"N": "5"}})
    before = _items(dynamodb)
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                _set_v("a", "1", "2"),
                {"Put": {"TableName": TABLE, "Item": _key("b", "1")}},
                {"Delete": {"TableName": TABLE, "Key": _key("a", "2")}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": _key("z", "9"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert _items(dynamodb) == before


def test_a_committed_transaction_writes_every_item(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item={**_key("a", "1"), "v": {"N": "1"}})
    dynamodb.transact_write_items(
        TransactItems=[
            _set_v("a", "1", "2"),
            {"Put": {"TableName": TABLE, "Item": {**_key("b", "1"), "v": {"N": "3"}}}},
        ]
    )
    assert [item["v"]["N"] for item in _items(dynamodb)] == ["2", "3"]


def test_data_plane_answers_keep_every_attribute_type_and_the_paging_key(dynamodb: Any) -> None:
    attributes = {
        "b": {"B": b"\x00\x01\xff"},
        "bs": {"BS": [b"\x02"]},
        "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2"]},
        "m": {"M": {"l": {"L": [{"S": "s"}, {"BOOL": True}, {"NULL": True}]}}},
        "n": {"N": "12.5"},
    }
    for sk in ("1", "2", "3"):
        dynamodb.put_item(TableName=TABLE, Item={**_key("a", sk), **attributes})
    page = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        Limit=2,
    )
    assert page["Count"] == 2
    assert page["LastEvaluatedKey"] == _key("a", "2")
    item = page["Items"][0]
    assert item["b"] == {"B": b"\x00\x01\xff"}
    assert {k: item[k] for k in attributes if k not in ("ss", "ns")} == {
        k: v for k, v in attributes.items() if k not in ("ss", "ns")
    }
    assert sorted(item["ss"]["SS"]) == ["x", "y"]
    assert sorted(item["ns"]["NS"]) == ["1", "2"]
    assert dynamodb.get_item(TableName=TABLE, Key=_key("a", "3"))["Item"]["m"] == attributes["m"]
    assert "Item" not in dynamodb.get_item(TableName=TABLE, Key=_key("a", "9"))
    described = dynamodb.describe_table(TableName=TABLE)["Table"]
    assert described["CreationDateTime"] is not None, "control-plane answers still go through moto's serializer"


@pytest.fixture
def sqs() -> Iterator[tuple[Any, str]]:
    moto_speedups.apply()
    with mock_aws():
        client = boto3.client("sqs", region_name="us-east-1")
        yield client, client.create_queue(QueueName="q")["QueueUrl"]


def test_queue_counts_follow_receives_delays_and_visibility(sqs: tuple[Any, str]) -> None:
    client, url = sqs
    for n in range(5):
        client.send_message(QueueUrl=url, MessageBody=str(n))
    client.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    received = client.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60)["Messages"]
    assert len(received) == 2
    names = [f"ApproximateNumberOfMessages{kind}" for kind in ("", "NotVisible", "Delayed")]
    counts = client.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    assert counts == dict(zip(names, ["3", "2", "1"], strict=True))
    every = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert every["ApproximateNumberOfMessages"] == "3"
    assert every["MessageRetentionPeriod"] == "345600"
    with pytest.raises(client.exceptions.ClientError, match="InvalidAttributeName"):
        client.get_queue_attributes(QueueUrl=url, AttributeNames=["NoSuchAttribute"])


def test_a_message_past_its_retention_period_is_not_received(sqs: tuple[Any, str]) -> None:
    client, url = sqs
    client.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "60"})
    client.send_message(QueueUrl=url, MessageBody="fresh")
    assert client.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["Body"] == "fresh"
    from moto.sqs.models import sqs_backends

    [queue] = sqs_backends["123456789012"]["us-east-1"].queues.values()
    for message in queue._messages:
        message.sent_timestamp -= 61_000  # sent 61 s earlier: past the 60 s retention
    assert "Messages" not in client.receive_message(QueueUrl=url, VisibilityTimeout=0)


def test_a_cancelled_transaction_never_undoes_a_write_made_while_it_ran(dynamodb: Any) -> None:
    """A claim's transaction cancelled while another request updated the same item must not roll that update back."""
    dynamodb.put_item(TableName=TABLE, Item={**_key("a", "1"), "n": {"N": "0"}})
    rounds = 300
    missing = {"TableName": TABLE, "Key": _key("z", "9"), "ConditionExpression": "attribute_exists(pk)"}

    def cancelled_transactions() -> None:
        for _ in range(rounds):
            with contextlib.suppress(dynamodb.exceptions.TransactionCanceledException):
                dynamodb.transact_write_items(TransactItems=[_set_v("a", "1", "1"), {"ConditionCheck": missing}])

    def increments() -> None:
        for _ in range(rounds):
            dynamodb.update_item(
                TableName=TABLE,
                Key=_key("a", "1"),
                UpdateExpression="ADD n :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    threads = [threading.Thread(target=cancelled_transactions), threading.Thread(target=increments)]
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so the two interleave inside a transaction
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    item = dynamodb.get_item(TableName=TABLE, Key=_key("a", "1"))["Item"]
    assert item["n"] == {"N": str(rounds)}
    assert "v" not in item
