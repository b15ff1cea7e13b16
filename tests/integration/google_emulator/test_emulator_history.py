"""users.history.list as the poller uses it: what changed since a historyId, paging, filters, and 404."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.integration.google_emulator.emulator_helpers import PROSPECT, REP, connect, error_of, gmail, raw


@pytest.fixture
def api(world):
    return gmail(world.url, connect(world, REP))


def _history(api, start, **params):
    return api.users().history().list(userId="me", startHistoryId=start, **params).execute()


def test_nothing_changed_means_no_history_key_but_a_history_id(api) -> None:
    start = api.users().getProfile(userId="me").execute()["historyId"]
    answer = _history(api, start, historyTypes=["messageAdded"])
    assert answer == {"historyId": start}


def test_new_messages_appear_as_message_added_with_labels(world, api) -> None:
    start = api.users().getProfile(userId="me").execute()["historyId"]
    sent = api.users().messages().send(userId="me", body={"raw": raw(REP, PROSPECT, "Hi")}).execute()
    reply = world.deliver(REP, **{"from": PROSPECT, "subject": "Re: Hi", "text": "ok"})
    answer = _history(api, start, historyTypes=["messageAdded"])
    added = [h["messagesAdded"][0]["message"] for h in answer["history"]]
    assert [(m["id"], m["labelIds"]) for m in added] == [(sent["id"], ["SENT"]), (reply["id"], ["INBOX", "UNREAD"])]
    assert answer["historyId"] == api.users().getProfile(userId="me").execute()["historyId"]
    assert int(answer["history"][-1]["id"]) <= int(answer["historyId"])
    assert all(isinstance(h["id"], str) for h in answer["history"])
    again = _history(api, answer["historyId"], historyTypes=["messageAdded"])
    assert "history" not in again


def test_paging_with_max_results(world, api) -> None:
    start = api.users().getProfile(userId="me").execute()["historyId"]
    for i in range(5):
        world.deliver(REP, **{"from": PROSPECT, "subject": f"Mail {i}", "text": "x"})
    seen, token, pages = [], None, 0
    while True:
        page = _history(api, start, maxResults=2, **({"pageToken": token} if token else {}))
        pages += 1
        seen += [h["messagesAdded"][0]["message"]["id"] for h in page.get("history", [])]
        token = page.get("nextPageToken")
        if not token:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 5


def test_label_changes_and_filters(world, api) -> None:
    start = api.users().getProfile(userId="me").execute()["historyId"]
    delivered = world.deliver(REP, **{"from": PROSPECT, "subject": "Ping", "text": "x"})
    world.post(f"mailboxes/{REP}/messages/{delivered['id']}/labels", {"remove": ["UNREAD"]})
    everything = _history(api, start)
    assert [("messagesAdded" in h, "labelsRemoved" in h) for h in everything["history"]] == [
        (True, False),
        (False, True),
    ]
    assert everything["history"][1]["labelsRemoved"][0]["labelIds"] == ["UNREAD"]
    added_only = _history(api, start, historyTypes=["messageAdded"])
    assert len(added_only["history"]) == 1
    sent_only = _history(api, start, labelId="SENT")
    assert "history" not in sent_only


def test_an_expired_start_is_404_and_the_profile_id_works_again(world, api) -> None:
    old = api.users().getProfile(userId="me").execute()["historyId"]
    world.deliver(REP, **{"from": PROSPECT, "subject": "Ping", "text": "x"})
    world.post(f"mailboxes/{REP}/history/expire")
    with pytest.raises(HttpError) as raised:
        _history(api, old)
    assert raised.value.status_code == 404
    assert error_of(raised.value)["errors"][0]["reason"] == "notFound"
    current = api.users().getProfile(userId="me").execute()["historyId"]
    assert _history(api, current) == {"historyId": current}


def test_a_start_that_is_not_a_number_is_refused(api) -> None:
    with pytest.raises(HttpError) as raised:
        _history(api, "abc")
    assert raised.value.status_code == 400
    assert "start_history_id" in error_of(raised.value)["message"]
