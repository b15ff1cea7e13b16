from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from gmail_integration.models.commands import SendEmailV1

VALID = {
    "version": 1,
    "workspace_id": "ws_1",
    "activity_id": "act_9",
    "agent_id": "ag_3",
    "to": {"email": "pat@prospect.com", "name": "Pat Lee"},
    "subject": "Following up",
    "text": "Hi Pat, ...",
    "html": "<p>Hi Pat, ...</p>",
    "in_reply_to_activity_id": "act_7",
    "approved_at": "2026-11-24T10:00:00Z",
}


def with_(**changes: object) -> str:
    return json.dumps({**VALID, **changes})


def test_the_design_example_message_is_valid() -> None:
    command = SendEmailV1.model_validate_json(json.dumps(VALID))
    assert command.to.email == "pat@prospect.com"
    assert command.in_reply_to_activity_id == "act_7"


def test_html_and_thread_are_optional() -> None:
    body = {k: v for k, v in VALID.items() if k not in ("html", "in_reply_to_activity_id")}
    command = SendEmailV1.model_validate_json(json.dumps(body))
    assert command.html is None
    assert command.in_reply_to_activity_id is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hello\r\nBcc: victim@example.com"),
        ("subject", "Hello\nthere"),
        ("subject", ""),
        ("to", {"email": "pat@prospect.com\r\nBcc: x@y.com", "name": "Pat"}),
        ("to", {"email": "pat@prospect.com", "name": "Pat\r\nBcc: x@y.com"}),
        ("to", {"email": "not-an-address", "name": "Pat"}),
        ("to", {"email": "Pat <pat@prospect.com>", "name": "Pat"}),
        ("version", 2),
        ("workspace_id", "ws 1"),
        ("activity_id", "../act"),
        ("approved_at", "2026-11-24T10:00:00"),
    ],
)
def test_bad_input_is_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        SendEmailV1.model_validate_json(with_(**{field: value}))


def test_unknown_fields_are_refused_so_typos_do_not_pass_silently() -> None:
    with pytest.raises(ValidationError):
        SendEmailV1.model_validate_json(with_(htlm="<p>x</p>"))
