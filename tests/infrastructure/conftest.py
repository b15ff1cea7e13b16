"""Shared fixtures of the infrastructure tests: the parsed template, the SAM-translated template, and the external
tools (SAM CLI, cfn-lint, checkov, a twin build of the layer), which start together on first use so that the suite
waits for the slowest of them rather than their sum."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .cfn import ROOT

TEMPLATE = ROOT / "template.yaml"
SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"
SAM = ROOT / ".venv-sam" / "bin" / "sam"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
# cfn-lint comes with the project's dev dependencies, next to the interpreter running the tests.
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
HERE = Path(__file__).resolve().parent

# Offline and quiet: no telemetry, no EC2 metadata probe for credentials (plain `sam validate` asks boto for them).
TOOL_ENV = {
    **os.environ,
    "SAM_CLI_TELEMETRY": "0",
    "AWS_EC2_METADATA_DISABLED": "true",
    "PYTHONDONTWRITEBYTECODE": "1",
}


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    from cfnlint.decode import decode_str

    decoded, matches = decode_str(TEMPLATE.read_text(encoding="utf-8"))
    assert not matches, f"template.yaml does not parse: {matches}"
    assert decoded is not None
    # Plain dicts and lists from here on: cfn-lint's node types carry positions the tests do not need.
    return json.loads(json.dumps(decoded))


@pytest.fixture(scope="session")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


@dataclass
class Run:
    """A command started in the background; `wait()` gives its exit code and combined output."""

    argv: list[str]
    process: subprocess.Popen[str] | None = None
    skip_reason: str | None = None
    _result: tuple[int, str] | None = field(default=None, repr=False)

    def wait(self, timeout: float = 600) -> tuple[int, str]:
        if self.skip_reason:
            pytest.skip(self.skip_reason)
        if self._result is None:
            assert self.process is not None
            output, _ = self.process.communicate(timeout=timeout)
            self._result = (self.process.returncode, output)
        return self._result

    def check(self, timeout: float = 600) -> str:
        code, output = self.wait(timeout)
        assert code == 0, f"{' '.join(self.argv)} exited with {code}:\n{output[-6000:]}"
        return output


def start(argv: list[str], *, needs: Path | None = None, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Run:
    if needs is not None and not needs.exists():
        venv = needs.parents[1].name
        tool = {".venv-sam": "sam", ".venv-checkov": "checkov"}.get(venv, "dev")
        reason = f"{needs.relative_to(ROOT)} is missing: run infra/scripts/bootstrap {tool} (make infra-check does)"
        return Run(argv, skip_reason=reason)
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env or TOOL_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Run(argv, process=process)


def twin_platform() -> str | None:
    """The manylinux tag of this machine, when the layer's wheels can be imported here (Linux, CPython 3.13)."""
    if sys.platform != "linux" or sys.version_info[:2] != (3, 13):
        return None
    return {"x86_64": "manylinux2014_x86_64", "aarch64": "manylinux2014_aarch64"}.get(platform.machine())


@pytest.fixture(scope="session")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    work = tmp_path_factory.mktemp("infra-tools")
    runs: dict[str, Run] = {
        "sam validate --lint": start([str(SAM), "validate", "--lint", "--template-file", str(TEMPLATE)], needs=SAM),
        "sam validate": start(
            [str(SAM), "validate", "--region", "us-east-1", "--template-file", str(TEMPLATE)], needs=SAM
        ),
        # --include-checks I adds the informational checks to the default errors and warnings: one run covers both.
        "cfn-lint": start([str(CFN_LINT), "--include-checks", "I", "--", str(TEMPLATE)], needs=CFN_LINT),
        # Settings (skip-download, framework, file) come from .checkov.yaml at the root.
        "checkov": start([str(CHECKOV)], needs=CHECKOV),
        "translate": start(
            [str(SAM_PYTHON), str(HERE / "sam_translate.py"), str(TEMPLATE), str(work / "translated.json")],
            needs=SAM_PYTHON,
        ),
    }
    tag = twin_platform()
    if tag is None:
        runs["layer twin"] = Run([], skip_reason="the layer twin needs Linux on x86_64/aarch64 and CPython 3.13")
    else:
        # Build the layer with the Makefile's own recipe, for this machine's platform instead of arm64, and import it.
        runtime = work / "runtime"
        runtime.mkdir()
        site = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "boto3").is_dir())
        for package in ("boto3", "botocore", "s3transfer"):
            (runtime / package).symlink_to(site / package)
        layer = work / "layer"
        script = (
            f'make --no-print-directory --makefile "{ROOT / "Makefile"}" build-SharedLayer '
            f'ARTIFACTS_DIR="{layer}" LAYER_PLATFORM={tag} '
            f'&& "{sys.executable}" -S "{HERE / "layer_bytecode.py"}" "{layer / "python"}" '
            f'&& PYTHONPATH="{layer / "python"}:{runtime}" POWERTOOLS_TRACE_DISABLED=1 '
            f'"{sys.executable}" -S "{HERE / "layer_imports.py"}"'
        )
        runs["layer twin"] = start(["bash", "-c", script], cwd=ROOT / "layers" / "gmail_integration")
    yield runs
    for run in runs.values():
        if run.process is not None and run.process.poll() is None:
            run.process.kill()
            run.process.wait()


@pytest.fixture(scope="session")
def translated(tools: dict[str, Run]) -> dict[str, Any]:
    """template.yaml after the SAM transform: what CloudFormation actually creates."""
    run = tools["translate"]
    run.check()
    return json.loads(Path(run.argv[-1]).read_text(encoding="utf-8"))
