"""Lambda SnapStart runtime hooks: what a snapshot should hold, and what a restored environment must not keep.

With SnapStart (template.yaml, parameter ``SnapStart``) Lambda runs the init once, when a version is published, and
starts every new environment from a snapshot of its memory. The before-snapshot hook therefore imports and builds,
once, what each invocation of the function needs: its use cases and their adapters (which imports their modules), the
AWS clients with their endpoints resolved, the parsed settings and, where the function calls Gmail, the parsed static
discovery document. Nothing is fetched: no secret, no token, no request leaves the init.

Every environment restored from one snapshot starts with the same memory, so the after-restore hook re-seeds
``random`` (the jitter of retries would otherwise be the same in every environment) and drops whatever must be fresh
or unique: decrypted tokens and Google credentials (the ``WorkspaceCache`` of each adapter), the cached client
secret, the push certificates, and every pooled connection (their sockets did not survive the snapshot). An adapter
takes part by having ``warm()`` (called before the snapshot) or ``forget_all()`` (called on both sides).

``snapshot_restore_py`` comes with Lambda's Python runtimes (3.12 and later) and is not in the layer's lock: where it
is missing (tests, the local stack) ``register_hooks`` does nothing, and the handlers run as before.
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from gmail_integration.bootstrap import Container, bootstrap

RUNTIME_HOOKS_MODULE = "snapshot_restore_py"


class HookRegistry(Protocol):
    def register_before_snapshot(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...

    def register_after_restore(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...


def runtime_registry() -> HookRegistry | None:
    try:
        registry: HookRegistry = importlib.import_module(RUNTIME_HOOKS_MODULE)
    except ImportError:
        return None
    return registry


def register_hooks(
    *attributes: str,
    modules: Iterable[str] = (),
    registry: HookRegistry | None = None,
    container: Callable[[], Container] = bootstrap,
) -> bool:
    """Registers the hooks of one function: ``attributes`` are the container's use cases and adapters its invocations
    build, ``modules`` what they import later (behind a call that needs a secret, say). Costs nothing at import: the
    work happens in the hooks. False where the runtime has no hooks."""
    registry = registry if registry is not None else runtime_registry()
    if registry is None:
        return False
    registry.register_before_snapshot(before_snapshot, container, tuple(attributes), tuple(modules))
    registry.register_after_restore(after_restore, container)
    return True


def before_snapshot(container: Callable[[], Container], attributes: tuple[str, ...], modules: tuple[str, ...]) -> None:
    for module in modules:
        importlib.import_module(module)
    built = container()
    for name in attributes:
        getattr(built, name)
    for adapter in list(vars(built).values()):
        warm = getattr(adapter, "warm", None)
        if callable(warm):
            warm()
    _forget(built)  # nothing of the init that is fresh or unique goes into the snapshot


def after_restore(container: Callable[[], Container]) -> None:
    random.seed()  # from os.urandom: each restored environment draws its own numbers
    _forget(container())


def _forget(built: Container) -> None:
    for adapter in list(vars(built).values()):
        forget_all = getattr(adapter, "forget_all", None)
        if callable(forget_all):
            forget_all()
    for client in built.clients:
        client.close()  # botocore empties its connection pools; the client opens new ones on its next call
    parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
    if parameters is not None:
        parameters.clear_caches()  # the Google client secret is read again from Secrets Manager
