"""A small CloudFormation intrinsic resolver for the values the local stack reads itself.

moto resolves the intrinsics of the resources it creates; the SAM half of the template (function environments, event
sources, CORS, authorizers) never reaches moto, so its Ref/GetAtt/Sub/If are resolved here against the same
parameters and the physical resources that moto created.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class UnresolvedError(ValueError):
    """An expression names something the local stack does not have (a SAM-generated resource, an unknown attribute)."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


class Resolver:
    def __init__(
        self,
        parameters: dict[str, Any],
        pseudo: dict[str, Any],
        conditions: dict[str, Any] | None = None,
        mappings: dict[str, Any] | None = None,
        ref: Callable[[str], Any] | None = None,
        get_att: Callable[[str, str], Any] | None = None,
    ) -> None:
        self._names = {**parameters, **pseudo}
        self._conditions = conditions or {}
        self._mappings = mappings or {}
        self._ref = ref
        self._get_att = get_att
        self._condition_values: dict[str, bool] = {}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = _FUNCTIONS.get(key)
            if handler is not None:
                return handler(self, arg)
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def condition(self, name: str) -> bool:
        if name not in self._condition_values:
            if name not in self._conditions:
                raise UnresolvedError(f"no condition {name}")
            self._condition_values[name] = bool(self.resolve(self._conditions[name]))
        return self._condition_values[name]

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._names:
            return self._names[name]
        if self._ref is None:
            raise UnresolvedError(f"Ref {name}: no such parameter")
        return self._ref(name)

    def get_att(self, name: str, attribute: str) -> Any:
        if self._get_att is None:
            raise UnresolvedError(f"GetAtt {name}.{attribute}: no resources")
        return self._get_att(name, attribute)

    def sub(self, arg: Any) -> str:
        text, extra = (arg[0], self.resolve(arg[1])) if isinstance(arg, list) else (arg, {})

        def one(match: re.Match[str]) -> str:
            variable = match.group(1)
            if variable.startswith("!"):
                return "${" + variable[1:] + "}"
            if variable in extra:
                return str(extra[variable])
            if "." in variable and variable.split(".", 1)[0] not in self._names:
                name, attribute = variable.split(".", 1)
                return str(self.get_att(name, attribute))
            value = self.ref(variable)
            return ",".join(value) if isinstance(value, list) else str(value)

        return _SUB_VARIABLE.sub(one, str(text))


def _get_att(r: Resolver, arg: Any) -> Any:
    name, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
    return r.get_att(str(name), str(r.resolve(attribute)))


def _join(r: Resolver, arg: Any) -> str:
    separator, items = arg
    values = r.resolve(items)
    return str(separator).join(str(v) for v in values)


def _select(r: Resolver, arg: Any) -> Any:
    index, items = arg
    return r.resolve(items)[int(r.resolve(index))]


def _split(r: Resolver, arg: Any) -> list[str]:
    separator, text = arg
    return str(r.resolve(text)).split(str(separator))


def _if(r: Resolver, arg: Any) -> Any:
    name, when_true, when_false = arg
    return r.resolve(when_true if r.condition(name) else when_false)


def _equals(r: Resolver, arg: Any) -> bool:
    left, right = (r.resolve(a) for a in arg)
    return str(left) == str(right)


def _find_in_map(r: Resolver, arg: Any) -> Any:
    name, top, second = (r.resolve(a) for a in arg[:3])
    try:
        return r._mappings[name][top][second]
    except KeyError as error:
        raise UnresolvedError(f"FindInMap {name}/{top}/{second}") from error


def _base64(r: Resolver, arg: Any) -> str:
    return base64.b64encode(str(r.resolve(arg)).encode()).decode()


def _condition(r: Resolver, arg: Any) -> bool:
    return r.condition(str(arg))


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": lambda r, arg: r.ref(str(arg)),
    "Fn::GetAtt": _get_att,
    "Fn::Sub": lambda r, arg: r.sub(arg),
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::Not": lambda r, arg: not r.resolve(arg[0]),
    "Fn::And": lambda r, arg: all(r.resolve(a) for a in arg),
    "Fn::Or": lambda r, arg: any(r.resolve(a) for a in arg),
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Condition": _condition,
}
