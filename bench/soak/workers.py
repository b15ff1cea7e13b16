"""The send workers: one parent process (bench/soak/worker.py) that forks them and forks the next incarnation of any
that a kill takes down. At the end it stops them with SIGTERM and writes how many were restarted."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from tests.integration.conftest import _die_with_parent

WORKER = Path(__file__).with_name("worker.py")


class Workers:
    def __init__(self, state_dir: Path, seed: str, kill_rate: float, aws_fault_rate: float, count: int = 2) -> None:
        self._state_dir = state_dir
        self._command = [sys.executable, str(WORKER), str(state_dir), seed, str(kill_rate), str(aws_fault_rate)]
        self._command.append(str(count))
        self._log = (state_dir / "workers.log").open("ab")
        self._parent: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.unexpected: list[int] = []  # exit codes of workers that died other than by the soak's SIGKILL

    def __enter__(self) -> Workers:
        self._parent = subprocess.Popen(
            self._command, stdout=self._log, stderr=self._log, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent
        )
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        assert self._parent is not None
        self._parent.send_signal(signal.SIGTERM)
        try:
            self._parent.wait(30)
        except subprocess.TimeoutExpired:
            self._parent.kill()
            self._parent.wait()
        self._log.close()
        ends = self._state_dir / "workers.json"
        if ends.is_file():
            counted = json.loads(ends.read_text())
            self.restarts, self.unexpected = int(counted["restarts"]), list(counted["unexpected"])
        if self.unexpected or self._parent.returncode != 0:
            print(f"soak: workers exited unexpectedly {self.unexpected}, parent {self._parent.returncode}", flush=True)
