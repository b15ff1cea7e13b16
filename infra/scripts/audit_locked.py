"""pip-audit over the layer's hashed lock, saying plainly when the advisory data cannot be reached.

pip-audit asks PyPI's JSON API (pypi.org/pypi/<name>/<version>/json) for each package's known vulnerabilities. Where
only the package index answers (a registry mirror, no general internet), every package comes back "not found" and
pip-audit would pass having checked nothing. This prints that as a note naming the unchecked packages instead, fails
on any vulnerability it did find, and fails when pip-audit itself breaks.

Run: .venv/bin/python infra/scripts/audit_locked.py [lock file]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LOCK = ROOT / "layers" / "gmail_integration" / "requirements.lock.txt"


def main(argv: list[str]) -> int:
    lock = Path(argv[1]) if len(argv) > 1 else DEFAULT_LOCK
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [str(pip_audit), "--require-hashes", "--disable-pip", "--progress-spinner", "off", "--format", "json"]
    done = subprocess.run(  # noqa: S603 (our own venv's pip-audit, fixed arguments)
        [*command, "-r", str(lock)], capture_output=True, text=True, timeout=600, check=False
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit: FAILED to run (exit {done.returncode}):\n{done.stderr[-2000:]}", file=sys.stderr)
        return 2
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    checked = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            print(f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(
            f"pip-audit: NOTE: {len(skipped)} of {len(dependencies)} locked packages NOT audited: PyPI's vulnerability "
            f"data (pypi.org/pypi/<name>/<version>/json) does not answer from this machine, only the package index "
            f"does. Run `make security` where pypi.org is reachable. Unchecked: {names}"
        )
    summary = f"{checked} of {len(dependencies)} locked packages checked, {len(vulnerable)} vulnerable"
    print(f"pip-audit: {summary} ({lock.name})")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
