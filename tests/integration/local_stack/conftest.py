"""The local stack's own tests run it on a small template with test handlers (template.yaml beside this file),
so they prove the front door, pollers and schedule without depending on the service's handlers."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import LocalStack, start_local_stack

TOY_TEMPLATE = Path(__file__).resolve().parent / "template.yaml"


@pytest.fixture(scope="session")
def toy_stack() -> Iterator[LocalStack]:
    with (
        tempfile.TemporaryDirectory(prefix="toy-stack-") as state_dir,
        start_local_stack(Path(state_dir), template=TOY_TEMPLATE) as running,
    ):
        yield running
