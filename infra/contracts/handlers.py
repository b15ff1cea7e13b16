"""Loading the route functions' handler modules the way Lambda does (by file), without AWS or a deployment.

The handlers read their settings when imported; fixed placeholder values make the generated documents the same on
every machine (only CORS depends on them, and CORS is not part of the document).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

ROOT = Path(__file__).resolve().parents[2]

ROUTE_FUNCTIONS = ("api", "internal_api", "oauth_callback", "gmail_push")
"""The functions behind the HTTP API, in the order their routes appear in the document."""

_PLACEHOLDER_ENV = {
    "TABLE_NAME": "contracts",
    "KMS_KEY_ID": "alias/contracts",
    "EVENT_BUS_NAME": "contracts",
    "SEND_QUEUE_URL": "http://127.0.0.1:1/queue/send",
    "SEND_DLQ_URL": "http://127.0.0.1:1/queue/send-dlq",
    "POLL_QUEUE_URL": "http://127.0.0.1:1/queue/poll",
    "FRONTEND_ORIGIN": "https://app.outsales.example",
    "GOOGLE_CLIENT_ID": "contracts",
    "GOOGLE_CLIENT_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:contracts",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_METRICS_NAMESPACE": "Contracts",
    "POWERTOOLS_SERVICE_NAME": "contracts",
}


@contextmanager
def placeholder_environment() -> Iterator[None]:
    """Missing settings get placeholders for the import; a real environment (the local stack's) is left alone."""
    added = [key for key in _PLACEHOLDER_ENV if key not in os.environ]
    for key in added:
        os.environ[key] = _PLACEHOLDER_ENV[key]
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


def load_handler(function: str, root: Path = ROOT) -> ModuleType:
    path = root / "functions" / function / "handler.py"
    name = f"contracts_handler_{function}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with placeholder_environment():
        spec.loader.exec_module(module)
    return module


def resolvers(root: Path = ROOT) -> dict[str, APIGatewayHttpResolver]:
    """Each route function's resolver app (its module's ``app``), by function folder name."""
    apps: dict[str, APIGatewayHttpResolver] = {}
    for function in ROUTE_FUNCTIONS:
        app = getattr(load_handler(function, root), "app", None)
        if isinstance(app, APIGatewayHttpResolver):
            apps[function] = app
    return apps
