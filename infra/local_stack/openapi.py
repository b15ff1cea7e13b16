"""The OpenAPI document the front door serves at ``{api_url}/openapi.json``, for Swagger UI and client generators.

Generated from the handlers the stack runs (infra/contracts), not read from docs/openapi.json, so a route being
written shows up on the next request after a restart, before `make openapi` commits it. Its server is the front
door itself, so "try it out" calls the local stack. Local only: the deployed API does not publish its internal
routes' shapes to the internet; integrators read the committed docs/openapi.json.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any


class OpenApiDocument:
    def __init__(self, code_root: Path, api_url: str) -> None:
        self._code_root = code_root
        self._api_url = api_url
        self._document: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> dict[str, Any]:
        with self._lock:
            if self._document is None:
                from contracts.openapi import build  # imports every route handler: only when first asked

                self._document = {**build(self._code_root), "servers": [{"url": self._api_url}]}
            return self._document
