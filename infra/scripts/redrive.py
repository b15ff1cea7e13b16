"""Moves a dead-letter queue's messages back to their source queue with SQS's own re-drive (a message move task).

    make redrive QUEUE=send STAGE=prod          (or: .venv/bin/python infra/scripts/redrive.py send --stage prod)

Runs with the operator's credentials (the usual AWS_PROFILE / environment), finds the queue from the stack's
outputs, says how many messages will move and asks before starting (``--yes`` skips the question), then waits for
the task to finish. SQS moves the messages itself, so nothing passes through this machine and a failure halfway
leaves every message on one queue or the other. Read docs/deploy.md ("Re-driving a dead-letter queue") first.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

OUTPUTS = {
    "send": "SendDeadLetterQueueUrl",
    "poll": "PollDeadLetterQueueUrl",
    "schedule": "ScheduleDeadLetterQueueUrl",
}
NOT_REDRIVABLE = {
    "schedule": (
        "The schedule DLQ is Lambda's (asynchronous invocation), and SQS re-drives only queues that are the DLQ of"
        " another SQS queue. Its messages are past minutes' ticks: the next minute's run polls every mailbox again."
        " Once its cause is fixed, purge it: aws sqs purge-queue --queue-url <ScheduleDeadLetterQueueUrl>."
    ),
}
FINISHED = {"COMPLETED", "FAILED", "CANCELLED"}


class RedriveError(Exception):
    """Something the operator must see and act on; the script stops without starting anything."""


def dlq_of(cloudformation: Any, sqs: Any, stack: str, queue: str) -> tuple[str, str]:
    if queue in NOT_REDRIVABLE:
        raise RedriveError(NOT_REDRIVABLE[queue])
    stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    url = outputs.get(OUTPUTS[queue])
    if url is None:
        raise RedriveError(f"stack {stack} has no output {OUTPUTS[queue]}: is it this service's stack?")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, str(arn)


def waiting(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def redrive(
    sqs: Any,
    arn: str,
    *,
    rate: int | None,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Starts the move task (destination: each message's source queue) and follows it to its end."""
    running = [t for t in sqs.list_message_move_tasks(SourceArn=arn)["Results"] if t["Status"] == "RUNNING"]
    if running:
        raise RedriveError(f"a move task is already running on this queue (started {running[0]['StartedTimestamp']})")
    request: dict[str, Any] = {"SourceArn": arn}
    if rate is not None:
        request["MaxNumberOfMessagesPerSecond"] = rate
    handle = sqs.start_message_move_task(**request)["TaskHandle"]
    while True:
        task = next(t for t in sqs.list_message_move_tasks(SourceArn=arn)["Results"] if t.get("TaskHandle") == handle)
        say(f"{task['Status']}: moved {task.get('ApproximateNumberOfMessagesMoved', 0)}")
        if task["Status"] in FINISHED:
            return dict(task)
        sleep(5)


def main(argv: list[str] | None = None, session: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queue", choices=sorted(OUTPUTS))
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--stack-name", help="default: outsales-gmail-<stage> (samconfig.toml)")
    parser.add_argument("--rate", type=int, help="messages per second (default: SQS's, up to 500)")
    parser.add_argument("--yes", action="store_true", help="do not ask before moving")
    args = parser.parse_args(argv)
    if session is None:
        import boto3

        session = boto3.session.Session()
    stack = args.stack_name or f"outsales-gmail-{args.stage}"
    sqs = session.client("sqs")
    try:
        url, arn = dlq_of(session.client("cloudformation"), sqs, stack, args.queue)
        count = waiting(sqs, url)
        if count == 0:
            print(f"{arn} is empty: nothing to move.")
            return 0
        if not args.yes and input(f"Move about {count} message(s) from {arn} back to its source? [y/N] ") != "y":
            print("Nothing moved.")
            return 1
        task = redrive(sqs, arn, rate=args.rate)
    except RedriveError as exc:
        print(f"redrive: {exc}", file=sys.stderr)
        return 2
    if task["Status"] != "COMPLETED":
        print(
            f"redrive: the task ended {task['Status']}: {task.get('FailureReason', 'no reason given')}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
