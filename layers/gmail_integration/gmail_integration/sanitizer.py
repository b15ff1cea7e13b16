"""HTML that goes out in an email: the signature people type and the body upstream approved, made safe to open.

Built on nh3 (the binding of Rust's ammonia), which parses with html5ever, the HTML5 parser browsers follow, and
serialises its own tree: what comes out is what a browser will see, so the comment, CDATA and unterminated-tag
tricks that fooled a hand-written allowlist (a parser differential) have nothing to hide in. The allowlist is what
an email signature or a sales email needs (text formatting, links, images, simple tables) and nothing that runs:
no script or style elements, no event handlers, no forms or frames, links only to http(s), mailto, tel and cid.
"""

from __future__ import annotations

import nh3

_TAGS = {
    "a", "abbr", "b", "big", "blockquote", "br", "center", "code", "div", "em", "font", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip

_ATTRIBUTES = {
    "*": {"style", "title", "align", "dir"},
    "a": {"href", "target"},
    "img": {"src", "alt", "width", "height", "border"},
    "font": {"color", "face", "size"},
    "table": {"width", "border", "cellpadding", "cellspacing", "bgcolor"},
    "td": {"width", "height", "valign", "bgcolor", "colspan", "rowspan"},
    "th": {"width", "height", "valign", "bgcolor", "colspan", "rowspan"},
    "tr": {"valign", "bgcolor"},
}

_STYLE_PROPERTIES = {
    "color", "background-color", "font", "font-family", "font-size", "font-style", "font-weight", "line-height",
    "text-align", "text-decoration", "vertical-align", "white-space", "width", "height", "max-width", "margin",
    "margin-top", "margin-right", "margin-bottom", "margin-left", "padding", "padding-top", "padding-right",
    "padding-bottom", "padding-left", "border", "border-top", "border-right", "border-bottom", "border-left",
    "border-collapse", "border-color", "border-width", "border-style", "border-radius", "display",
}  # fmt: skip
"""Layout and typography only: nothing that loads a resource (background-image, list-style-image) or positions
content over the reader's mail client (position)."""

URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}

_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    clean_content_tags={"script", "style", "noscript", "template", "iframe", "object", "textarea", "title", "xmp"},
    strip_comments=True,
    link_rel="noopener noreferrer",
    filter_style_properties=_STYLE_PROPERTIES,
)


def sanitize_html(fragment: str) -> str:
    """The fragment as a browser will read it, with everything outside the allowlist removed."""
    return _CLEANER.clean(fragment)
