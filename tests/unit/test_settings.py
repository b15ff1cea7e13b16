from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from gmail_integration.settings import Settings, get_settings


def test_google_over_plain_http_only_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_TOKEN_URI", "http://127.0.0.1:4020/token")
    get_settings.cache_clear()
    assert get_settings().google_is_local
    monkeypatch.setenv("GOOGLE_TOKEN_URI", "http://oauth2.googleapis.com/token")
    with pytest.raises(ValidationError, match="https"):
        Settings.model_validate(dict(os.environ))


def test_real_google_is_not_local() -> None:
    assert not get_settings().google_is_local
