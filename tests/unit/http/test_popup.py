from __future__ import annotations

import base64
import hashlib
import re

from gmail_integration.http.popup import CSP, page_headers, render_result_page

ORIGIN = "https://app.outsales.example"


def _script(page: str) -> str:
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1
    return scripts[0]


def test_the_result_is_posted_to_the_configured_origin_only() -> None:
    page = render_result_page(ORIGIN, email="pat@example.com")
    assert "postMessage(message, data.origin)" in _script(page)
    assert f'"origin": "{ORIGIN}"' in page
    assert "'*'" not in page
    assert '"*"' not in page


def test_errors_travel_as_codes() -> None:
    page = render_result_page(ORIGIN, error="scope_missing")
    assert '"status": "error"' in page
    assert '"error": "scope_missing"' in page
    assert "both permissions" in page


def test_the_csp_allows_exactly_the_page_script() -> None:
    page = render_result_page(ORIGIN, error="access_denied")
    digest = base64.b64encode(hashlib.sha256(_script(page).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in CSP
    assert page_headers()["Content-Security-Policy"] == CSP
    assert page_headers()["Referrer-Policy"] == "no-referrer"


def test_data_cannot_break_out_of_its_json_block() -> None:
    page = render_result_page(ORIGIN, email="</script><script>alert(1)</script>@x.com")
    assert "<script>alert(1)" not in page
    assert page.count("</script>") == 2
