"""Sending and reading messages through googleapiclient: formats, From and Message-ID handling, delivery, lists."""

from __future__ import annotations

import base64
import email
import email.policy
import threading

import pytest
import requests
from googleapiclient.errors import HttpError

from tests.integration.google_emulator.emulator_helpers import (
    PROSPECT,
    READONLY,
    REP,
    SEND,
    connect,
    error_of,
    gmail,
    raw,
)


def _full_api(world):
    return gmail(world.url, connect(world, REP, scopes=[SEND, READONLY]))


def _headers(resource) -> dict[str, str]:
    return {h["name"]: h["value"] for h in resource["payload"]["headers"]}


def _send(api, subject="Following up", headers=None, text="Hi Pat", thread_id=None, sender=REP, to=PROSPECT):
    body = {"raw": raw(sender, to, subject, text, headers)}
    if thread_id:
        body["threadId"] = thread_id
    return api.users().messages().send(userId="me", body=body).execute()


def test_send_answers_ids_and_sent_label_and_keeps_our_message_id(world) -> None:
    api = _full_api(world)
    sent = _send(api, headers={"Message-ID": "<act_9.ws_1@outsales.test>"})
    assert set(sent) == {"id", "threadId", "labelIds"}
    assert sent["labelIds"] == ["SENT"]
    assert sent["threadId"] == sent["id"]
    got = api.users().messages().get(userId="me", id=sent["id"], format="metadata").execute()
    assert _headers(got)["Message-ID"] == "<act_9.ws_1@outsales.test>"


def test_gmail_can_replace_the_message_id(world) -> None:
    world.post(f"accounts/{REP}/settings", {"replace_message_id": True})
    api = _full_api(world)
    sent = _send(api, headers={"Message-ID": "<act_9.ws_1@outsales.test>"})
    ours = _headers(api.users().messages().get(userId="me", id=sent["id"], format="metadata").execute())
    assert ours["Message-ID"] != "<act_9.ws_1@outsales.test>"
    assert ours["Message-ID"].endswith("@mail.gmail.com>")
    delivered = world.messages(PROSPECT)[0]
    parsed = email.message_from_bytes(base64.urlsafe_b64decode(delivered["raw"]), policy=email.policy.default)
    assert parsed["Message-ID"] == ours["Message-ID"], "the recipient sees Gmail's Message-ID too"


def test_a_missing_message_id_and_date_are_added(world) -> None:
    api = _full_api(world)
    sent = _send(api)
    headers = _headers(api.users().messages().get(userId="me", id=sent["id"], format="metadata").execute())
    assert headers["Message-ID"].startswith("<")
    assert headers["Date"]


def test_from_is_the_authenticated_address(world) -> None:
    api = _full_api(world)
    sent = _send(api, sender='"Rita Rep" <someone-else@elsewhere.test>')
    headers = _headers(api.users().messages().get(userId="me", id=sent["id"], format="metadata").execute())
    assert headers["From"] == f"Rita Rep <{REP}>"


def test_mail_to_another_account_is_delivered_unread_in_its_inbox_without_bcc(world) -> None:
    api = _full_api(world)
    world.account("boss@prospect.test")
    _send(api, headers={"Bcc": "boss@prospect.test"})
    for mailbox in (PROSPECT, "boss@prospect.test"):
        [message] = world.messages(mailbox)
        assert message["labelIds"] == ["INBOX", "UNREAD"]
        parsed = email.message_from_bytes(base64.urlsafe_b64decode(message["raw"]), policy=email.policy.default)
        assert parsed["Bcc"] is None
        assert parsed["Delivered-To"] == mailbox
    [sent_copy] = world.messages(REP)
    assert sent_copy["labelIds"] == ["SENT"]


def test_mail_to_self_is_also_in_the_inbox(world) -> None:
    sent = _send(_full_api(world), to=REP)
    assert set(sent["labelIds"]) == {"SENT", "INBOX", "UNREAD"}


def test_send_without_raw_or_recipients_is_400(world) -> None:
    api = _full_api(world)
    with pytest.raises(HttpError) as raised:
        api.users().messages().send(userId="me", body={"threadId": "x"}).execute()
    assert raised.value.status_code == 400
    with pytest.raises(HttpError) as raised:
        api.users().messages().send(userId="me", body={"raw": raw(REP, "", "No one")}).execute()
    assert error_of(raised.value)["message"] == "Recipient address required"


def test_formats_minimal_metadata_full_raw(world) -> None:
    api = _full_api(world)
    sent = _send(api, text="Hi Pat, it's me")
    get = api.users().messages().get
    minimal = get(userId="me", id=sent["id"], format="minimal").execute()
    assert set(minimal) == {"id", "threadId", "labelIds", "snippet", "sizeEstimate", "historyId", "internalDate"}
    assert minimal["snippet"] == "Hi Pat, it&#39;s me"
    assert isinstance(minimal["historyId"], str)
    assert isinstance(minimal["internalDate"], str)
    assert isinstance(minimal["sizeEstimate"], int)
    metadata = get(userId="me", id=sent["id"], format="metadata", metadataHeaders=["Subject", "to"]).execute()
    assert [h["name"] for h in metadata["payload"]["headers"]] == ["To", "Subject"]
    full = get(userId="me", id=sent["id"]).execute()
    assert full["payload"]["partId"] == ""
    assert full["payload"]["mimeType"] == "text/plain"
    assert base64.urlsafe_b64decode(full["payload"]["body"]["data"]).decode().strip() == "Hi Pat, it's me"
    as_raw = get(userId="me", id=sent["id"], format="raw").execute()
    assert b"Subject: Following up" in base64.urlsafe_b64decode(as_raw["raw"])
    assert "payload" not in as_raw


def test_full_format_of_a_multipart_message_has_numbered_parts(world) -> None:
    world.deliver(
        REP,
        raw=base64.urlsafe_b64encode(
            b"From: Pat <pat@prospect.test>\r\nTo: rep@outsales.test\r\nSubject: Both\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n'
            b"--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b--\r\n"
        ).decode(),
    )
    api = _full_api(world)
    [listed] = api.users().messages().list(userId="me").execute()["messages"]
    full = api.users().messages().get(userId="me", id=listed["id"]).execute()
    assert full["payload"]["mimeType"] == "multipart/alternative"
    assert [p["partId"] for p in full["payload"]["parts"]] == ["0", "1"]
    assert [p["mimeType"] for p in full["payload"]["parts"]] == ["text/plain", "text/html"]
    assert full["snippet"] == "plain"


def test_unknown_message_is_404(world) -> None:
    with pytest.raises(HttpError) as raised:
        _full_api(world).users().messages().get(userId="me", id="18c0000000000000").execute()
    error = error_of(raised.value)
    assert raised.value.status_code == 404
    assert error["errors"][0]["reason"] == "notFound"
    assert error["status"] == "NOT_FOUND"


def test_an_id_that_is_not_hex_is_invalid(world) -> None:
    with pytest.raises(HttpError) as raised:
        _full_api(world).users().messages().get(userId="me", id="not-an-id", format="minimal").execute()
    assert raised.value.status_code == 400
    assert error_of(raised.value)["message"] == "Invalid id value"


def test_list_pages_newest_first_and_filters_by_label(world) -> None:
    api = _full_api(world)
    ids = [_send(api, subject=f"Mail {i}")["id"] for i in range(3)]
    world.deliver(REP, **{"from": PROSPECT, "subject": "Incoming", "text": "hello"})
    first = api.users().messages().list(userId="me", labelIds=["SENT"], maxResults=2).execute()
    assert [m["id"] for m in first["messages"]] == ids[::-1][:2]
    assert first["resultSizeEstimate"] == 3
    second = api.users().messages().list(userId="me", labelIds=["SENT"], pageToken=first["nextPageToken"]).execute()
    assert [m["id"] for m in second["messages"]] == [ids[0]]
    assert "nextPageToken" not in second
    inbox = api.users().messages().list(userId="me", labelIds=["INBOX", "UNREAD"]).execute()
    assert len(inbox["messages"]) == 1
    assert api.users().messages().list(userId="me", labelIds=["STARRED"]).execute() == {"resultSizeEstimate": 0}
    by_id = api.users().messages().list(userId="me", q="subject:incoming is:unread").execute()
    assert len(by_id["messages"]) == 1


def test_fields_selects_a_partial_response(world) -> None:
    api = _full_api(world)
    _send(api)
    listed = api.users().messages().list(userId="me", fields="messages(id)").execute()
    assert list(listed) == ["messages"]
    assert list(listed["messages"][0]) == ["id"]


def test_a_long_get_goes_out_as_post_with_method_override(world) -> None:
    api = _full_api(world)
    sent = _send(api)
    names = ["Subject"] + [f"X-Header-{i:03d}" for i in range(150)]
    mark = world.mark()
    got = api.users().messages().get(userId="me", id=sent["id"], format="metadata", metadataHeaders=names).execute()
    assert [h["name"] for h in got["payload"]["headers"]] == ["Subject"]
    [call] = world.calls(since=mark)
    assert call["method"] == "gmail.users.messages.get"
    assert call["http_method"] == "GET"
    assert len(call["query"]["metadataHeaders"]) == 151


def test_modify_marks_read(world) -> None:
    delivered = world.deliver(REP, **{"from": PROSPECT, "subject": "Ping", "text": "x"})
    api = gmail(world.url, connect(world, REP, scopes=["https://www.googleapis.com/auth/gmail.modify"]))
    answer = api.users().messages().modify(userId="me", id=delivered["id"], body={"removeLabelIds": ["UNREAD"]})
    assert answer.execute()["labelIds"] == ["INBOX"]


def test_media_upload_path_sends_too(world) -> None:
    credentials = connect(world, REP)
    message = base64.urlsafe_b64decode(raw(REP, PROSPECT, "Uploaded"))
    answer = requests.post(
        f"{world.url}/upload/gmail/v1/users/me/messages/send",
        params={"uploadType": "media", "alt": "json"},
        data=message,
        headers={"Authorization": f"Bearer {credentials.token}", "Content-Type": "message/rfc822"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["labelIds"] == ["SENT"]
    assert len(world.messages(PROSPECT)) == 1


def test_profile_counts_and_history_id(world) -> None:
    api = _full_api(world)
    before = api.users().getProfile(userId="me").execute()
    _send(api)
    after = api.users().getProfile(userId="me").execute()
    assert after["messagesTotal"] == before["messagesTotal"] + 1 == 1
    assert int(after["historyId"]) > int(before["historyId"])


def test_concurrent_clients_each_get_their_own_answers(world) -> None:
    world.post("settings", {"quota_per_user_per_second": 100_000})
    credentials = connect(world, REP, scopes=[SEND, READONLY])
    errors: list[BaseException] = []
    sent: list[str] = []

    def work(n: int) -> None:
        try:
            api = gmail(world.url, credentials)  # one service per thread: httplib2 is not thread-safe
            for i in range(5):
                answer = _send(api, subject=f"Thread {n} mail {i}")
                api.users().messages().get(userId="me", id=answer["id"], format="minimal").execute()
                sent.append(answer["id"])
        except BaseException as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    assert len(set(sent)) == 40
    history = [m["historyId"] for m in world.messages(REP)]
    assert len(set(history)) == 40
