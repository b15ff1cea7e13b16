"""The one bounded, thread-safe cache the adapters keep per workspace secret (decrypted tokens, Google credentials).

Keys are the workspace and a digest of the token's ciphertext, so a reconnect (new ciphertext) misses and the old
entry ages out; ``forget`` drops a workspace at once on disconnect. The lock matters on the local stack, which runs
every function in one process; on Lambda it is uncontended.

The bound comes from the function's memory, not a fixed count: a fixed 2,048 meant that a container polling 2,100
mailboxes in turn decrypted and refreshed on every poll. An entry measures about 1.1 KiB in a warm poll container
(bench/poll_cost.py, tracemalloc: the key, the decrypted token or the Google Credentials, the dict slot); 4 KiB per
entry leaves room, and one tenth of the function's memory per cache gives ~13,000 entries at 512 MB, enough for
10,000 mailboxes in one warm container.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Mapping
from threading import Lock
from typing import Generic, TypeVar

ENTRY_BYTES = 4096
MEMORY_SHARE = 0.1
DEFAULT_MEMORY_MB = 512
MIN_SIZE = 1024


def memory_bound_size(environ: Mapping[str, str] = os.environ) -> int:
    """Entries that fit in this cache's share of the function's memory (Lambda sets the variable)."""
    try:
        megabytes = int(environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", DEFAULT_MEMORY_MB))
    except ValueError:
        megabytes = DEFAULT_MEMORY_MB
    return max(MIN_SIZE, int(megabytes * 1024 * 1024 * MEMORY_SHARE) // ENTRY_BYTES)


Key = tuple[str, str]
V = TypeVar("V")


def secret_key(workspace_id: str, ciphertext: bytes) -> Key:
    return workspace_id, hashlib.sha256(ciphertext).hexdigest()


class WorkspaceCache(Generic[V]):
    """Least recently used entries go first once ``size`` is reached."""

    def __init__(self, size: int | None = None) -> None:
        self._size = memory_bound_size() if size is None else size
        self._entries: OrderedDict[Key, V] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Key) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Key, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def forget(self, workspace_id: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == workspace_id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
