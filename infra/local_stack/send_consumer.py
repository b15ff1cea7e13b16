"""The send queue taken by a worker outside the stack, as Lambda's SQS event source takes it for the send function.

The integration suite's workers (tests/integration/service/send_worker.py) and the soak's (bench/soak/worker.py)
both run this one loop body (receive a batch, invoke the real handler in this process, delete what succeeded), so
what the soak measures under kills is the very loop the burst tests check for pace and receives.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_stack.lambda_runtime import LocalFunction
from local_stack.pollers import sqs_record, to_delete

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class SendConsumer:
    sqs: Any
    queue_url: str
    queue_arn: str
    region: str
    function: LocalFunction

    @classmethod
    def start(cls, config: dict[str, Any], function_name: str) -> SendConsumer:
        """The client and the loaded send function, from stack.json; the handlers' environment must be set first."""
        import boto3

        sqs = boto3.client("sqs", endpoint_url=config["aws_endpoint"], region_name=config["aws_region"])
        queue_url = config["send_queue_url"]
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
        function = LocalFunction.from_handler_setting(
            "SendEmailFunction", function_name, ROOT / "functions" / "send_email", "handler.lambda_handler", 512, 30,
            config["aws_region"],
        )  # fmt: skip
        function.load()
        return cls(sqs, queue_url, attributes["QueueArn"], config["aws_region"], function)

    def receive(self, max_messages: int = 10, visibility_s: int | None = None) -> list[dict[str, Any]]:
        """One long-poll receive (1 s), as Lambda records; empty when the queue had nothing visible."""
        extra = {"VisibilityTimeout": visibility_s} if visibility_s is not None else {}
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=1,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
            **extra,
        )
        return [sqs_record(m, self.queue_arn, self.region) for m in answer.get("Messages", [])]

    def handle(self, records: list[dict[str, Any]], after_invoke: Callable[[], None] | None = None) -> bool:
        """Invokes the handler on the batch and deletes what it did not report failed; False when the invocation
        itself failed (as Lambda: the whole batch comes back after its visibility timeout). ``after_invoke`` runs
        between the answer and the delete, where the soak kills a worker after the record."""
        try:
            result = self.function.invoke({"Records": records})
        except Exception as error:
            print(json.dumps({"worker": os.getpid(), "batch_failed": repr(error)[:300]}), file=sys.stderr, flush=True)
            return False
        if after_invoke is not None:
            after_invoke()
        done = to_delete(records, result, report_item_failures=True)
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            entries = [{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        return True
