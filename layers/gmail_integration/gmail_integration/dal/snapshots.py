"""The mailbox as this container last saw it, shared by the send context reader and the turn book.

The reader puts what each read saw; the turn book moves the pace part on with its own writes (the cursor it advanced,
the pace item a failed condition answered), so the container's next wait for the same mailbox starts from the cursor
as it stands instead of one its own reservations already moved. A snapshot older than ``SNAPSHOT_TTL_S`` is not
offered: its connection's history cursor, which a claim records for the look in Gmail after a crash, should not be
far behind, and gates are checked at the write anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from gmail_integration.cache import WorkspaceCache
from gmail_integration.models.pacing import PaceState
from gmail_integration.models.send_context import MailboxSnapshot

SNAPSHOT_TTL_S = 600.0
_SNAPSHOT = "snapshot"


class MailboxSnapshots:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._kept: WorkspaceCache[tuple[float, MailboxSnapshot]] = WorkspaceCache()

    def get(self, workspace_id: str) -> MailboxSnapshot | None:
        kept = self._kept.get((workspace_id, _SNAPSHOT))
        if kept is None or self._monotonic() - kept[0] > SNAPSHOT_TTL_S:
            return None
        return kept[1]

    def put(self, workspace_id: str, snapshot: MailboxSnapshot) -> None:
        self._kept.put((workspace_id, _SNAPSHOT), (self._monotonic(), snapshot))

    def note_pace(self, workspace_id: str, pace: PaceState) -> None:
        """The pace item as a write of this container left it or found it (its age stays that of the read)."""
        kept = self._kept.get((workspace_id, _SNAPSHOT))
        if kept is not None:
            self._kept.put((workspace_id, _SNAPSHOT), (kept[0], replace(kept[1], pace=pace)))

    def forget_all(self) -> None:
        """A SnapStart restore starts without what another environment read (snapstart.py)."""
        self._kept.clear()
