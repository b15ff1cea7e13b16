"""The Gmail discovery document shipped inside google-api-python-client: routing, and a request validator.

The emulator routes `/gmail/v1/...` by the document's method paths and refuses what the document does not
allow, with Google's 400 texts. `validate()` is usable on its own: it is what the fidelity check applies to
every recorded call.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import unquote

UPLOAD_TYPES = ("media", "multipart", "resumable")


@cache
def document() -> dict[str, Any]:
    files = resources.files("googleapiclient.discovery_cache") / "documents" / "gmail.v1.json"
    loaded: dict[str, Any] = json.loads(files.read_text(encoding="utf-8"))
    return loaded


@dataclass(frozen=True)
class Method:
    id: str
    http_method: str
    path: str
    parameters: dict[str, dict[str, Any]]
    request: str | None
    scopes: tuple[str, ...]
    regex: re.Pattern[str]
    upload_regexes: tuple[re.Pattern[str], ...]
    placeholders: int


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template.lstrip("/"))
    pattern = "".join(
        f"(?P<{part[1:-1].lstrip('+')}>[^/:]+)" if part.startswith("{") else re.escape(part) for part in parts
    )
    return re.compile("^" + pattern + "$")


def _walk(resource: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(resource.get("methods", {}).values())
    for child in resource.get("resources", {}).values():
        found.extend(_walk(child))
    return found


@cache
def methods() -> tuple[Method, ...]:
    result = []
    for raw in _walk(document()):
        uploads = raw.get("mediaUpload", {}).get("protocols", {})
        result.append(
            Method(
                id=raw["id"],
                http_method=raw["httpMethod"],
                path=raw["path"],
                parameters=raw.get("parameters", {}),
                request=raw.get("request", {}).get("$ref"),
                scopes=tuple(raw.get("scopes", ())),
                regex=_compile(raw["path"]),
                upload_regexes=tuple(_compile(p["path"]) for p in uploads.values()),
                placeholders=raw["path"].count("{"),
            )
        )
    return tuple(sorted(result, key=lambda m: m.placeholders))


def method_by_id(method_id: str) -> Method | None:
    return next((m for m in methods() if m.id == method_id), None)


@dataclass(frozen=True)
class Match:
    method: Method
    path_params: dict[str, str]
    upload: bool


def match(http_method: str, path: str) -> Match | None:
    """The discovery method for an HTTP method and a path such as `/gmail/v1/users/me/history`."""
    relative = path.lstrip("/")
    upload = relative.startswith(("upload/", "resumable/upload/"))
    for method in methods():
        if method.http_method != http_method.upper():
            continue
        regexes = method.upload_regexes if upload else (method.regex,)
        for regex in regexes:
            found = regex.match(relative)
            if found:
                return Match(method, {k: unquote(v) for k, v in found.groupdict().items()}, upload)
    return None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _check_value(name: str, spec: dict[str, Any], value: str) -> str | None:
    kind, fmt = spec.get("type"), spec.get("format")
    where = f"Invalid value at '{_snake(name)}'"
    if "enum" in spec and value not in spec["enum"]:
        return f'{where} (TYPE_ENUM), "{value}" (allowed: {", ".join(spec["enum"])})'
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return f'{where} (TYPE_{(fmt or "int32").upper()}), "{value}"'
        number = int(value)
        if fmt and fmt.startswith("uint") and number < 0:
            return f'{where} (TYPE_{fmt.upper()}), "{value}"'
        if "minimum" in spec and number < int(spec["minimum"]):
            return f"{where}: {value} is below the minimum {spec['minimum']}"
        if "maximum" in spec and number > int(spec["maximum"]):
            return f"{where}: {value} is above the maximum {spec['maximum']}"
    elif kind == "boolean" and value.lower() not in ("true", "false"):
        return f'{where} (TYPE_BOOL), "{value}"'
    elif (
        kind == "string"
        and fmt in ("int64", "uint64")
        and not re.fullmatch(r"\d+" if fmt[0] == "u" else r"-?\d+", value)
    ):
        return f'{where} (TYPE_{fmt.upper()}), "{value}"'
    return None


def _check_query(found: Match, query: dict[str, list[str]]) -> list[str]:
    violations = []
    known = {**document()["parameters"], **found.method.parameters}
    for name, values in query.items():
        spec = known.get(name)
        if spec is None or spec.get("location") == "path":
            violations.append(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter. '
                f"Field '{name}' could not be found in request message."
            )
            continue
        if len(values) > 1 and not spec.get("repeated"):
            violations.append(
                f"Invalid value at '{_snake(name)}': {len(values)} values for a parameter that is not repeated"
            )
        for value in values:
            problem = _check_value(name, spec, value)
            if problem:
                violations.append(problem)
    for name, spec in found.method.parameters.items():
        if spec.get("required") and spec.get("location") == "query" and not query.get(name):
            violations.append(f"Required parameter is missing: {name}")
    if found.upload and (query.get("uploadType") or [""])[0] not in UPLOAD_TYPES:
        violations.append(f"Upload requests need uploadType={'|'.join(UPLOAD_TYPES)}")
    return violations


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document()["schemas"][name]
    return schema


def _is_base64(text: str) -> bool:
    """Google accepts both alphabets for `format: byte`, padded or not, but no other characters."""
    cleaned = re.sub(r"\s", "", text)
    padded = cleaned + "=" * (-len(cleaned) % 4)
    for altchars in (b"-_", b"+/"):
        try:
            base64.b64decode(padded, altchars=altchars, validate=True)
            return True
        except (binascii.Error, ValueError):
            continue
    return False


def _check_body(spec: dict[str, Any], value: Any, where: str, violations: list[str], depth: int = 0) -> None:
    if depth > 20:
        return
    if "$ref" in spec:
        _check_body(_schema(spec["$ref"]), value, where, violations, depth + 1)
        return
    kind = spec.get("type")
    if value is None:
        return
    if kind == "object":
        if not isinstance(value, dict):
            violations.append(f"Invalid JSON payload received. Expected an object at '{where}'.")
            return
        properties = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                _check_body(properties[key], item, f"{where}.{key}", violations, depth + 1)
            elif extra is not None:
                _check_body(extra, item, f"{where}.{key}", violations, depth + 1)
            else:
                violations.append(
                    f"Invalid JSON payload received. Unknown name \"{key}\" at '{where}': Cannot find field."
                )
    elif kind == "array":
        if not isinstance(value, list):
            violations.append(f"Invalid JSON payload received. Expected a list at '{where}'.")
            return
        for i, item in enumerate(value):
            _check_body(spec.get("items", {}), item, f"{where}[{i}]", violations, depth + 1)
    elif kind == "string":
        fmt = spec.get("format")
        if fmt in ("int64", "uint64") and isinstance(value, int) and not isinstance(value, bool):
            return
        if not isinstance(value, str):
            violations.append(f"Invalid value at '{where}' (TYPE_STRING), {json.dumps(value)}")
        elif fmt == "byte" and not _is_base64(value):
            violations.append(f"Invalid value at '{where}' (TYPE_BYTES), Base64 decoding failed")
        elif "enum" in spec and value not in spec["enum"]:
            violations.append(f"Invalid value at '{where}' (TYPE_ENUM), \"{value}\"")
    elif kind == "integer":
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit())
        ):
            violations.append(f"Invalid value at '{where}' (TYPE_INT32), {json.dumps(value)}")
    elif kind == "boolean" and not isinstance(value, bool):
        violations.append(f"Invalid value at '{where}' (TYPE_BOOL), {json.dumps(value)}")
    elif kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        violations.append(f"Invalid value at '{where}' (TYPE_DOUBLE), {json.dumps(value)}")


def _check_request_body(found: Match, body: Any) -> list[str]:
    violations: list[str] = []
    method = found.method
    if found.upload:
        return violations
    if method.request is None:
        if isinstance(body, dict) and body:
            violations.append(f"{method.id} takes no request body")
        return violations
    if body is None:
        body = {}
    root = _snake(method.request)
    _check_body({"$ref": method.request}, body, root, violations)
    if isinstance(body, dict):
        for field_name, spec in _schema(method.request).get("properties", {}).items():
            required_for = spec.get("annotations", {}).get("required", [])
            if method.id in required_for and body.get(field_name) in (None, ""):
                violations.append(f"Required field is missing: '{root}.{field_name}'")
    return violations


def validate(http_method: str, path: str, query: dict[str, list[str]], body: Any = None) -> list[str]:
    """Everything about a request that Gmail's discovery document does not allow; empty when it fits.

    `path` is the URL path (`/gmail/v1/users/me/messages/send`, or an `/upload/...` path), `query` the parsed
    query string (lists of values, as `urllib.parse.parse_qs` gives), `body` the parsed JSON body or None.
    """
    found = match(http_method, path)
    if found is None:
        return [f"No Gmail API method is {http_method.upper()} {path} (gmail.v1 discovery document)"]
    violations = [f"Empty path parameter: {name}" for name, value in found.path_params.items() if not value]
    violations += _check_query(found, query)
    violations += _check_request_body(found, body)
    return violations
