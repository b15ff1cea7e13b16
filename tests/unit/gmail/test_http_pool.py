"""Gmail calls reuse one connection pool per container thread, whatever the workspace."""

from __future__ import annotations

import threading

from google.oauth2.credentials import Credentials

from gmail_integration.gmail.client import authorized_http


def credentials(token: str) -> Credentials:
    return Credentials(token=token)  # type: ignore[no-untyped-call]


def test_calls_for_two_workspaces_share_one_pool() -> None:
    first = authorized_http(credentials("a"))
    second = authorized_http(credentials("b"))
    assert first.http is second.http
    assert first.credentials is not second.credentials


def test_each_thread_has_its_own_pool_because_httplib2_is_not_thread_safe() -> None:
    here = authorized_http(credentials("a")).http
    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(authorized_http(credentials("a")).http))
    worker.start()
    worker.join()
    assert len(seen) == 1
    assert seen[0] is not here
