"""The poll worker's template numbers can poll 10,000 mailboxes once a minute (docs/deploy.md, "Polling capacity").

A batch's jobs run one after the other (SqsFifoPartialProcessor), so capacity is concurrency / seconds per poll; the
batch size only has to fit the function's timeout.
"""

from __future__ import annotations

import math
from typing import Any

from .cfn import ROOT, target

MAILBOX_TARGET = 10_000
INTERVAL_S = 60  # the schedule's rate(1 minute)
PER_POLL_S = 0.30  # bench/poll_cost.py's slow end on AWS latencies (0.28 s, 39% of polls refreshing), rounded up


def _poll_worker(template: dict[str, Any]) -> tuple[int, int, int, dict[str, Any]]:
    props = template["Resources"]["PollMailboxFunction"]["Properties"]
    (event,) = [e["Properties"] for e in props["Events"].values() if e["Type"] == "SQS"]
    reserved = int(props["ReservedConcurrentExecutions"]["Fn::If"][1])
    timeout = int(props.get("Timeout", template["Globals"]["Function"]["Timeout"]))
    return reserved, int(event["ScalingConfig"]["MaximumConcurrency"]), timeout, event


def test_the_poll_worker_polls_every_mailbox_once_per_interval(template: dict[str, Any]) -> None:
    reserved, maximum, _, _ = _poll_worker(template)
    concurrency = min(reserved, maximum)  # with reservations off, MaximumConcurrency alone caps it
    polls_per_interval = concurrency / PER_POLL_S * INTERVAL_S
    assert polls_per_interval >= MAILBOX_TARGET, (
        f"{concurrency} concurrent polls of {PER_POLL_S}s give {polls_per_interval:.0f} a minute; "
        f"{math.ceil(MAILBOX_TARGET * PER_POLL_S / INTERVAL_S)} are needed for {MAILBOX_TARGET} mailboxes"
    )


def test_a_full_batch_of_slow_polls_ends_well_inside_the_timeout(template: dict[str, Any]) -> None:
    _, _, timeout, event = _poll_worker(template)
    assert int(event["BatchSize"]) * PER_POLL_S <= timeout / 2


def test_the_poll_queue_groups_by_mailbox_in_high_throughput_mode(template: dict[str, Any]) -> None:
    _, _, _, event = _poll_worker(template)
    queue = template["Resources"][target(event["Queue"]) or "?"]["Properties"]
    assert queue["FifoQueue"] is True
    assert (queue["DeduplicationScope"], queue["FifoThroughputLimit"]) == ("messageGroup", "perMessageGroupId")
    assert int(queue["MessageRetentionPeriod"]) > INTERVAL_S


def test_the_schedule_still_ticks_every_interval(template: dict[str, Any]) -> None:
    events = template["Resources"]["SchedulePollsFunction"]["Properties"]["Events"]
    assert events["EveryMinute"]["Properties"]["Schedule"] == f"rate({INTERVAL_S // 60} minute)"


def test_the_deploy_guide_states_the_same_numbers(template: dict[str, Any]) -> None:
    reserved, _, _, event = _poll_worker(template)
    guide = (ROOT / "docs" / "deploy.md").read_text()
    section = guide.split("## Polling capacity", 1)[1].split("\n## ", 1)[0]
    assert f"| {reserved} |" in section
    assert f"| batch size | {event['BatchSize']} |" in section
    assert f"{PER_POLL_S:.2f} s" in section
