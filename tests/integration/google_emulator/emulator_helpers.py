"""Plain-HTTP helpers for the control API (the tests drive Google's endpoints with Google's own libraries)."""

from __future__ import annotations

from typing import Any

import requests


class Control:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def post(self, route: str, body: dict[str, Any] | None = None, expect: int = 200) -> Any:
        answer = self.http.post(f"{self.url}/_emulator/{route}", json=body or {}, timeout=10)
        assert answer.status_code == expect, answer.text
        return answer.json()

    def get(self, route: str, expect: int = 200, **params: Any) -> Any:
        answer = self.http.get(f"{self.url}/_emulator/{route}", params=params, timeout=10)
        assert answer.status_code == expect, answer.text
        return answer.json()

    def delete(self, route: str) -> Any:
        answer = self.http.delete(f"{self.url}/_emulator/{route}", timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()
