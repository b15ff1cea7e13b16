"""One emulator on a free port for the whole run, wiped before each test so tests stay independent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from google_emulator import Emulator
from google_emulator.pytest_plugin import gmail_fidelity  # noqa: F401 - the plugin's fixture, for these tests
from tests.integration.google_emulator.emulator_helpers import PROSPECT, REP, Control


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


@pytest.fixture
def world(control: Control) -> Control:
    """The service's OAuth client, a sales rep's account and a prospect's account."""
    control.client()
    control.account(REP, "Rita Rep")
    control.account(PROSPECT, "Pat Lee")
    return control


@pytest.fixture(autouse=True)
def _oauthlib_over_loopback_http(monkeypatch: pytest.MonkeyPatch) -> None:
    # The emulator is plain http on loopback; oauthlib refuses http without this, and raises on granted < requested.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
