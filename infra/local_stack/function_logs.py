"""The handlers' output (Powertools JSON on stdout, as in Lambda) copied to .local/logs/functions.log.

Powertools' Logger binds ``sys.stdout`` when it is created, so the copy is a stdout replacement installed before any
handler is imported. The stack's own messages go to stderr and stay out of the file, which tests search for secrets.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from pathlib import Path
from typing import Any, TextIO


class Tee(io.TextIOBase):
    def __init__(self, primary: TextIO, path: Path) -> None:
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._primary = primary
        self._file = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            with contextlib.suppress(OSError, ValueError):  # a closed terminal must not break a handler
                self._primary.write(text)
            if not self._file.closed:
                self._file.write(text)
                if text.endswith("\n"):
                    self._file.flush()
        return len(text)

    def flush(self) -> None:
        with self._lock:
            with contextlib.suppress(OSError, ValueError):
                self._primary.flush()
            if not self._file.closed:
                self._file.flush()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def isatty(self) -> bool:
        return self._primary.isatty()

    def close_file(self) -> None:
        with self._lock:
            self._file.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._primary, name)


def install(path: Path) -> tuple[TextIO, Tee]:
    """Returns the original stdout (for the stack's own banner) and the tee now standing in for it."""
    original = sys.stdout
    tee = Tee(original, path)
    sys.stdout = tee
    return original, tee


def uninstall(original: TextIO, tee: Tee) -> None:
    sys.stdout = original
    tee.close_file()
