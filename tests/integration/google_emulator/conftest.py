"""One emulator on a free port for the whole run, wiped before each test so tests stay independent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from emulator_helpers import Control
from google_emulator import Emulator
from googleapiclient.errors import HttpError

pytest_plugins = ["google_emulator.pytest_plugin"]

REP = "rep@outsales.test"
PROSPECT = "pat@prospect.test"


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


def error_of(raised: pytest.ExceptionInfo[HttpError]) -> dict[str, Any]:
    """The `error` object of Google's JSON answer carried by an HttpError."""
    error: dict[str, Any] = json.loads(raised.value.content)["error"]
    return error
