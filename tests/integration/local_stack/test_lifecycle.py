"""The stack starts as the contract says and stops on SIGTERM or Ctrl-C, leaving no file or process behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest

from tests.integration.conftest import PROJECT_ROOT, http, start_local_stack
from tests.integration.local_stack.conftest import TOY_TEMPLATE


def test_sigterm_stops_everything_and_a_second_stack_is_refused_meanwhile(tmp_path: Path) -> None:
    # start_local_stack itself sends SIGTERM at the end and fails if a process or stack.json is left.
    with start_local_stack(tmp_path, template=TOY_TEMPLATE) as stack:
        urls = [stack["api_url"] + "/_local/jwks.json", stack["demo_url"], stack["google_url"] + "/_emulator/calls"]
        assert all(http("GET", url).status_code == 200 for url in urls)
        second = subprocess.run(
            [sys.executable, "-m", "local_stack", "--ports", "auto", "--state-dir", str(tmp_path)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 1
        assert b"already runs" in second.stderr
        assert json.loads((tmp_path / "stack.json").read_text())["api_url"] == stack["api_url"]
        process = stack.process
    assert process is not None
    assert process.returncode == 0
    for url in urls:  # every port is closed
        with pytest.raises(urllib.error.URLError, match="refused"):
            http("GET", url, timeout=2)


def test_ctrl_c_stops_everything(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "local_stack", "--ports", "auto", "--state-dir", str(tmp_path)]
    process = subprocess.Popen(
        [*command, "--template", str(TOY_TEMPLATE)], cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 90
        while not (tmp_path / "stack.json").exists():
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.1)
        api = json.loads((tmp_path / "stack.json").read_text())["api_url"]
        process.send_signal(signal.SIGINT)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not (tmp_path / "stack.json").exists()
    with pytest.raises(urllib.error.URLError, match="refused"):
        http("GET", api + "/_local/jwks.json", timeout=2)
