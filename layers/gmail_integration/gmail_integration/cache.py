"""The one bounded, thread-safe cache the adapters keep per workspace secret (decrypted tokens, Google credentials).

Keys are the workspace and a digest of the token's ciphertext, so a reconnect (new ciphertext) misses and the old
entry ages out; ``forget`` drops a workspace at once on disconnect. The lock matters on the local stack, which runs
every function in one process; on Lambda it is uncontended.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from threading import Lock
from typing import Generic, TypeVar

CACHE_SIZE = 2048

Key = tuple[str, str]
V = TypeVar("V")


def secret_key(workspace_id: str, ciphertext: bytes) -> Key:
    return workspace_id, hashlib.sha256(ciphertext).hexdigest()


class WorkspaceCache(Generic[V]):
    """Least recently used entries go first once ``size`` is reached."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
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
