"""Lambda's SQS event source mapping, locally: long-poll, build the batch event, delete what succeeded.

Visibility timeouts and the move to the DLQ after maxReceiveCount are the queue's own behaviour in moto (moto's
ReceiveMessage moves a message whose receive count passed maxReceiveCount to the RedrivePolicy's target), so the
poller never counts receives itself: it deletes, or leaves the message to reappear, exactly as Lambda does.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from local_stack.background import BackgroundLoop
from local_stack.lambda_runtime import FunctionLoadError, LocalFunction

log = logging.getLogger("local_stack.pollers")

# The attributes Lambda copies into each record (FIFO queues add the last three).
_RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "AWSTraceHeader",
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
)
_LONG_POLL_S = 1  # short enough that stopping the stack never waits long


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of the batch event, shaped as Lambda shapes it (camelCase keys, attributes as strings)."""
    attributes = message.get("Attributes", {})
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {k: str(attributes[k]) for k in _RECORD_ATTRIBUTES if k in attributes},
        "messageAttributes": {
            name: _message_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody")
        or hashlib.md5(message["Body"].encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    import base64

    out: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [base64.b64encode(v).decode() for v in value.get("BinaryListValues", [])],
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return out


def to_delete(records: list[dict[str, Any]], result: Any, report_item_failures: bool) -> list[dict[str, Any]]:
    """The records Lambda deletes after a successful invocation.

    With ReportBatchItemFailures, every record but those named in batchItemFailures; a malformed response (an
    itemIdentifier that is empty or not in the batch) counts as the whole batch failing, as Lambda treats it.
    """
    if not report_item_failures:
        return records
    failures = (result or {}).get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:
        return records
    ids = {r["messageId"] for r in records}
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in ids:
            return []
        failed.add(identifier)
    return [r for r in records if r["messageId"] not in failed]


class SqsPoller(BackgroundLoop):
    def __init__(
        self,
        sqs: Any,
        function: LocalFunction,
        queue_url: str,
        queue_arn: str,
        region: str,
        batch_size: int,
        batching_window_s: int,
        report_item_failures: bool,
    ) -> None:
        self.function = function
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self._sqs = sqs
        self._region = region
        self._batch_size = max(1, batch_size)
        self._window_s = batching_window_s
        self._report = report_item_failures
        super().__init__(f"sqs:{function.logical_id}:{queue_arn.rsplit(':', 1)[-1]}")

    def _run(self) -> None:
        load_failure_logged = False
        while not self._stop.is_set():
            try:
                self.function.load()
            except FunctionLoadError as error:
                # Not consuming while the handler cannot load keeps messages from burning receives toward the DLQ
                # while the code is being written; a deployed broken handler would fail them instead.
                if not load_failure_logged:
                    log.error("%s: not polling %s until it loads: %s", self.function.logical_id, self.queue_arn, error)
                    load_failure_logged = True
                self._stop.wait(2)
                continue
            load_failure_logged = False
            try:
                messages = self._receive_batch()
                if messages:
                    self._deliver(messages)
            except Exception:
                log.exception("%s: poller of %s failed; retrying", self.function.logical_id, self.queue_arn)
                self._stop.wait(1)

    def _receive_batch(self) -> list[dict[str, Any]]:
        messages = self._receive(min(10, self._batch_size), _LONG_POLL_S)
        if not messages or self._window_s <= 0:
            return messages
        deadline = time.monotonic() + self._window_s
        while len(messages) < self._batch_size and not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            more = self._receive(min(10, self._batch_size - len(messages)), min(_LONG_POLL_S, int(remaining + 0.999)))
            messages.extend(more)
        return messages

    def _receive(self, count: int, wait_s: int) -> list[dict[str, Any]]:
        response = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=wait_s,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        records = [sqs_record(m, self.queue_arn, self._region) for m in messages]
        try:
            result = self.function.invoke({"Records": records})
        except Exception as error:
            # The whole batch returns to the queue after its visibility timeout (and on to the DLQ in time).
            log.warning("%s: batch of %d failed (%s); none deleted", self.function.logical_id, len(records), error)
            return
        done = to_delete(records, result, self._report)
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)],
            )
        log.info(
            "%s: batch of %d from %s, %d deleted, %d back to the queue",
            self.function.logical_id,
            len(records),
            self.queue_arn.rsplit(":", 1)[-1],
            len(done),
            len(records) - len(done),
        )
