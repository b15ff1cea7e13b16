"""The sender profile: the display name in From and the OutSales signature appended to every email."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gmail_integration.models.types import DisplayName

MAX_SIGNATURE_TEXT = 5_000
MAX_SIGNATURE_HTML = 20_000

_ALLOWED_TAGS = {
    "a", "b", "strong", "i", "em", "u", "s", "br", "p", "div", "span", "img", "table", "thead", "tbody", "tr", "td",
    "th", "font", "small", "big", "hr", "ul", "ol", "li", "blockquote", "sub", "sup", "center",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "href", "src", "alt", "title", "style", "width", "height", "align", "valign", "color", "face", "size",
    "target", "rel", "border", "cellpadding", "cellspacing", "bgcolor", "class",
}  # fmt: skip
_URL_ATTRIBUTES = {"href", "src"}
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}


class _SignatureChecker(HTMLParser):
    """Refuses what has no place in an email signature: scripts, handlers, forms, frames, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.problems.append(f"<{tag}> is not allowed")
            return
        for name, value in attrs:
            if name not in _ALLOWED_ATTRIBUTES:
                self.problems.append(f"the {name} attribute is not allowed")
            elif name in _URL_ATTRIBUTES and urlsplit((value or "").strip()).scheme.lower() not in _URL_SCHEMES:
                self.problems.append(f"{name} must be an http(s), mailto, tel or cid link")
            elif name == "style" and ("expression(" in (value or "").lower() or "url(" in (value or "").lower()):
                self.problems.append("style must not load anything")

    handle_startendtag = handle_starttag


def _safe_signature_html(value: str) -> str:
    checker = _SignatureChecker()
    checker.feed(value)
    checker.close()
    if checker.problems:
        raise ValueError("; ".join(sorted(set(checker.problems))[:5]))
    return value


SignatureHtml = Annotated[str, Field(max_length=MAX_SIGNATURE_HTML), AfterValidator(_safe_signature_html)]


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    display_name: DisplayName = ""
    signature_text: str = Field(default="", max_length=MAX_SIGNATURE_TEXT)
    signature_html: SignatureHtml = ""
