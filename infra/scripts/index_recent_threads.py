"""Puts the threads sent into before the recent-threads index existed into it, once, after upgrading.

    .venv/bin/python infra/scripts/index_recent_threads.py --stage prod [--days 30] [--yes]

History recovery (replies/history_recovery.py) reads only the ``THREADS#<ws>`` partition of gsi1, which the send
path fills from this version on. A thread item written earlier has no place there, so for the first
``RecoveryWindowDays`` after the upgrade a recovery would not look at it. This gives each such thread sent into
within ``--days`` its place (its last send, as the send path would), unless its latest email already has a reply or
bounce recorded. It reads the table with a Scan, once, with the operator's credentials: an upgrade step, never part
of the service. Safe to run twice: an item that has a place keeps it (the write is conditional).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

ANSWERED = {"REPLIED", "BOUNCED"}


def table_name(cloudformation: Any, stack: str) -> str:
    outputs = cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    for output in outputs:
        if output["OutputKey"] == "TableName":
            return str(output["OutputValue"])
    raise SystemExit(f"{stack} has no TableName output")


def unindexed_threads(table: Any, since: str) -> list[dict[str, Any]]:
    query: dict[str, Any] = {
        "FilterExpression": "begins_with(sk, :thread) AND attribute_not_exists(gsi1pk) AND updated_at >= :since",
        "ExpressionAttributeValues": {":thread": "THREAD#", ":since": since},
    }
    found: list[dict[str, Any]] = []
    while True:
        answer = table.scan(**query)
        found.extend(answer.get("Items", []))
        if not answer.get("LastEvaluatedKey"):
            return found
        query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def index(table: Any, item: dict[str, Any]) -> bool:
    """True when the thread got its place; False when its latest email is answered or it already had one."""
    emails = item.get("emails") or []
    if not emails:
        return False
    latest = str(emails[-1]["a"])
    email = table.get_item(Key={"pk": item["pk"], "sk": f"EMAIL#{latest}"}).get("Item") or {}
    if email.get("status") in ANSWERED:
        return False
    sent = str(emails[-1].get("t") or item["updated_at"])
    try:
        table.update_item(
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET gsi1pk = :recent, gsi1sk = :sent, last_activity = if_not_exists(last_activity, :act)",
            ConditionExpression="attribute_not_exists(gsi1pk)",
            ExpressionAttributeValues={
                ":recent": f"THREADS#{item['workspace_id']}",
                ":sent": f"{sent}#{item['thread_id']}",
                ":act": latest,
            },
        )
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def main(argv: list[str] | None = None, session: Any = None, now: datetime | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--stack-name", help="default: outsales-gmail-<stage> (samconfig.toml)")
    parser.add_argument("--table", help="the table's name (default: the stack's TableName output)")
    parser.add_argument("--days", type=int, default=30, help="RecoveryWindowDays of the stack (default 30)")
    parser.add_argument("--yes", action="store_true", help="do not ask before writing")
    args = parser.parse_args(argv)
    if session is None:
        import boto3

        session = boto3.session.Session()
    name = args.table or table_name(session.client("cloudformation"), args.stack_name or f"outsales-gmail-{args.stage}")
    table = session.resource("dynamodb").Table(name)
    since = (now or datetime.now(UTC)) - timedelta(days=args.days)
    threads = unindexed_threads(table, since.isoformat(timespec="milliseconds").replace("+00:00", "Z"))
    if not threads:
        print(f"{name}: every thread of the last {args.days} days is indexed already.")
        return 0
    if not args.yes and input(f"Index {len(threads)} thread(s) of {name}? [y/N] ") != "y":
        print("Nothing written.")
        return 1
    indexed = sum(index(table, item) for item in threads)
    print(f"{name}: {indexed} thread(s) indexed, {len(threads) - indexed} left out (answered, or indexed meanwhile).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
