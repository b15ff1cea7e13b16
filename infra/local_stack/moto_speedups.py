"""moto's costs that grow with a long run, and one race of its threaded server, removed for the local stack.

- `transact_write_items` deep-copies every table it touches before it starts, to roll back on a cancelled
  transaction: each claim or record of the send path then costs a copy of the whole table, so a soak of 5,000
  emails spends most of its time copying. Here only the items the transaction names are kept, and put back
  exactly as they were when it is cancelled; what DynamoDB answers (and what a cancelled one leaves) is unchanged.
  moto runs each request in its own thread and takes no lock, so a transaction's check, writes and roll-back could
  interleave with another request's write, and the roll-back then erased that write (a claim undone while its
  holder went on sending: a second copy in the soak). Every DynamoDB request now holds one lock, as DynamoDB's
  transactions are isolated; the stack is one process with one GIL, so the lock costs no parallelism.
- DynamoDB's answers go through moto's generic serializer, which walks every attribute of every item through its
  alias lookups: a Query of 100 items took 53 ms to encode against under 1 ms for the JSON they already are. The
  data-plane answers are written with json.dumps (binary values in base64, as the wire format has them); the
  status and headers still come from moto's serializer.
- SQS walks the whole queue more often than it needs to: each message a receive hands out asks for every queue
  attribute (three counts over all messages) to read the retention period; GetQueueAttributes with named
  attributes computes them all again for each name; and each message's visible/delayed check builds two datetimes.
  With thousands of messages queued, a receive of 10 cost tens of thousands of datetime builds. Here the retention
  period is read from the queue, the attributes are computed once per call, and "now" comes from time.time()
  (the same clock moto's own arithmetic reads; the local stack never freezes time).
- The server lists moto's package directory (a listdir plus a stat per service) on every request to route it.
  The list never changes while the process runs, so it is read once.

All apply to moto 5.2 (pinned in pyproject.toml); `apply()` checks the shapes it relies on and leaves moto as it is,
with a log line, when they are not there.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import logging
import threading
import time
import types
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger("local_stack.aws")
_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    try:
        _cache_module_list()
        _transactions_copy_items_not_tables()
        _dynamodb_items_as_json()
        _sqs_reads_the_queue_once()
    except (ImportError, AttributeError) as error:  # another moto: slower, not wrong
        log.warning("moto speedups not applied: %s", error)


def _cache_module_list() -> None:
    from moto import backends

    listed: Callable[[], Iterable[str]] = backends.list_of_moto_modules
    once = functools.cache(lambda: tuple(listed()))
    backends.list_of_moto_modules = once


def _transactions_copy_items_not_tables() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    backend_class = models.DynamoDBBackend
    original = backend_class.transact_write_items

    def table_as_is(value: Any, memo: dict[int, Any] | None = None) -> Any:
        # the only deep copy of a Table in this module is the rollback snapshot, which the wrapper below replaces
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = types.SimpleNamespace(**{**vars(copy), "deepcopy": table_as_is})  # type: ignore[attr-defined]

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _ITEMS:
            before = _snapshot(self, transact_items)
            try:
                original(self, transact_items)
            except BaseException:
                _restore(before)
                raise

    backend_class.transact_write_items = transact_write_items
    # whole requests, not backend methods: moto's request handlers also copy items outside the backend's methods
    from moto.dynamodb.responses import DynamoHandler

    DynamoHandler.call_action = _holding_items_lock(DynamoHandler.call_action)  # type: ignore[method-assign]


_ITEMS = threading.RLock()  # re-entrant: a transaction calls put_item, update_item and delete_item inside it


def _holding_items_lock(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _ITEMS:
            return method(*args, **kwargs)

    return locked


_DATA_PLANE = frozenset(
    {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "TransactGetItems",
     "BatchWriteItem", "TransactWriteItems"}
)  # fmt: skip


def _dynamodb_items_as_json() -> None:
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoResult

    generic = ActionResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        result = self.result
        if context.operation_model.name not in _DATA_PLANE or not isinstance(result, dict):
            return generic(self, context)
        try:
            body = json.dumps({k: v for k, v in result.items() if v is not None}, default=_binary)
        except TypeError:  # a value the wire format writes otherwise (a date): moto's serializer knows it
            return generic(self, context)
        status, headers, _ = generic(ActionResult({}), context)
        return status, headers, body

    DynamoResult.execute_result = execute_result


def _binary(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def _sqs_reads_the_queue_once() -> None:
    from moto.core import utils
    from moto.sqs import models

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else utils.unix_time(dt)

    def unix_time_millis(dt: Any = None) -> float:
        return time.time() * 1000.0 if dt is None else utils.unix_time_millis(dt)

    models.unix_time = unix_time  # type: ignore[attr-defined]
    models.unix_time_millis = unix_time_millis  # type: ignore[attr-defined]

    def retained(self: Any, queue_name: str, message: Any) -> bool:
        period = int(self.get_queue(queue_name).message_retention_period)
        return bool(period + message.sent_timestamp / 1000 > time.time())

    models.SQSBackend.is_message_valid_based_on_retention_period = retained

    def get_queue_attributes(self: Any, queue_name: str, attribute_names: list[str]) -> dict[str, Any]:
        queue = self.get_queue(queue_name)  # raises QueueDoesNotExist as moto does
        if not attribute_names:
            return {}
        valid = ["All", *queue.BASE_ATTRIBUTES, *queue.FIFO_ATTRIBUTES, *queue.KMS_ATTRIBUTES]
        invalid = next((name for name in attribute_names if name not in valid), None)
        if invalid is not None:
            raise models.InvalidAttributeName(invalid)
        everything = queue.attributes  # once: each count walks every message
        if "All" in attribute_names:
            return dict(everything)
        return {name: everything[name] for name in attribute_names if everything.get(name) is not None}

    models.SQSBackend.get_queue_attributes = get_queue_attributes


def _snapshot(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]]:
    """(table, hash key, range key, a copy of the item or None) for each item the transaction names."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    kept = []
    for entry in transact_items:
        for op_type, op in entry.items():
            table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            if table is None:
                continue
            key = op.get("Item") if op_type == "Put" else op.get("Key")
            try:
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                current = table.get_item(hash_key, range_key)
            except Exception:  # noqa: S112 - a malformed key changes nothing: moto answers its validation error
                continue
            kept.append((table, hash_key, range_key, copy.deepcopy(current)))
    return kept


def _restore(kept: list[tuple[Any, Any, Any, Any]]) -> None:
    for table, hash_key, range_key, item in reversed(kept):
        if item is None:
            table.delete_item(hash_key, range_key)
        elif range_key is not None:
            table.items[hash_key][range_key] = item
        else:
            table.items[hash_key] = item
