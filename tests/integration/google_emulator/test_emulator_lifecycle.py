"""Starting, answering and stopping: the interface the local stack builds on."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

from google_emulator import Emulator


def test_start_on_a_free_port_answers_and_stop_frees_the_port() -> None:
    emu = Emulator.start(host="127.0.0.1", port=0)
    assert emu.url.startswith("http://127.0.0.1:")
    assert not emu.url.endswith("/")
    assert requests.get(emu.url + "/_emulator/health", timeout=5).json() == {"ok": True}
    port = emu.port
    emu.stop()
    emu.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.get(emu.url + "/_emulator/health", timeout=2)
    again = Emulator.start(host="127.0.0.1", port=port)  # the port is free for a new emulator at once
    try:
        assert requests.get(again.url + "/_emulator/health", timeout=5).ok
    finally:
        again.stop()


def test_unknown_urls_answer_googles_404_page(control) -> None:
    answer = requests.get(control.url + "/nothing/here", timeout=5)
    assert answer.status_code == 404
    assert "Error 404 (Not Found)" in answer.text


def test_module_runs_in_the_foreground_until_sigterm() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "google_emulator", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the emulator did not answer"
                time.sleep(0.05)
        process.terminate()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
