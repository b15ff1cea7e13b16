"""The fidelity check: fail a test run when the code under test asked Gmail something the real API refuses.

The emulator validates every Gmail API request against the discovery document shipped inside
google-api-python-client and records the violations per call (`discovery_violations` in `GET /_emulator/calls`).
This plugin reads that log. Enable it with `pytest_plugins = ["google_emulator.pytest_plugin"]`, then either

    assert_gmail_fidelity(google_url)              # anywhere: every recorded call so far
    assert_gmail_fidelity(google_url, since=mark)  # only calls from `mark = calls_mark(google_url)` on

or use the `gmail_fidelity` fixture: `gmail_fidelity.watch(google_url)` at the start of a test checks that
test's calls when it ends.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

_GMAIL_PATHS = ("/gmail/", "/upload/gmail/", "/resumable/upload/gmail/")


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (the emulator's own URL)
        return json.loads(answer.read())


def calls_mark(google_url: str) -> int:
    """The index the next recorded call will get: pass it as `since` to check only what follows."""
    mark: int = _get(f"{google_url.rstrip('/')}/_emulator/calls?since=0")["next"]
    return mark


def gmail_violations(google_url: str, since: int = 0) -> list[dict[str, Any]]:
    """Recorded Gmail API calls (from index `since`) that the discovery document does not allow."""
    calls = _get(f"{google_url.rstrip('/')}/_emulator/calls?{urlencode({'since': since})}")["calls"]
    return [c for c in calls if c["path"].startswith(_GMAIL_PATHS) and c.get("discovery_violations")]


def describe(call: dict[str, Any]) -> str:
    query = urlencode([(k, v) for k, values in call.get("query", {}).items() for v in values])
    target = f"{call['http_method']} {call['path']}" + (f"?{query}" if query else "")
    lines = [f"call #{call['index']} {target} ({call.get('method') or 'no such method'}) answered {call['status']}:"]
    lines += [f"    - {violation}" for violation in call["discovery_violations"]]
    return "\n".join(lines)


def assert_gmail_fidelity(google_url: str, since: int = 0) -> None:
    """Fail with a readable list when any recorded Gmail API call broke the discovery document."""
    bad = gmail_violations(google_url, since)
    if bad:
        report = "\n".join(describe(call) for call in bad)
        pytest.fail(f"{len(bad)} Gmail API call(s) that the real API would refuse:\n{report}", pytrace=False)


class FidelityCheck:
    def __init__(self) -> None:
        self._watched: list[tuple[str, int]] = []

    def watch(self, google_url: str) -> None:
        """Check every Gmail call from now until the test ends."""
        self._watched.append((google_url, calls_mark(google_url)))

    def check(self) -> None:
        for google_url, since in self._watched:
            assert_gmail_fidelity(google_url, since)


@pytest.fixture
def gmail_fidelity() -> Iterator[FidelityCheck]:
    check = FidelityCheck()
    yield check
    check.check()
