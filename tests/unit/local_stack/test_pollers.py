"""Lambda's SQS event source mapping rules: the record shape and which records are deleted."""

from __future__ import annotations

from typing import Any

from local_stack.pollers import sqs_record, to_delete

ARN = "arn:aws:sqs:us-east-1:123456789012:q"


def message(message_id: str) -> dict[str, Any]:
    return {
        "MessageId": message_id,
        "ReceiptHandle": f"rh-{message_id}",
        "Body": "hello",
        "MD5OfBody": "5d41402abc4b2a76b9719d911017c592",
        "Attributes": {"ApproximateReceiveCount": 2, "SentTimestamp": "1", "SenderId": "S", "Other": "x"},
        "MessageAttributes": {
            "kind": {"DataType": "String", "StringValue": "v"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00"},
        },
        "MD5OfMessageAttributes": "abc",
    }


def test_record_shape() -> None:
    record = sqs_record(message("m1"), ARN, "us-east-1")
    assert record == {
        "messageId": "m1",
        "receiptHandle": "rh-m1",
        "body": "hello",
        "attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1", "SenderId": "S"},
        "messageAttributes": {
            "kind": {"stringValue": "v", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
            "blob": {"binaryValue": "AA==", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"},
        },
        "md5OfBody": "5d41402abc4b2a76b9719d911017c592",
        "md5OfMessageAttributes": "abc",
        "eventSource": "aws:sqs",
        "eventSourceARN": ARN,
        "awsRegion": "us-east-1",
    }


RECORDS = [sqs_record(message(m), ARN, "us-east-1") for m in ("a", "b", "c")]


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["messageId"] for r in records]


def test_reported_failures_stay_and_the_rest_is_deleted() -> None:
    assert ids(to_delete(RECORDS, {"batchItemFailures": [{"itemIdentifier": "b"}]}, True)) == ["a", "c"]
    assert ids(to_delete(RECORDS, {"batchItemFailures": []}, True)) == ["a", "b", "c"]
    assert ids(to_delete(RECORDS, None, True)) == ["a", "b", "c"]


def test_a_malformed_failure_report_fails_the_whole_batch() -> None:
    assert to_delete(RECORDS, {"batchItemFailures": [{"itemIdentifier": "zzz"}]}, True) == []
    assert to_delete(RECORDS, {"batchItemFailures": [{"itemIdentifier": ""}]}, True) == []
    assert to_delete(RECORDS, {"batchItemFailures": ["b"]}, True) == []


def test_without_report_batch_item_failures_success_deletes_all() -> None:
    assert ids(to_delete(RECORDS, {"batchItemFailures": [{"itemIdentifier": "b"}]}, False)) == ["a", "b", "c"]
