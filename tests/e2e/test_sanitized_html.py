"""The hostile signature and body payloads, sanitized as the service sends them, opened in Chromium: none runs."""

from __future__ import annotations

from playwright.sync_api import BrowserContext

from gmail_integration.sanitizer import sanitize_html
from tests.unit.html.hostile_html import PAYLOADS

TRAP = """<script>
window.__ran = [];
window.alert = function (v) { window.__ran.push(String(v)); };
</script>"""


def test_no_sanitized_payload_runs_script_in_chromium(context: BrowserContext) -> None:
    page = context.new_page()
    # Control: the raw payloads do run here, so the trap can see a script that runs.
    page.set_content(TRAP + "".join(PAYLOADS), wait_until="load")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__ran.length") > 0
    survivors = []
    for payload in PAYLOADS:
        page.set_content(TRAP + f'<div class="outsales-signature">{sanitize_html(payload)}</div>', wait_until="load")
        page.wait_for_timeout(50)
        for link in page.locator("a[href]").all():
            href = link.get_attribute("href") or ""
            if not href.startswith(("http:", "https:", "mailto:", "tel:", "cid:")):
                survivors.append((payload, href))
        if page.evaluate("window.__ran.length"):
            survivors.append((payload, page.evaluate("window.__ran")))
    assert survivors == []
