"""JSON read the strict way before a model sees it: a repeated key is refused, not resolved to its last value.

Two readers of one document may disagree on which duplicate wins (a proxy, a log pipeline, our parser); refusing
the document leaves nothing for them to disagree on. Depth and number size are bounded here too, so a hostile body
fails as bad input instead of exhausting the parser.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40


class StrictJsonError(ValueError):
    """The document is not one this service accepts; the message says why without echoing values."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise StrictJsonError(f"the key {key[:40]!r} appears more than once")
        found[key] = value
    return found


def _number(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise StrictJsonError("a number is too long")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _refuse_constant(name: str) -> Any:
    raise StrictJsonError(f"{name} is not JSON")


def _depth(text: str) -> int:
    """Nesting depth of brackets outside strings: checked before parsing, so no recursion limit is ever reached."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def loads_strict(text: str | bytes) -> Any:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise StrictJsonError("the body is not UTF-8") from None
    if _depth(text) > MAX_DEPTH:
        raise StrictJsonError(f"the document is nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_number,
            parse_float=_number,
            parse_constant=_refuse_constant,
        )
    except StrictJsonError:
        raise
    except (ValueError, RecursionError) as exc:
        raise StrictJsonError("the body is not valid JSON") from exc
