"""Hostile HTML payloads: the 19 the signature allowlist was tried with, and the parser-differential family."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<!---><img src=x onerror=alert(1)>-->",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    "<!-- --!><img src=x onerror=alert(1)>-->",
    "<img src=x onerror=alert(1)//",
    "<style>*{background:url(javascript:alert(1))}</style>",
    '<div style="background-image:url(javascript:alert(1))">x</div>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "<details open ontoggle=alert(1)>",
    '<p>Sam <b>Seller</b><br><a href="https://outsales.example">OutSales</a></p>',
]

SAFE_SCHEMES = {"http", "https", "mailto", "tel", "cid", ""}
RUNNABLE_TAGS = {
    "script", "iframe", "object", "embed", "form", "svg", "math", "base", "meta", "style", "link", "frame",
    "frameset", "body", "html", "button", "input", "textarea", "template", "noscript",
}  # fmt: skip


class Inspector(HTMLParser):
    """Reads sanitized output as a parser would and lists anything that could run or load a script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in RUNNABLE_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "formaction", "data", "background"}:
                scheme = urlsplit("".join((value or "").split())).scheme.lower()
                if scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{tag}[{name}]={scheme}:")
            if name == "style" and "url(" in (value or "").lower():
                self.problems.append(f"{tag}[style] loads a URL")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("declaration")


def problems_in(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems
