"""SQS-triggered functions get Lambda's batch events; what is deleted, retried and dead-lettered follows Lambda.

The test handler reports every record it receives as a RecordReceived event, so the events log shows each
delivery (with its receive count) as seen by the function.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

from tests.integration.conftest import LocalStack


def received(stack: LocalStack, test_id: str, count: int = 1, timeout: float = 15) -> list[dict[str, Any]]:
    return [
        e["detail"] for e in stack.events("RecordReceived", count=count, timeout=timeout, where={"test_id": test_id})
    ]


def in_dlq(stack: LocalStack, queue: str, test_id: str) -> list[dict[str, Any]]:
    return [m for m in stack.queue_messages(queue) if json.loads(m["Body"]).get("test_id") == test_id]


def test_record_has_the_shape_lambda_gives_it(toy_stack: LocalStack) -> None:
    # Given a message with attributes on the send queue
    test_id = uuid.uuid4().hex
    body = json.dumps({"test_id": test_id})
    message_id = toy_stack.send(
        body,
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}},
    )

    # Then the function receives it as an SQS batch record
    (detail,) = received(toy_stack, test_id)
    record = detail["record"]
    assert detail["record_keys"] == sorted(
        [
            "messageId",
            "receiptHandle",
            "body",
            "attributes",
            "messageAttributes",
            "md5OfBody",
            "md5OfMessageAttributes",
            "eventSource",
            "eventSourceARN",
            "awsRegion",
        ]
    )
    assert record["messageId"] == message_id
    assert record["body"] == body
    assert record["md5OfBody"] == hashlib.md5(body.encode(), usedforsecurity=False).hexdigest()
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":" + toy_stack["send_queue_url"].rsplit("/", 1)[1])
    assert record["awsRegion"] == toy_stack["aws_region"]
    assert set(record["attributes"]) >= {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    }
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"]["stringValue"] == "test"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert detail["function"] == toy_stack["functions"]["ReportingBatchFunction"]


def test_only_the_reported_failures_come_back(toy_stack: LocalStack) -> None:
    # Given a batch where one record fails and two succeed
    test_ids = {"ok1": uuid.uuid4().hex, "bad": uuid.uuid4().hex, "ok2": uuid.uuid4().hex}
    sqs = toy_stack.client("sqs")
    sqs.send_message_batch(
        QueueUrl=toy_stack["send_queue_url"],
        Entries=[
            {"Id": name, "MessageBody": json.dumps({"test_id": test_id, "fail": name == "bad"})}
            for name, test_id in test_ids.items()
        ],
    )

    # Then the failed one is delivered again (after the 1 s visibility timeout) and the others are not
    bad = received(toy_stack, test_ids["bad"], count=2)
    assert [d["record"]["attributes"]["ApproximateReceiveCount"] for d in bad] == ["1", "2"]
    assert len(received(toy_stack, test_ids["ok1"], count=2, timeout=2)) == 1
    assert len(received(toy_stack, test_ids["ok2"], count=2, timeout=0)) == 1


def test_a_record_failing_every_time_ends_on_the_dlq_after_max_receive_count(toy_stack: LocalStack) -> None:
    # Given a message that always fails (maxReceiveCount is 2 in the test template)
    test_id = uuid.uuid4().hex
    toy_stack.send({"test_id": test_id, "fail": True})

    # Then it is delivered twice, then moved to the DLQ by the queue's redrive policy, and never delivered again
    toy_stack.wait_for(lambda: in_dlq(toy_stack, "send_dlq_url", test_id), timeout=20, message="not on the DLQ")
    assert len(received(toy_stack, test_id, count=2, timeout=0)) == 2


def test_a_raising_handler_deletes_none_of_its_batch(toy_stack: LocalStack) -> None:
    # Given a function without ReportBatchItemFailures that raises for one message
    test_id = uuid.uuid4().hex
    toy_stack.send({"test_id": test_id, "raise": True}, queue="poll_queue_url")

    # Then it is retried and ends on the poll DLQ
    toy_stack.wait_for(lambda: in_dlq(toy_stack, "poll_dlq_url", test_id), timeout=20, message="not on the DLQ")
    deliveries = received(toy_stack, test_id, count=2, timeout=0)
    assert [d["record"]["attributes"]["ApproximateReceiveCount"] for d in deliveries] == ["1", "2"]
    assert deliveries[0]["function"] == toy_stack["functions"]["PlainBatchFunction"]


def test_without_report_batch_item_failures_a_returned_failure_list_is_ignored(toy_stack: LocalStack) -> None:
    # Given a function without ReportBatchItemFailures that returns batchItemFailures for a message
    test_id = uuid.uuid4().hex
    toy_stack.send({"test_id": test_id, "fail": True}, queue="poll_queue_url")

    # Then the invocation succeeded, so Lambda deletes the whole batch: one delivery only
    assert len(received(toy_stack, test_id)) == 1
    assert len(received(toy_stack, test_id, count=2, timeout=3)) == 1
    assert not in_dlq(toy_stack, "poll_dlq_url", test_id)


def test_batching_window_gathers_messages_into_one_batch(toy_stack: LocalStack) -> None:
    # Given two messages sent 0.3 s apart to a queue whose event has MaximumBatchingWindowInSeconds: 1
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    toy_stack.send({"test_id": first})
    time.sleep(0.3)
    second_id = toy_stack.send({"test_id": second})

    # Then the function gets them in one batch
    assert second_id in received(toy_stack, first)[0]["batch_message_ids"]
