"""Constrained field types, so bad input fails at the edge with a message instead of deep in a use case."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    # A line break in a header value is how header injection starts; no header we write may carry one.
    if _CONTROL.search(value):
        raise ValueError("must not contain line breaks or control characters")
    return value


def _addr_spec(value: str) -> str:
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

EmailAddress = Annotated[str, StringConstraints(min_length=3, max_length=320), AfterValidator(_addr_spec)]
