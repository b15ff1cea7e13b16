"""Partial responses: the `fields` system parameter (`messages(id,threadId),nextPageToken`)."""

from __future__ import annotations

from typing import Any

Selection = dict[str, "Selection | None"]


class FieldsError(ValueError):
    pass


def parse(spec: str) -> Selection:
    selection, rest = _parse_list(spec.replace(" ", ""), 0)
    if rest != len(spec.replace(" ", "")):
        raise FieldsError(f"Invalid field selection {spec}")
    return selection


def _parse_item(text: str, i: int) -> tuple[str, Selection | None, int]:
    """One field name and what follows it: ``a``, ``a/b/c`` or ``a(b,c)``."""
    start = i
    while i < len(text) and text[i] not in ",()/":
        i += 1
    name = text[start:i]
    if not name:
        raise FieldsError(f"Invalid field selection {text}")
    child: Selection | None = None
    if i < len(text) and text[i] == "/":
        child, i = _parse_path(text, i + 1)
    elif i < len(text) and text[i] == "(":
        child, i = _parse_list(text, i + 1)
        if i >= len(text) or text[i] != ")":
            raise FieldsError(f"Invalid field selection {text}")
        i += 1
    return name, child, i


def _parse_list(text: str, i: int) -> tuple[Selection, int]:
    selection: Selection = {}
    while i < len(text) and text[i] != ")":
        name, child, i = _parse_item(text, i)
        _merge(selection, name, child)
        if i < len(text) and text[i] == ",":
            i += 1
    return selection, i


def _parse_path(text: str, i: int) -> tuple[Selection, int]:
    name, child, i = _parse_item(text, i)
    return {name: child}, i


def _merge(selection: Selection, name: str, child: Selection | None) -> None:
    if name in selection and selection[name] is not None and child is not None:
        existing = selection[name]
        assert existing is not None
        for key, value in child.items():
            _merge(existing, key, value)
    else:
        selection[name] = None if name in selection and selection[name] is None else child


def apply(value: Any, selection: Selection | None) -> Any:
    if selection is None:
        return value
    if isinstance(value, list):
        return [apply(item, selection) for item in value]
    if isinstance(value, dict):
        return {key: apply(value[key], sub) for key, sub in selection.items() if key in value}
    return value
