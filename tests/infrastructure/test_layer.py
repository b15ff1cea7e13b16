"""The shared layer: its lock follows pyproject.toml, and the Makefile's recipe yields a layer that imports."""

from __future__ import annotations

import re
import tomllib

from .cfn import ROOT
from .conftest import Run

LOCK = ROOT / "layers" / "gmail_integration" / "requirements.lock.txt"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", LOCK.read_text(encoding="utf-8"), flags=re.M)
    return {canonical(name): version for name, version in pins}


def test_the_lock_pins_what_pyproject_asks_for() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = locked()
    for requirement in dependencies:
        match = re.fullmatch(r"([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==(\S+)", requirement.strip())
        assert match, f"{requirement}: the layer's direct dependencies are pinned exactly"
        name, version = canonical(match.group(1)), match.group(2)
        assert pins.get(name) == version, f"{requirement} is not in the lock: run make lock"


def test_every_locked_package_is_hashed() -> None:
    text = LOCK.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(blocks) == len(locked())
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_the_layer_builds_and_imports(tools: dict[str, Run]) -> None:
    # Same recipe as `sam build`, for this machine's platform, imported with only boto3 besides it (as on Lambda).
    output = tools["layer twin"].check()
    assert "layer imports fine" in output


def test_the_built_layer_has_bytecode_for_every_module(tools: dict[str, Run]) -> None:
    # Checked before the imports above run, so pycs written by importing cannot hide a missing one.
    assert "layer bytecode complete" in tools["layer twin"].check()
