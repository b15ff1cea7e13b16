"""JSON Schemas of the send-queue message and of each event, from the pydantic models, for docs/ and the registry.

EventBridge's schema registry takes JSON Schema draft 4 (its code-binding download reads that or OpenAPI 3), so the
draft 2020-12 that pydantic writes is lowered: ``const`` becomes a one-value ``enum``, ``$defs`` become
``definitions``. An event's schema is its whole envelope with the model's ``detail``, as the registry's discovered
schemas are, so a generated binding unwraps ``detail`` by itself.

template.yaml carries the same documents inline (CloudFormation cannot read a file), between two marker comments
that ``make schemas`` rewrites.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from contracts.handlers import ROOT
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.events import DETAIL_MODELS, EVENT_SOURCE

DRAFT4 = "http://json-schema.org/draft-04/schema#"
SCHEMA_DIR = Path("docs") / "schemas"
SEND_QUEUE_SCHEMA = "SendEmailV1"
BEGIN = "  # BEGIN generated schema registry (make schemas; docs/schemas/ holds the same documents)"
END = "  # END generated schema registry"


def _lower(node: Any) -> Any:
    """Draft 2020-12 → draft 4, for the constructs pydantic emits."""
    if isinstance(node, list):
        return [_lower(item) for item in node]
    if not isinstance(node, dict):
        return node
    lowered: dict[str, Any] = {}
    for key, value in node.items():
        if key == "const":
            lowered["enum"] = [value]
        elif key == "$defs":
            lowered["definitions"] = _lower(value)
        elif key == "$ref" and isinstance(value, str):
            lowered["$ref"] = value.replace("#/$defs/", "#/definitions/")
        else:
            lowered[key] = _lower(value)
    return lowered


def _model_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = _lower(model.model_json_schema(mode="validation"))
    return {"$schema": DRAFT4, "title": title, **{k: v for k, v in schema.items() if k != "title"}}


def send_message_schema() -> dict[str, Any]:
    schema = _model_schema(SendEmailV1, SEND_QUEUE_SCHEMA)
    schema["description"] = (
        "The body of a message on the send queue (version 1). activity_id is the idempotency key: one activity, one"
        " email, however often the message is delivered."
    )
    return schema


def event_schema(detail_type: str, model: type[BaseModel]) -> dict[str, Any]:
    detail = _lower(model.model_json_schema(mode="validation"))
    definitions = detail.pop("definitions", {})
    definitions[model.__name__] = detail
    return {
        "$schema": DRAFT4,
        "title": detail_type,
        "description": f"The {detail_type} event of the {EVENT_SOURCE} source. {detail.get('description', '')}".strip(),
        "type": "object",
        "required": ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"],
        "properties": {
            "version": {"type": "string"},
            "id": {"type": "string"},
            "detail-type": {"type": "string", "enum": [detail_type]},
            "source": {"type": "string", "enum": [EVENT_SOURCE]},
            "account": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "region": {"type": "string"},
            "resources": {"type": "array", "items": {"type": "string"}},
            "detail": {"$ref": f"#/definitions/{model.__name__}"},
        },
        "definitions": definitions,
    }


def documents() -> dict[str, dict[str, Any]]:
    """Registry schema name → document; docs/schemas/<name>.json holds each."""
    found = {SEND_QUEUE_SCHEMA: send_message_schema()}
    for detail_type, model in DETAIL_MODELS.items():
        found[detail_type.value] = event_schema(detail_type.value, model)
    return found


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _logical_id(name: str) -> str:
    return f"{name}Schema"


def registry_block(docs: dict[str, dict[str, Any]]) -> str:
    """The template's registry resources: one schema per message and event, named ``source@Name`` as AWS does."""
    lines = [
        BEGIN,
        "  SchemaRegistry:",
        "    Type: AWS::EventSchemas::Registry",
        "    Properties:",
        '      RegistryName: !Sub "${AWS::StackName}-schemas"',
        "      Description: The send queue's message and the events of the outsales.gmail source (docs/schemas).",
    ]
    for name, document in docs.items():
        content = json.dumps(document, separators=(",", ":"), ensure_ascii=False).replace("'", "''")
        lines += [
            f"  {_logical_id(name)}:",
            "    Type: AWS::EventSchemas::Schema",
            "    Properties:",
            "      RegistryName: !GetAtt SchemaRegistry.RegistryName",
            f"      SchemaName: {EVENT_SOURCE}@{name}",
            "      Type: JSONSchemaDraft4",
            f"      Description: docs/schemas/{name}.json",
            f"      Content: '{content}'",
        ]
    lines.append(END)
    return "\n".join(lines) + "\n"


def with_registry(template_text: str, block: str) -> str:
    if BEGIN not in template_text:
        raise ValueError(f"template.yaml has no line {BEGIN.strip()!r} (keep it under Resources)")
    head, rest = template_text.split(BEGIN, 1)
    _, tail = rest.split(END + "\n", 1)
    return head + block + tail


def write(root: Path = ROOT) -> list[Path]:
    docs = documents()
    folder = root / SCHEMA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stale in folder.glob("*.json"):
        if stale.stem not in docs:
            stale.unlink()
    for name, document in docs.items():
        path = folder / f"{name}.json"
        path.write_text(render(document), encoding="utf-8")
        written.append(path)
    template = root / "template.yaml"
    template.write_text(with_registry(template.read_text(encoding="utf-8"), registry_block(docs)), encoding="utf-8")
    written.append(template)
    return written
