"""Send workers outside the local stack, which the soak kills with SIGKILL and starts again.

Run by bench/soak/workers.py, not by people: python bench/soak/worker.py STATE_DIR SEED KILL_RATE AWS_FAULT_RATE COUNT

One parent process imports what a worker needs (boto3, the Google client, the service's package: ~1.4 s of CPU) and
then forks COUNT workers; when one dies it forks the next incarnation. A restart then costs a fork instead of a new
interpreter, which at a few hundred kills per big soak was a large share of the machine. The parent opens no
connection and starts no thread before it forks; each worker builds its own clients and function.

It does what Lambda's SQS event source does for the send function (receive a batch, invoke, delete what succeeded:
local_stack/send_consumer.py, the integration suite's loop too), in its own process with the handlers' environment
(stack.json's functions_env), so a kill is a real process death: no `finally`, no flush, the claim and the SQS
message left as they were. Which batch dies, and where, comes from
Random(SEED:INCARNATION): before the Gmail call, after Gmail answered, or after the handler recorded the outcome
(before the SQS delete). AWS faults come from a wrapper on botocore's calls: DynamoDB and KMS throttling, raised
before the call reaches moto, as a throttled service answers; the same wrapper scales the send function's back-off
(its SQS visibility changes) to the soak's faster clock.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

KILL_POINTS = ("before_gmail", "after_gmail", "after_record")
VISIBILITY_S = 4  # the function's timeout, scaled down with SendLeaseSeconds so a killed batch comes back soon
# The send function backs off through the message's visibility (10 s doubling to 15 min). The soak runs on a faster
# clock, as it does for the lease and the Gmail timeout: every back-off is divided by this (1 s at least).
TIME_SCALE = 20


def _die(point: str) -> None:
    print(json.dumps({"worker": os.getpid(), "killed_at": point}), file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap_aws(rng: random.Random, rate: float) -> None:
    import botocore.client
    from botocore.exceptions import ClientError

    throttled = {
        "dynamodb": ("ProvisionedThroughputExceededException", "The level of configured provisioned throughput..."),
        "kms": ("ThrottlingException", "Rate exceeded"),
    }
    original = botocore.client.BaseClient._make_api_call

    def make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        service = self.meta.service_model.service_name
        if operation_name == "ChangeMessageVisibility":  # the send function's back-off, on the soak's clock
            api_params = {**api_params, "VisibilityTimeout": max(1, int(api_params["VisibilityTimeout"] / TIME_SCALE))}
        if service in throttled and rng.random() < rate:
            code, message = throttled[service]
            raise ClientError({"Error": {"Code": code, "Message": message}}, operation_name)
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]


class _KillSwitch:
    """Where the current batch dies, if it does; the Gmail hook reads it at the send call."""

    point: str | None = None

    def install_gmail_hook(self) -> None:
        import googleapiclient.http

        original = googleapiclient.http.HttpRequest.execute
        switch = self

        def execute(request: Any, *args: Any, **kwargs: Any) -> Any:
            sending = "/messages/send" in str(request.uri)
            if sending and switch.point == "before_gmail":
                _die("before_gmail")
            answer = original(request, *args, **kwargs)
            if sending and switch.point == "after_gmail":
                _die("after_gmail")
            return answer

        googleapiclient.http.HttpRequest.execute = execute  # type: ignore[method-assign]


def work(state_dir: Path, seed: str, incarnation: int, kill_rate: float, aws_fault_rate: float) -> int:
    config = json.loads((state_dir / "stack.json").read_text())
    rng = random.Random(f"{seed}:{incarnation}")

    from local_stack.send_consumer import SendConsumer

    consumer = SendConsumer.start(config, "send-email-soak")
    switch = _KillSwitch()
    switch.install_gmail_hook()
    _wrap_aws(random.Random(f"{seed}:{incarnation}:aws"), aws_fault_rate)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    while not stop["now"]:
        records = consumer.receive(rng.choice((1, 5, 10)), VISIBILITY_S)
        if not records:
            continue
        switch.point = rng.choice(KILL_POINTS) if rng.random() < kill_rate else None
        consumer.handle(records, after_invoke=lambda: _die("after_record") if switch.point == "after_record" else None)
    return 0


class _Stop(Exception):
    pass


def _preload() -> None:
    """What every worker imports, imported once before the forks (modules only: no client, socket or thread)."""
    import boto3  # noqa: F401
    import botocore.client  # noqa: F401
    import googleapiclient.discovery
    import googleapiclient.http  # noqa: F401

    import gmail_integration.bootstrap
    import gmail_integration.sending  # noqa: F401
    import local_stack.lambda_runtime
    import local_stack.pollers
    import local_stack.send_consumer  # noqa: F401


def main(argv: list[str]) -> int:
    state_dir, seed = Path(argv[1]), argv[2]
    kill_rate, aws_fault_rate, count = float(argv[3]), float(argv[4]), int(argv[5])
    config = json.loads((state_dir / "stack.json").read_text())
    os.environ.update(json.loads(Path(config["functions_env"]).read_text()))
    _preload()
    incarnations = iter(range(1, 1_000_000))
    restarts, unexpected = 0, []

    def fork() -> int:
        incarnation = next(incarnations)
        pid = os.fork()
        if pid == 0:  # the worker: dies with its parent, and runs until SIGTERM or its seeded kill
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _die_with_parent()
                code = work(state_dir, seed, incarnation, kill_rate, aws_fault_rate)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        return pid

    def stop(*_: Any) -> None:
        raise _Stop

    signal.signal(signal.SIGTERM, stop)
    children = {fork() for _ in range(count)}
    try:
        while True:
            pid, status = os.wait()
            children.discard(pid)
            restarts += 1
            if os.waitstatus_to_exitcode(status) != -signal.SIGKILL:
                unexpected.append(os.waitstatus_to_exitcode(status))
                print(json.dumps({"worker": pid, "exited": unexpected[-1]}), file=sys.stderr, flush=True)
                time.sleep(1)  # a worker that cannot start is not forked again in a tight loop
            children.add(fork())
    except _Stop:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    (state_dir / "workers.json").write_text(json.dumps({"restarts": restarts, "unexpected": unexpected}))
    return 0


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


if __name__ == "__main__":
    sys.exit(main(sys.argv))
