"""The one shape of the stack's workers (SQS pollers, the schedule, the events log): a daemon loop until stopped."""

from __future__ import annotations

import threading


class BackgroundLoop:
    """Runs ``_run`` on a daemon thread; ``_run`` returns once ``self._stop`` is set."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        raise NotImplementedError
