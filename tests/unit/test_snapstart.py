"""SnapStart's hooks, run through a stand-in of the runtime's registry: what goes into the snapshot is built and warm,
and a restored environment keeps nothing that must be fresh or unique."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from gmail_integration import snapstart
from gmail_integration.bootstrap import Container, _container
from gmail_integration.cache import secret_key
from gmail_integration.settings import get_settings
from infra.contracts.handlers import load_handler

FUNCTIONS = ("api", "internal_api", "oauth_callback", "gmail_push", "schedule_polls", "send_email", "poll_mailbox")


class StandInRegistry:
    """Runs hooks as ``snapshot_restore_py`` does: before the snapshot in reverse order of registration, after the
    restore in order of registration."""

    def __init__(self) -> None:
        self.before: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.after: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def register_before_snapshot(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.before.append((func, args, kwargs))

    def register_after_restore(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.after.append((func, args, kwargs))

    def snapshot(self) -> None:
        for func, args, kwargs in reversed(self.before):
            func(*args, **kwargs)

    def restore(self) -> None:
        for func, args, kwargs in self.after:
            func(*args, **kwargs)


@pytest.fixture
def container() -> Container:
    return Container(settings=get_settings())


@pytest.fixture
def gmail_service_cache() -> Iterator[Any]:
    from gmail_integration.gmail.client import gmail_service

    gmail_service.cache_clear()
    yield gmail_service
    gmail_service.cache_clear()


def test_without_the_runtime_module_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, snapstart.RUNTIME_HOOKS_MODULE, None)  # import fails, as off Lambda
    assert snapstart.runtime_registry() is None
    assert snapstart.register_hooks("send_email") is False


def test_the_runtime_module_is_used_when_lambda_provides_it(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = StandInRegistry()
    monkeypatch.setitem(sys.modules, snapstart.RUNTIME_HOOKS_MODULE, registry)  # type: ignore[arg-type]
    assert snapstart.register_hooks("send_email") is True
    assert [f for f, _, _ in registry.before] == [snapstart.before_snapshot]
    assert [f for f, _, _ in registry.after] == [snapstart.after_restore]


def test_registering_does_no_work_until_the_snapshot(container: Container) -> None:
    registry = StandInRegistry()
    snapstart.register_hooks("process_send_message", registry=registry, container=lambda: container)
    assert "process_send_message" not in vars(container)
    assert container.clients == []


def test_before_the_snapshot_the_use_cases_clients_and_discovery_document_are_ready(
    container: Container, gmail_service_cache: Any
) -> None:
    registry = StandInRegistry()
    snapstart.register_hooks("process_send_message", registry=registry, container=lambda: container)
    registry.snapshot()
    built = vars(container)
    assert {"process_send_message", "send_email", "gmail", "vault", "ledger", "events"} <= set(built)
    assert gmail_service_cache.cache_info().currsize == 1  # Gmail's discovery document is parsed
    endpoints = {client.meta.endpoint_url for client in container.clients}
    assert "https://kms.us-east-1.amazonaws.com" in endpoints
    assert "https://dynamodb.us-east-1.amazonaws.com" in endpoints


def _pools_of(client: Any) -> Any:
    return client._endpoint.http_session._manager.pools


def test_after_restore_tokens_credentials_pools_and_secrets_are_gone_and_random_is_reseeded(
    container: Container, gmail_service_cache: Any
) -> None:
    from aws_lambda_powertools.utilities.parameters.base import DEFAULT_PROVIDERS

    from gmail_integration.gmail.client import pooled_connections, shared_http

    registry = StandInRegistry()
    snapstart.register_hooks("process_send_message", "push_tokens", registry=registry, container=lambda: container)
    registry.snapshot()
    # What a first invocation leaves behind (and what the snapshot would hold if it ran before it):
    key = secret_key("ws_1", b"ciphertext")
    container.vault._cache.put(key, SecretStr("refresh-token"))
    container.gmail._credentials._cache.put(key, object())  # type: ignore[arg-type]
    shared_http()
    kms = container.vault._client
    _pools_of(kms).clear()
    kms._endpoint.http_session._manager.connection_from_url("https://kms.us-east-1.amazonaws.com")
    container.push_tokens._request._cache["certs"] = (0.0, object())
    DEFAULT_PROVIDERS["secrets"] = object()
    random.seed(20261128)
    shared_state = random.getstate()
    assert (len(container.vault._cache), len(container.gmail._credentials), pooled_connections()) == (1, 1, 1)
    assert len(_pools_of(kms)) == 1

    registry.restore()

    assert len(container.vault._cache) == 0
    assert len(container.gmail._credentials) == 0
    assert pooled_connections() == 0
    assert all(len(_pools_of(client)) == 0 for client in container.clients)
    assert container.push_tokens._request._cache == {}
    assert "secrets" not in DEFAULT_PROVIDERS
    first = random.random()  # noqa: S311 - the point is the generator's state
    random.setstate(shared_state)  # a second environment restored from the same snapshot
    registry.restore()
    assert random.random() != first  # noqa: S311
    assert first != random.Random(20261128).random()  # noqa: S311
    # The warm part stays: use cases, clients and the parsed discovery document.
    assert "process_send_message" in vars(container)
    assert gmail_service_cache.cache_info().currsize == 1


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_functions_hooks_build_only_real_use_cases(
    function: str, monkeypatch: pytest.MonkeyPatch, gmail_service_cache: Any
) -> None:
    """Each handler registers its hooks at import; running them builds every name it lists (a misspelt one fails)."""
    registry = StandInRegistry()
    monkeypatch.setattr(snapstart, "runtime_registry", lambda: registry)
    monkeypatch.delitem(sys.modules, f"contracts_handler_{function}", raising=False)
    _container.cache_clear()
    try:
        load_handler(function)
        assert len(registry.before) == 1
        registry.snapshot()
        registry.restore()
        assert _container().clients  # AWS clients were made before the snapshot
    finally:
        sys.modules.pop(f"contracts_handler_{function}", None)
        _container.cache_clear()
