"""A send worker outside the local stack, as Lambda's SQS event source runs the send function: several at once.

Run by tests/integration/service/test_burst_and_pace.py, not by people:
    python send_worker.py STATE_DIR LOG_FILE [--clock-file FILE] [--longest-delay-s N] [--counts-file FILE]

It receives batches from the send queue, invokes the real handler in this process and deletes what succeeded (the
loop of local_stack/send_consumer.py, which the soak's workers run too). Each
received record is written to LOG_FILE (one JSON line: activity, receive count, the not_before it carried) once the
batch is done, so a test can count receives per email and knows which emails were already looked at.
``--clock-file``: the service's clock is the wall clock plus the seconds in that file (re-read on every call), so a
test can move the service an hour on without waiting for it. ``--longest-delay-s``: the SQS delays the service asks
for are cut to this, so a wait of an hour goes round in hops of a second; the service's own arithmetic is unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def _shifted_clock(clock_file: Path) -> Any:
    def now() -> datetime:
        try:
            offset = float(clock_file.read_text() or 0)
        except (OSError, ValueError):
            offset = 0.0
        return datetime.now(UTC) + timedelta(seconds=offset)

    return now


def _cut_delays(longest_s: int) -> None:
    import botocore.client

    original = botocore.client.BaseClient._make_api_call

    def make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        if operation_name == "SendMessage" and "DelaySeconds" in api_params:
            api_params = {**api_params, "DelaySeconds": min(int(api_params["DelaySeconds"]), longest_s)}
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]


def _count_calls(counts: Counter[str]) -> None:
    import botocore.client

    original = botocore.client.BaseClient._make_api_call

    def make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        counts[f"{self.meta.service_model.service_name}.{operation_name}"] += 1
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("state_dir", type=Path)
    parser.add_argument("log_file", type=Path)
    parser.add_argument("--clock-file", type=Path)
    parser.add_argument("--longest-delay-s", type=int)
    parser.add_argument("--counts-file", type=Path)
    args = parser.parse_args(argv[1:])
    config = json.loads((args.state_dir / "stack.json").read_text())
    os.environ.update(json.loads(Path(config["functions_env"]).read_text()))

    from local_stack.send_consumer import SendConsumer

    if args.longest_delay_s is not None:
        _cut_delays(args.longest_delay_s)
    counts: Counter[str] = Counter()
    if args.counts_file is not None:
        _count_calls(counts)  # wraps whatever is below it, so the delays are cut first and counted once
    consumer = SendConsumer.start(config, "send-email-worker")
    if args.clock_file is not None:
        from gmail_integration.bootstrap import bootstrap

        bootstrap().clock = _shifted_clock(args.clock_file)  # before any use case is built, so all of them see it
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    with args.log_file.open("a", encoding="utf-8") as log:
        while not stop["now"]:
            records = consumer.receive()
            if not records or not consumer.handle(records):
                continue
            for record in records:
                body = json.loads(record["body"])
                carried = record["messageAttributes"].get("not_before", {}).get("stringValue")
                line = {
                    "activity_id": body.get("activity_id"),
                    "receive_count": int(record["attributes"]["ApproximateReceiveCount"]),
                    "not_before": float(carried) if carried else None,
                    "at": time.time(),
                    "worker": os.getpid(),
                }
                log.write(json.dumps(line) + "\n")
            log.flush()
            if args.counts_file is not None:
                args.counts_file.write_text(json.dumps(counts))
    if args.counts_file is not None:
        args.counts_file.write_text(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
