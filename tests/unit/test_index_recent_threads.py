"""infra/scripts/index_recent_threads.py gives pre-upgrade threads their place in the recent-threads index, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from gmail_integration.dal.threads import DynamoThreads, thread_append
from gmail_integration.models.times import iso
from tests.unit.contracts.conftest import TABLE, dynamodb_table
from tests.unit.load_file import load_file

__all__ = ["dynamodb_table"]  # the moto table fixture

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "scripts" / "index_recent_threads.py"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _load() -> ModuleType:
    return load_file("index_recent_threads_under_test", SCRIPT)


def _old_thread(table: Any, thread_id: str, sent: datetime, status: str = "SENT") -> None:
    """A thread item as the previous version wrote it: no index attributes, no last_activity."""
    activity = f"act_{thread_id}"
    table.put_item(
        Item={
            "pk": "WS#ws_1",
            "sk": f"THREAD#{thread_id}",
            "workspace_id": "ws_1",
            "thread_id": thread_id,
            "updated_at": iso(sent),
            "emails": [{"a": activity, "m": f"<{activity}@x>", "t": iso(sent)}],
        }
    )
    table.put_item(Item={"pk": "WS#ws_1", "sk": f"EMAIL#{activity}", "status": status})


class _Session:
    def __init__(self) -> None:
        self._resource = boto3.resource("dynamodb", region_name="us-east-1")

    def resource(self, name: str) -> Any:
        assert name == "dynamodb"
        return self._resource


def _recent(table: Any) -> list[str]:
    threads = DynamoThreads(boto3.resource("dynamodb", region_name="us-east-1"), table)
    return [t.thread_id for t in threads.recent("ws_1", NOW - timedelta(days=30), None, 100).threads]


def test_recent_unanswered_old_threads_get_their_place_once(
    dynamodb_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _load()
    _old_thread(dynamodb_table, "t_recent", NOW - timedelta(days=3))
    _old_thread(dynamodb_table, "t_replied", NOW - timedelta(days=2), status="REPLIED")
    _old_thread(dynamodb_table, "t_ancient", NOW - timedelta(days=90))
    part = thread_append(TABLE, "ws_1", "t_new", activity_id="act_new", message_id="<n@x>", now=NOW - timedelta(days=1))
    part.pop("TableName")
    dynamodb_table.update_item(**part)
    assert _recent(dynamodb_table) == ["t_new"], "before: only what the new send path wrote"

    argv = ["--table", TABLE, "--yes"]
    assert script.main(argv, session=_Session(), now=NOW) == 0
    assert _recent(dynamodb_table) == ["t_new", "t_recent"]
    assert "1 thread(s) indexed, 1 left out" in capsys.readouterr().out
    # The prospect answers it later: recorded on the email, the thread leaves the index as any thread does.
    dynamodb_table.update_item(
        Key={"pk": "WS#ws_1", "sk": "EMAIL#act_t_recent"},
        UpdateExpression="SET #s = :replied",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":replied": "REPLIED"},
    )
    threads = DynamoThreads(boto3.resource("dynamodb", region_name="us-east-1"), dynamodb_table)
    assert threads.settle("ws_1", "t_recent", "act_t_recent")

    assert script.main(argv, session=_Session(), now=NOW) == 0, "running it again is safe"
    assert _recent(dynamodb_table) == ["t_new"], "an answered thread is not put back"
    assert "0 thread(s) indexed, 2 left out" in capsys.readouterr().out
