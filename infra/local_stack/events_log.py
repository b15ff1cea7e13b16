"""The readable log of the service's events: every event put on its bus, whole envelope, one JSON per line.

It listens the way an upstream consumer would, through EventBridge itself: a local-only rule on each of the
template's buses (pattern `{"source": [{"prefix": ""}]}`, which matches every event, in AWS and in moto) targets
a local-only queue, and a thread drains that queue into the file. So what lands in the log is what a rule sees,
not what the code meant to send. These resources are made here, never in template.yaml.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from local_stack.background import BackgroundLoop
from local_stack.options import LOCAL_ACCOUNT_ID

log = logging.getLogger("local_stack.events_log")

LOCAL_NAME = "local-events-log"
MATCH_EVERYTHING = {"source": [{"prefix": ""}]}


_ENVELOPE_KEYS = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")


def envelope(body: str) -> dict[str, Any]:
    """EventBridge's envelope in its own key order. moto's SQS target leaves out `account` (its default input
    template has no such field), so it is put back: every real envelope carries the account."""
    try:
        event = json.loads(body)
    except ValueError:
        return {"unparsed": body}
    if not isinstance(event, dict):
        return {"unparsed": body}
    event.setdefault("account", LOCAL_ACCOUNT_ID)
    ordered = {key: event[key] for key in _ENVELOPE_KEYS if key in event}
    ordered.update({k: v for k, v in event.items() if k not in ordered})
    return ordered


class EventsLog(BackgroundLoop):
    def __init__(self, sqs: Any, events: Any, bus_names: list[str], path: Path) -> None:
        self.path = path
        self._sqs = sqs
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        self._queue_url: str = sqs.create_queue(QueueName=LOCAL_NAME)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for bus in bus_names:
            events.put_rule(
                Name=LOCAL_NAME,
                EventBusName=bus,
                EventPattern=json.dumps(MATCH_EVERYTHING),
                State="ENABLED",
                Description="local stack only: copies every event of the bus to the events log",
            )
            events.put_targets(Rule=LOCAL_NAME, EventBusName=bus, Targets=[{"Id": LOCAL_NAME, "Arn": queue_arn}])
        super().__init__("events-log")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._drain_once()
            except Exception:
                log.exception("draining the events queue failed; retrying")
                self._stop.wait(1)

    def _drain_once(self) -> None:
        response = self._sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        messages = response.get("Messages", [])
        if not messages:
            return
        with self.path.open("a", encoding="utf-8") as out:
            for message in messages:
                out.write(json.dumps(envelope(message["Body"]), separators=(",", ":")) + "\n")
        self._sqs.delete_message_batch(
            QueueUrl=self._queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
