"""A fresh clone must pass its tests with nothing beside it: no test names a path outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_OUTSIDE = re.compile(r"""["'](?:/work/|/home/|/tmp/shared|\.\./shared|\.\./\.\./shared)""")


def test_no_test_or_script_reads_a_path_outside_the_repository() -> None:
    sources = [*ROOT.joinpath("tests").rglob("*.py"), *ROOT.joinpath("bench").rglob("*.py")]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _OUTSIDE.search(line)
    ]
    assert sources
    assert offenders == []
