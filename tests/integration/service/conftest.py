"""Every test of the service is also a fidelity check: each Gmail request it caused must be one the real API takes.

The emulator validates each request against Gmail's discovery document (the copy shipped in
google-api-python-client) and records what the real API would refuse; a test whose requests drew any fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from google_emulator.pytest_plugin import assert_gmail_fidelity, calls_mark
from tests.integration.conftest import LocalStack


@pytest.fixture(autouse=True)
def _gmail_fidelity(request: pytest.FixtureRequest) -> Iterator[None]:
    names = [name for name in ("stack", "quick_stack") if name in request.fixturenames]
    if not names:
        yield
        return
    stack: LocalStack = request.getfixturevalue(names[0])
    mark = calls_mark(stack["google_url"])
    yield
    assert_gmail_fidelity(stack["google_url"], since=mark)
