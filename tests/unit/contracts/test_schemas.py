"""docs/schemas/ and the template's schema registry hold what the pydantic models say today."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from contracts import schemas
from contracts.handlers import ROOT
from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.events import DETAIL_MODELS, EVENT_SOURCE, DetailType, ServiceEvent
from local_stack.template import load

REGENERATE = "docs/schemas/ or template.yaml's schema registry differ from the models: run `make schemas` and commit."


def test_committed_schemas_are_the_generated_ones() -> None:
    expected = schemas.documents()
    folder = ROOT / schemas.SCHEMA_DIR
    assert {path.stem for path in folder.glob("*.json")} == set(expected), REGENERATE
    for name, document in expected.items():
        assert (folder / f"{name}.json").read_text(encoding="utf-8") == schemas.render(document), REGENERATE


def test_template_registry_is_the_generated_one() -> None:
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    assert schemas.with_registry(text, schemas.registry_block(schemas.documents())) == text, REGENERATE


def test_registry_has_one_schema_per_message_and_event() -> None:
    resources = load(ROOT / "template.yaml")["Resources"]
    registered = {
        r["Properties"]["SchemaName"]: json.loads(r["Properties"]["Content"])
        for r in resources.values()
        if r["Type"] == "AWS::EventSchemas::Schema"
    }
    wanted = {f"{EVENT_SOURCE}@{schemas.SEND_QUEUE_SCHEMA}"} | {f"{EVENT_SOURCE}@{t.value}" for t in DetailType}
    assert set(registered) == wanted
    assert registered[f"{EVENT_SOURCE}@EmailSent"] == schemas.documents()["EmailSent"]


def _draft4_keys(node: Any) -> None:
    if isinstance(node, dict):
        assert not {"const", "$defs", "prefixItems"} & set(node), f"not draft 4: {sorted(node)}"
        for value in node.values():
            _draft4_keys(value)
    elif isinstance(node, list):
        for item in node:
            _draft4_keys(item)


@pytest.mark.parametrize("name", sorted(schemas.documents()))
def test_schemas_are_draft_4_as_the_registry_reads_them(name: str) -> None:
    document = schemas.documents()[name]
    assert document["$schema"] == schemas.DRAFT4
    _draft4_keys(document)


def test_send_schema_requires_what_the_consumer_requires() -> None:
    document = schemas.send_message_schema()
    required = {name for name, field in SendEmailV1.model_fields.items() if field.is_required()}
    assert set(document["required"]) == required
    assert document["properties"]["version"]["enum"] == [1]
    assert document["additionalProperties"] is False


# What the service publishes, built as its use cases build them: each must fit its published detail model.
PUBLISHED = [
    ServiceEvent(
        detail_type=DetailType.EMAIL_SENT,
        workspace_id="ws_1",
        activity_id="act_1",
        agent_id="ag_1",
        gmail_message_id="18c1",
        gmail_thread_id="18c0",
    ),
    ServiceEvent(
        detail_type=DetailType.EMAIL_PARKED, workspace_id="ws_1", activity_id="a", agent_id="g", reason="agent_inactive"
    ),
    ServiceEvent(
        detail_type=DetailType.EMAIL_FAILED, workspace_id="ws_1", activity_id="a", agent_id="g", reason="rejected"
    ),
    ServiceEvent(detail_type=DetailType.EMAIL_CANCELLED, workspace_id="ws_1", activity_id="a", agent_id="g"),
    ServiceEvent(
        detail_type=DetailType.REPLY_DETECTED,
        workspace_id="ws_1",
        activity_id="a",
        kind="auto_reply",
        gmail_message_id="m",
        gmail_thread_id="t",
    ),
    ServiceEvent(detail_type=DetailType.GMAIL_CONNECTED, workspace_id="ws_1"),
    ServiceEvent(detail_type=DetailType.GMAIL_DISCONNECTED, workspace_id="ws_1"),
    ServiceEvent(detail_type=DetailType.GMAIL_AUTHORIZATION_LOST, workspace_id="ws_1", reason="token_revoked"),
]


def test_every_detail_type_has_a_model_and_an_example() -> None:
    assert set(DETAIL_MODELS) == set(DetailType)
    assert {event.detail_type for event in PUBLISHED} == set(DetailType)


@pytest.mark.parametrize("event", PUBLISHED, ids=lambda e: e.detail_type.value)
def test_published_details_fit_their_model(event: ServiceEvent) -> None:
    DETAIL_MODELS[event.detail_type].model_validate(event.detail())


def test_a_detail_missing_its_ids_does_not_fit() -> None:
    with pytest.raises(ValidationError):
        DETAIL_MODELS[DetailType.EMAIL_SENT].model_validate({"workspace_id": "ws_1", "activity_id": "a"})
    with pytest.raises(ValidationError):
        DETAIL_MODELS[DetailType.REPLY_DETECTED].model_validate(
            {"workspace_id": "w", "activity_id": "a", "kind": "maybe", "gmail_message_id": "m", "gmail_thread_id": "t"}
        )


@pytest.mark.parametrize("event", PUBLISHED, ids=lambda e: e.detail_type.value)
def test_published_envelopes_validate_against_the_committed_schema(event: ServiceEvent) -> None:
    from jsonschema import Draft4Validator  # cfn-lint's dependency

    committed = json.loads((ROOT / schemas.SCHEMA_DIR / f"{event.detail_type.value}.json").read_text("utf-8"))
    envelope = {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": event.detail_type.value,
        "source": EVENT_SOURCE,
        "account": "123456789012",
        "time": "2026-11-28T06:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": event.detail(),
    }
    Draft4Validator.check_schema(committed)
    errors = [e.message for e in Draft4Validator(committed).iter_errors(envelope)]
    assert errors == []
    envelope["detail"] = {}
    assert list(Draft4Validator(committed).iter_errors(envelope))
