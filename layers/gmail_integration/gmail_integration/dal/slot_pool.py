"""Slots a container reserved for a mailbox in one block and has not handed out yet.

A burst's first receives all reserve a slot on the same pace item at once. Reserving them one by one, optimistically
in the same transaction as each wait record, makes the workers of a burst cancel each other's writes (every other
reservation moved the cursor first: a third more writes in the 100-email burst). A container instead takes a block of
slots with one atomic update (its exact slots come back in the answer) and hands them to its next waits, each then
a single write of the email's record. A block spans a few seconds at most, so slots a container never hands out
(its burst ended, it was recycled) only leave short holes in the mailbox's schedule; slots already past are dropped.
"""

from __future__ import annotations

from collections import deque

from gmail_integration.cache import WorkspaceCache

BLOCK_SPAN_S = 4.0
MAX_BLOCK = 8
_POOL = "slots"


def block_size(step: float) -> int:
    """How many slots one reservation takes: those that fit in ``BLOCK_SPAN_S`` (1: slots are reserved singly)."""
    if step <= 0:
        return 1
    return max(1, min(MAX_BLOCK, int(BLOCK_SPAN_S // step)))


class SlotPool:
    def __init__(self) -> None:
        self._pools: WorkspaceCache[deque[float]] = WorkspaceCache()

    def take(self, workspace_id: str, earliest: float) -> float | None:
        """The container's next reserved slot at or after ``earliest``; earlier ones are dropped (their moment, or
        a turn they could serve, has passed)."""
        pool = self._pools.get((workspace_id, _POOL))
        while pool:
            slot = pool.popleft()
            if slot >= earliest:
                return slot
        return None

    def fill(self, workspace_id: str, slots: list[float]) -> None:
        self._pools.put((workspace_id, _POOL), deque(slots))

    def forget_all(self) -> None:
        """A SnapStart restore starts without another environment's reservations (snapstart.py)."""
        self._pools.clear()
