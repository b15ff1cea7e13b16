"""The layering contracts in pyproject.toml catch an arrow drawn the wrong way, and handlers reach only bootstrap.

A contract that passes on any code proves nothing: each case copies the package, draws one forbidden import into
the copy and expects ``lint-imports`` to refuse it, while the untouched copy passes.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "gmail_integration" / "gmail_integration"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

HANDLER_MAY_IMPORT = (
    "gmail_integration.bootstrap",
    "gmail_integration.snapstart",
    "gmail_integration.http.",
    "gmail_integration.models.",
    "gmail_integration.observability",
    "gmail_integration.settings",
)
"""A handler parses the event and calls a use case that ``bootstrap`` built (and names what SnapStart warms); nothing
below it."""


def _lint_copy(tmp_path: Path, module: str, line: str | None) -> subprocess.CompletedProcess[str]:
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "gmail_integration", ignore=shutil.ignore_patterns("__pycache__"))
    if line is not None:
        target = copy / "gmail_integration" / module
        target.write_text(target.read_text() + f"\n{line}\n")
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_package_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    answer = _lint_copy(tmp_path, "models/domain.py", None)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "0 broken" in answer.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("models/domain.py", "from gmail_integration.dal import keys", "bootstrap > adapters"),
        ("sending/send_email.py", "from gmail_integration.dal import ledger", "bootstrap > adapters"),
        ("sending/ports.py", "from gmail_integration.sending import mime", "ports import only models"),
        ("dal/ledger.py", "from gmail_integration.sending import send_email", "adapters import a use-case"),
        ("replies/intake.py", "from gmail_integration.sending import intake", "use cases do not import"),
        ("kms/vault.py", "from gmail_integration.sqs import queues", "one adapter does not reach"),
        ("dal/keys.py", "from gmail_integration import bootstrap", "bootstrap > adapters"),
    ],
)
def test_an_arrow_drawn_the_wrong_way_breaks_a_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    answer = _lint_copy(tmp_path, module, line)
    assert answer.returncode != 0
    broken = [row for row in answer.stdout.splitlines() if "BROKEN" in row or contract in row]
    assert any(contract in row for row in broken), answer.stdout


@pytest.mark.parametrize("handler", sorted((ROOT / "functions").glob("*/handler.py")), ids=lambda p: p.parent.name)
def test_handlers_reach_use_cases_only_through_bootstrap(handler: Path) -> None:
    tree = ast.parse(handler.read_text())
    imported = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gmail_integration")
    ]
    assert imported, "a handler that imports nothing of the package is not wired to it"
    below = [name for name in imported if not name.startswith(HANDLER_MAY_IMPORT)]
    assert below == []
