"""Browser tests: one local stack for the session, Debian's Chromium driven by Playwright, a fresh context per test.

Chromium comes from apt (`infra/scripts/bootstrap browser`, which `make e2e` runs); Playwright cannot download
browsers here, so it is launched by path with the flags that keep it off the network. A failing test leaves a
screenshot of every page it had open and the pages' console under test-artifacts/e2e/<test>/.

Set OUTSALES_STACK_JSON=/path/to/.local/stack.json to run against a stack that is already up (`make dev`).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.demo_page import DemoPage
from tests.integration.conftest import PROJECT_ROOT, LocalStack, session_stack

CHROMIUM = Path(os.environ.get("OUTSALES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"
TIMEOUT_MS = 15_000


def pytest_sessionstart(session: pytest.Session) -> None:
    """Artifacts are of this run only."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keeps each phase's report on the test item, so fixtures can tell at teardown whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(node: pytest.Item) -> bool:
    return any(getattr(getattr(node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """The whole service from template.yaml on free ports, shared by the session's browser tests."""
    with session_stack("outsales-e2e-") as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run infra/scripts/bootstrap browser (make e2e does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A fresh browser context (own storage, own popups) whose pages' console and errors are recorded."""
    created = browser.new_context(
        locale="en-US", timezone_id="UTC", viewport={"width": 1100, "height": 900}, device_scale_factor=1
    )
    created.set_default_timeout(TIMEOUT_MS)
    console: list[str] = []
    page_errors: list[str] = []

    def watch(page: Page) -> None:
        page.on("console", lambda message: console.append(f"[{page.url}] {message.type}: {message.text}"))
        page.on("pageerror", lambda error: page_errors.append(f"[{page.url}] {error}"))

    created.on("page", watch)
    created.console = console  # type: ignore[attr-defined]
    created.page_errors = page_errors  # type: ignore[attr-defined]
    yield created
    if _failed(request.node):
        _save_artifacts(request.node, created, console + [f"pageerror: {e}" for e in page_errors])
    created.close()


def _save_artifacts(node: pytest.Item, context: BrowserContext, console: list[str]) -> None:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid)
    folder.mkdir(parents=True, exist_ok=True)
    for index, page in enumerate(context.pages):
        if not page.is_closed():
            try:
                page.screenshot(path=str(folder / f"page-{index}.png"), full_page=True, timeout=5_000)
                (folder / f"page-{index}.url.txt").write_text(page.url + "\n")
            except Exception as error:  # an artifact must not hide the test's own failure
                (folder / f"page-{index}.error.txt").write_text(f"{error}\n")
    (folder / "console.log").write_text("\n".join(console) + "\n", encoding="utf-8")


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def demo(stack: LocalStack, page: Page, context: BrowserContext) -> Iterator[DemoPage]:
    """The demo page, signed in as a new workspace of its own; uncaught errors on the page fail the test."""
    opened = DemoPage.open(stack, page)
    yield opened
    errors = context.page_errors  # type: ignore[attr-defined]
    assert not errors, f"uncaught errors on the page: {errors}"


@pytest.fixture
def coop(stack: LocalStack) -> Iterator[None]:
    """The emulator's consent page sends Cross-Origin-Opener-Policy: same-origin for the test's duration."""
    answer = stack.google("POST", "settings", {"consent_coop": True})
    assert answer.status_code == 200, answer.text
    try:
        yield
    finally:
        stack.google("POST", "settings", {"consent_coop": False})
