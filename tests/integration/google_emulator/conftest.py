"""One emulator for the module's tests on a free port, wiped before each test so tests stay independent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulator_helpers import Control
from google_emulator import Emulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    emu = Emulator.start(host="127.0.0.1", port=0)
    yield emu
    emu.stop()


@pytest.fixture
def control(emulator: Emulator) -> Control:
    ctl = Control(emulator.url)
    ctl.post("reset")
    return ctl


@pytest.fixture(autouse=True)
def _oauthlib_over_loopback_http(monkeypatch: pytest.MonkeyPatch) -> None:
    # The emulator is plain http on loopback; oauthlib refuses http without this, and raises on granted < requested.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
