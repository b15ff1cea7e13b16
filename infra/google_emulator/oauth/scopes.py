"""The scopes Google knows, and the words its consent page uses for them."""

from __future__ import annotations

from google_emulator.discovery import document

_IDENTITY = {
    "openid": "Associate you with your personal info on Google",
    "email": "See your primary Google Account email address",
    "profile": "See your personal info, including any personal info you've made publicly available",
    "https://www.googleapis.com/auth/userinfo.email": "See your primary Google Account email address",
    "https://www.googleapis.com/auth/userinfo.profile": (
        "See your personal info, including any personal info you've made publicly available"
    ),
}
GMAIL_PREFIX = "https://www.googleapis.com/auth/"


def descriptions() -> dict[str, str]:
    gmail = {scope: info["description"] for scope, info in document()["auth"]["oauth2"]["scopes"].items()}
    return {**gmail, **_IDENTITY}


def known(scope: str) -> bool:
    return scope in descriptions()


def expand(scope: str) -> str:
    """`gmail.send` → the full URL, as a convenience for control calls; full URLs and identity scopes stay."""
    if scope in _IDENTITY or "://" in scope:
        return scope
    return GMAIL_PREFIX + scope


def expand_scopes(scopes: list[str]) -> list[str]:
    return [expand(s) for s in scopes]


def words(scope: str) -> str:
    return descriptions().get(scope, scope)
