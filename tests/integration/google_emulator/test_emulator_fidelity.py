"""The fidelity check: calls that the discovery document does not allow are refused and make the check fail."""

from __future__ import annotations

import pytest
import requests
from _pytest.outcomes import Failed

from google_emulator.pytest_plugin import assert_gmail_fidelity, calls_mark, gmail_violations
from tests.integration.google_emulator.emulator_helpers import PROSPECT, REP, connect, gmail, raw


def test_legitimate_client_calls_pass(world) -> None:
    api = gmail(world.url, connect(world, REP))
    sent = api.users().messages().send(userId="me", body={"raw": raw(REP, PROSPECT, "Hi")}).execute()
    api.users().messages().get(userId="me", id=sent["id"], format="metadata", metadataHeaders=["From"]).execute()
    api.users().threads().get(userId="me", id=sent["threadId"], format="metadata").execute()
    api.users().history().list(userId="me", startHistoryId="1", historyTypes=["messageAdded"], maxResults=500).execute()
    api.users().history().list(userId="me", startHistoryId="1", labelId="INBOX").execute()
    api.users().getProfile(userId="me").execute()
    assert_gmail_fidelity(world.url)


def test_an_unknown_parameter_is_refused_and_fails_the_check(world) -> None:
    credentials = connect(world, REP)
    mark = calls_mark(world.url)
    answer = requests.get(
        f"{world.url}/gmail/v1/users/me/history",
        params={"startHistoryId": "1", "historyType": "messageAdded", "alt": "json"},
        headers={"Authorization": f"Bearer {credentials.token}"},
        timeout=10,
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert 'Unknown name "historyType"' in error["message"]
    [bad] = gmail_violations(world.url, since=mark)
    assert bad["method"] == "gmail.users.history.list"
    with pytest.raises(Failed) as failed:
        assert_gmail_fidelity(world.url, since=mark)
    assert "historyType" in str(failed.value)
    assert "GET /gmail/v1/users/me/history" in str(failed.value)


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "words"),
    [
        ("GET", "/gmail/v1/users/me/messages/x", {"format": "FULL"}, None, "TYPE_ENUM"),
        ("GET", "/gmail/v1/users/me/messages", {"maxResults": "ten"}, None, "max_results"),
        ("GET", "/gmail/v1/users/me/messages", {"includeSpamTrash": "yes"}, None, "TYPE_BOOL"),
        ("POST", "/gmail/v1/users/me/messages/send", {}, {"raw": "eA", "thread": "1"}, 'Unknown name "thread"'),
        ("POST", "/gmail/v1/users/me/messages/send", {}, {"threadId": "1"}, "message.raw"),
        ("GET", "/gmail/v1/users/me/inbox", {}, None, "No Gmail API method"),
    ],
)
def test_what_the_discovery_document_does_not_allow_is_recorded(world, method, path, params, body, words) -> None:
    credentials = connect(world, REP)
    mark = calls_mark(world.url)
    answer = requests.request(
        method,
        world.url + path,
        params={"alt": "json", **params},
        json=body,
        headers={"Authorization": f"Bearer {credentials.token}"},
        timeout=10,
    )
    assert answer.status_code in (400, 404)
    [bad] = gmail_violations(world.url, since=mark)
    assert any(words in v for v in bad["discovery_violations"]), bad["discovery_violations"]


def test_the_fixture_checks_a_tests_calls_when_it_ends(world, gmail_fidelity) -> None:
    api = gmail(world.url, connect(world, REP))
    gmail_fidelity.watch(world.url)
    api.users().getProfile(userId="me").execute()
    requests.get(f"{world.url}/gmail/v1/users/me/profile", params={"bogus": "1"}, timeout=10)
    with pytest.raises(Failed):
        gmail_fidelity.check()
    gmail_fidelity._watched.clear()  # the failure above is the point of this test
