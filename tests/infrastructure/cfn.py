"""Small readers for a parsed CloudFormation/SAM template (intrinsics in their long form, as cfn-lint decodes them)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def target(node: Any) -> str | None:
    """The logical id (or parameter) that a Ref or Fn::GetAtt names, else None."""
    if isinstance(node, dict) and len(node) == 1:
        if "Ref" in node:
            return str(node["Ref"])
        if "Fn::GetAtt" in node:
            value = node["Fn::GetAtt"]
            return str(value[0] if isinstance(value, list) else value.split(".", 1)[0])
    return None


def attribute(node: Any) -> tuple[str, str] | None:
    """(logical id, attribute) of an Fn::GetAtt, else None."""
    if isinstance(node, dict) and list(node) == ["Fn::GetAtt"]:
        value = node["Fn::GetAtt"]
        name, attr = value if isinstance(value, list) else value.split(".", 1)
        return str(name), str(attr)
    return None


def references(node: Any) -> set[str]:
    """Every name a node refers to through Ref, Fn::GetAtt or Fn::Sub (pseudo parameters included)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref":
                found.add(str(value))
            elif key == "Fn::GetAtt":
                found.add(target({key: value}) or "")
            elif key == "Fn::Sub":
                text, variables = (value[0], value[1]) if isinstance(value, list) else (value, {})
                names = {m.split(".", 1)[0] for m in SUB_VARIABLE.findall(text)} - set(variables)
                found |= names
                found |= references(variables)
            else:
                found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def of_type(resources: dict[str, Any], kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, resource in resources.items():
        if resource.get("Type") == kind:
            yield name, resource


def describe(node: Any) -> str:
    """A short, stable name for a policy resource: "Table", "Table/index/gsi1", "GoogleClientSecretArn", "*"."""
    if isinstance(node, str):
        return node
    name = target(node)
    if name is not None:
        return name
    if isinstance(node, dict) and "Fn::Sub" in node:
        text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
        return SUB_VARIABLE.sub(lambda m: m.group(1).split(".", 1)[0], text)
    return repr(node)
