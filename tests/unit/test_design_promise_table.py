"""docs/design.md's promise table names code and tests; a rename or a move that forgets it fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "gmail_integration" / "gmail_integration"


def _table_rows() -> list[str]:
    text = (ROOT / "docs" / "design.md").read_text()
    section = text.split("## Where each promise is kept", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| promise")]


def test_the_table_has_rows() -> None:
    assert len(_table_rows()) >= 10


def test_every_named_module_and_test_exists() -> None:
    missing: list[str] = []
    for row in _table_rows():
        _, code, tests = (cell.strip() for cell in row.strip("|").split("|"))
        for path in re.findall(r"`([\w/]+\.py)", code):
            if not (PACKAGE / path).exists() and not (ROOT / path).exists():
                missing.append(path)
        last_file = None
        for file, name in re.findall(r"`(?:([\w/]+\.py))?(?:::(\w+))?", tests):
            last_file = file or last_file
            if last_file is None:
                continue
            source = ROOT / "tests" / last_file
            if not source.exists():
                missing.append(last_file)
            elif name and f"def {name}(" not in source.read_text():
                missing.append(f"{last_file}::{name}")
    assert missing == []
