"""Two send workers as child processes, each started again (next incarnation) when a kill takes it down."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType

from tests.integration.conftest import _die_with_parent

WORKER = Path(__file__).with_name("worker.py")


class Workers:
    def __init__(self, state_dir: Path, seed: str, kill_rate: float, aws_fault_rate: float, count: int = 2) -> None:
        self._args = (str(state_dir), seed, str(kill_rate), str(aws_fault_rate))
        self._log = (state_dir / "workers.log").open("ab")
        self._count = count
        self._incarnation = 0
        self._processes: list[subprocess.Popen[bytes]] = []
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._supervise, name="soak-workers", daemon=True)
        self.restarts = 0

    def __enter__(self) -> Workers:
        self._processes = [self._start() for _ in range(self._count)]
        self._watch.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._watch.join()
        for process in self._processes:
            process.send_signal(signal.SIGTERM)
        for process in self._processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._log.close()

    def _start(self) -> subprocess.Popen[bytes]:
        self._incarnation += 1
        state_dir, seed, kill_rate, aws_rate = self._args
        command = [sys.executable, str(WORKER), state_dir, seed, str(self._incarnation), kill_rate, aws_rate]
        return subprocess.Popen(
            command, stdout=self._log, stderr=self._log, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent
        )

    def _supervise(self) -> None:
        while not self._stop.wait(0.2):
            for i, process in enumerate(self._processes):
                if process.poll() is not None:
                    if process.returncode not in (-signal.SIGKILL, 0):
                        print(f"soak: worker {process.pid} exited with {process.returncode}", flush=True)
                    self.restarts += 1
                    self._processes[i] = self._start()
