"""The discovery validator on its own, as the fidelity check applies it."""

from __future__ import annotations

import pytest

from google_emulator.discovery import match, validate


def test_the_services_own_calls_fit() -> None:
    assert validate("GET", "/gmail/v1/users/me/profile", {"alt": ["json"]}) == []
    history = {"startHistoryId": ["123"], "historyTypes": ["messageAdded"], "maxResults": ["500"], "pageToken": ["x"]}
    assert validate("GET", "/gmail/v1/users/me/history", history) == []
    metadata = {"format": ["metadata"], "metadataHeaders": ["From", "Auto-Submitted"]}
    assert validate("GET", "/gmail/v1/users/me/messages/abc", metadata) == []
    assert validate("POST", "/gmail/v1/users/me/messages/send", {}, {"raw": "SGk", "threadId": "t1"}) == []
    assert validate("POST", "/upload/gmail/v1/users/me/messages/send", {"uploadType": ["media"]}) == []


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "words"),
    [
        ("GET", "/gmail/v1/users/me/history", {"since": ["1"]}, None, 'Unknown name "since"'),
        ("GET", "/gmail/v1/users/me/history", {"historyTypes": ["messagesAdded"]}, None, "TYPE_ENUM"),
        ("GET", "/gmail/v1/users/me/history", {"startHistoryId": ["-4"]}, None, "TYPE_UINT64"),
        ("GET", "/gmail/v1/users/me/messages/x", {"format": ["minimal", "raw"]}, None, "not repeated"),
        ("GET", "/gmail/v1/users/me/messages/x", {"userId": ["me"]}, None, 'Unknown name "userId"'),
        ("POST", "/gmail/v1/users/me/messages/send", {}, {"raw": "SGk", "labels": []}, 'Unknown name "labels"'),
        ("POST", "/gmail/v1/users/me/messages/send", {}, {"raw": 5}, "TYPE_STRING"),
        ("POST", "/gmail/v1/users/me/messages/send", {}, {"raw": "%%%"}, "Base64"),
        ("POST", "/gmail/v1/users/me/messages/send", {}, None, "message.raw"),
        ("POST", "/gmail/v1/users/me/messages/x/modify", {}, {"addLabelIds": "UNREAD"}, "Expected a list"),
        ("DELETE", "/gmail/v1/users/me/history", {}, None, "No Gmail API method"),
        ("POST", "/upload/gmail/v1/users/me/messages/send", {}, None, "uploadType"),
    ],
)
def test_what_the_document_does_not_allow(method, path, query, body, words) -> None:
    violations = validate(method, path, query, body)
    assert any(words in v for v in violations), violations


def test_routing_prefers_literal_paths_and_decodes_path_parameters() -> None:
    found = match("POST", "/gmail/v1/users/rep%40outsales.test/messages/send")
    assert found is not None
    assert found.method.id == "gmail.users.messages.send"
    assert found.path_params == {"userId": "rep@outsales.test"}
    got = match("GET", "/gmail/v1/users/me/messages/send")
    assert got is not None
    assert got.method.id == "gmail.users.messages.get"
