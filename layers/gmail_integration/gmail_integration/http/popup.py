"""The page Google's redirect lands on, inside the popup: it tells the opener how the connect went, then closes.

The result is posted to the configured front-end origin only (never ``*``: the message names the account), as
``{source: "outsales-gmail", status: "connected", email}`` or ``{source, status: "error", error: <code>}``.
Without an opener (the popup was opened in a tab, or a Cross-Origin-Opener-Policy cut the link), the page says in
words what happened; the web app then reads ``GET /gmail/status``.

The script is constant, so the Content-Security-Policy allows exactly it by hash; the data travels in a JSON
block that the browser never executes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json

_SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById("result").textContent);
  var message = {source: "outsales-gmail", status: data.status};
  if (data.email) { message.email = data.email; }
  if (data.error) { message.error = data.error; }
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage(message, data.origin);
    window.close();
  } else {
    document.getElementById("no-opener").hidden = false;
  }
})();
""".strip()

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()

CSP = (
    f"default-src 'none'; script-src 'sha256-{_SCRIPT_HASH}'; style-src 'unsafe-inline'; base-uri 'none';"
    " form-action 'none'; frame-ancestors 'none'"
)

ERROR_WORDS = {
    "access_denied": "You cancelled on Google's page, so Gmail was not connected.",
    "scope_missing": (
        "OutSales needs both permissions (send emails, read email metadata). Connect again and leave both ticked."
    ),
    "state_invalid": "This sign-in link has expired or was already used. Start again from OutSales.",
    "browser_mismatch": (
        "This sign-in was started in another browser or by someone else, so Gmail was not connected."
        " Start again from OutSales in this browser."
    ),
    "exchange_failed": "Google did not complete the sign-in. Start again from OutSales.",
    "gmail_unavailable": "This Google account has no Gmail. Connect an account that has Gmail.",
}


def _json_for_html(value: dict[str, str]) -> str:
    # "<", ">" and "&" escaped so that nothing in the data can close the script block.
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_result_page(frontend_origin: str, *, email: str | None = None, error: str | None = None) -> str:
    data = {"origin": frontend_origin, "status": "connected" if error is None else "error"}
    if email:
        data["email"] = email
    if error:
        data["error"] = error
    if error is None:
        title = "Gmail connected"
        words = f"Gmail is connected as {email}. You can close this window and return to OutSales."
    else:
        title = "Gmail not connected"
        words = ERROR_WORDS.get(error, "Gmail was not connected. Start again from OutSales.")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{html.escape(title)}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:28rem;padding:0 1rem;color:#1f2937}}</style>
</head><body>
<h1>{html.escape(title)}</h1>
<p id="no-opener" hidden>{html.escape(words)}</p>
<noscript><p>{html.escape(words)}</p></noscript>
<script type="application/json" id="result">{_json_for_html(data)}</script>
<script>{_SCRIPT}</script>
</body></html>
"""


def page_headers() -> dict[str, str]:
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": CSP,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
