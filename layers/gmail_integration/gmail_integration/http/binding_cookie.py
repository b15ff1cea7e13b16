"""The browser-binding cookie on the wire: written by ``POST /gmail/connect``, read and cleared by the callback.

HttpOnly so no script (ours included) can read it, ``SameSite=Lax`` so it still rides along on Google's top-level
redirect to the callback but never on a cross-site subrequest, and limited to the callback's path.
"""

from __future__ import annotations

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from gmail_integration.models.authorization import BrowserBinding


def binding_cookie(binding: BrowserBinding) -> Cookie:
    return Cookie(
        name=binding.name,
        value=binding.value,
        path=binding.path,
        secure=binding.secure,
        http_only=True,
        max_age=binding.max_age_s,
        same_site=SameSite.LAX_MODE,
    )


def cleared_cookie(name: str, path: str, secure: bool) -> Cookie:
    """The spent binding removed from the browser (a state is single use, so is its cookie)."""
    return Cookie(name=name, value="", path=path, secure=secure, http_only=True, max_age=0, same_site=SameSite.LAX_MODE)


def request_cookies(raw: list[str] | None) -> dict[str, str]:
    """API Gateway's ``cookies`` (``name=value`` strings) by name; a repeated name keeps its first value, as
    browsers send the most specific path first."""
    found: dict[str, str] = {}
    for pair in raw or []:
        name, sep, value = pair.strip().partition("=")
        if sep and name and name not in found:
            found[name] = value
    return found
