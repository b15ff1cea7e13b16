"""Constrained field types, so bad input fails at the edge with a message instead of deep in a use case."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

_HEADER_REFUSED = {"Cc", "Zl", "Zp", "Cs"}
"""Every control character (C0, DEL, C1 such as U+0085), every line and paragraph separator (U+2028, U+2029) and
lone surrogates: what Python's ``email`` package treats as a line break or cannot encode. A category, not a list,
so a character nobody thought of is refused at intake rather than by the MIME builder after the claim."""


def _no_control_characters(value: str) -> str:
    # A line break in a header value is how header injection starts; no header we write may carry one.
    if any(unicodedata.category(ch) in _HEADER_REFUSED for ch in value):
        raise ValueError("must not contain line breaks or control characters")
    return value


def _encodable(value: str) -> str:
    # A lone surrogate (JSON allows "\ud800") cannot be written as UTF-8: refused here, not when sending.
    if any(unicodedata.category(ch) == "Cs" for ch in value):
        raise ValueError("must be valid Unicode text")
    return value


def _addr_spec(value: str) -> str:
    # The stdlib's header parser costs a few milliseconds to import: paid by the first address, not every cold start.
    from email.errors import HeaderParseError
    from email.headerregistry import Address

    _no_control_characters(value)
    try:
        address = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise ValueError("is not an email address") from exc
    if not address.username or "." not in address.domain or address.addr_spec != value:
        raise ValueError("is not an email address")
    return value


Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
"""Workspace, activity and agent ids: they become table keys and part of our Message-IDs."""

HeaderText = Annotated[str, StringConstraints(min_length=1, max_length=900), AfterValidator(_no_control_characters)]
"""A value that ends up in a header (subject, display name)."""

DisplayName = Annotated[str, StringConstraints(max_length=200), AfterValidator(_no_control_characters)]

BodyText = Annotated[str, AfterValidator(_encodable)]
"""A body part: any text that UTF-8 can carry (line breaks welcome)."""

EmailAddress = Annotated[str, StringConstraints(min_length=3, max_length=320), AfterValidator(_addr_spec)]
