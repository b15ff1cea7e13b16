"""The two HTML pages a person sees at Google's authorization endpoint: the consent page and the error page."""

from __future__ import annotations

import html
from importlib import resources
from string import Template

from google_emulator.oauth.grants import PendingAuthorization
from google_emulator.oauth.scopes import words
from google_emulator.state import Account, Client
from google_emulator.web import Response, html_response

_TITLES = {
    "redirect_uri_mismatch": "Access blocked: This app\u2019s request is invalid",
    "invalid_client": "Access blocked: Authorization Error",
}


def _template(name: str) -> Template:
    return Template((resources.files("google_emulator.oauth") / "templates" / name).read_text(encoding="utf-8"))


def error_page(code: int, error: str, description: str, query: dict[str, list[str]]) -> Response:
    """Google's "Access blocked" page: shown, never redirected, when the request itself is wrong."""
    details = "\n".join(f"{key}={value}" for key, values in sorted(query.items()) for value in values)
    text = _template("error.html").substitute(
        code=code,
        error=html.escape(error),
        title=html.escape(_TITLES.get(error, "Access blocked: Authorization Error")),
        description=html.escape(description),
        details=html.escape(details or "(none)"),
    )
    return html_response(code, text)


def consent_page(pending: PendingAuthorization, client: Client, accounts: list[Account], coop: bool) -> Response:
    preferred = (pending.login_hint or "").strip().lower()
    chosen = next((a.email for a in accounts if a.email == preferred), accounts[0].email if accounts else "")
    account_rows = (
        "\n".join(
            f'<label><input type="radio" name="email" value="{html.escape(a.email)}"'
            f"{' checked' if a.email == chosen else ''}> <span><b>{html.escape(a.name or a.email)}</b><br>"
            f'<span class="muted">{html.escape(a.email)}</span></span></label>'
            for a in accounts
        )
        or '<p class="notice">No accounts yet: create one with POST /_emulator/accounts, then reload.</p>'
    )
    scope_rows = "\n".join(
        f'<label><input type="checkbox" name="scope" value="{html.escape(s)}" checked> '
        f'<span>{html.escape(words(s))}<br><span class="muted">{html.escape(s)}</span></span></label>'
        for s in pending.scopes
    )
    text = _template("consent.html").substitute(
        client_name=html.escape(client.name or client.client_id),
        request_id=html.escape(pending.id),
        accounts=account_rows,
        scopes=scope_rows,
    )
    headers = [("Cross-Origin-Opener-Policy", "same-origin")] if coop else []
    headers.append(("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate"))
    return html_response(200, text, headers)
