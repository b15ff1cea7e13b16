"""users.watch / users.stop through googleapiclient, and the Pub/Sub push simulator seen from a push endpoint."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import google.auth.transport.requests
import pytest
from google.oauth2 import id_token
from googleapiclient.errors import HttpError

from tests.integration.google_emulator.emulator_helpers import METADATA, PROSPECT, REP, connect, error_of, gmail

TOPIC = "projects/outsales-test/topics/gmail"
ACCOUNT = "push@outsales-test.iam.gserviceaccount.com"


class Endpoint:
    """A push endpoint that answers the statuses it is given (then 204) and keeps what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.statuses: list[int] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(endpoint.statuses.pop(0) if endpoint.statuses else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def notifications(self) -> list[dict[str, Any]]:
        return [json.loads(base64.b64decode(body["message"]["data"])) for _, body in self.received]


@pytest.fixture
def endpoint(world) -> Iterator[Endpoint]:
    running = Endpoint()
    subscription = {"topic": TOPIC, "endpoint": running.url, "audience": "aud-1", "service_account": ACCOUNT}
    world.post("push/subscriptions", subscription)
    yield running
    running.server.shutdown()


@pytest.fixture
def api(world):
    return gmail(world.url, connect(world, REP, scopes=[METADATA]))


def _wait(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_watch_with_the_metadata_scope_answers_history_id_and_a_seven_day_expiration(world, api) -> None:
    answer = api.users().watch(userId="me", body={"topicName": TOPIC, "labelIds": ["INBOX"]}).execute()
    assert answer["historyId"] == api.users().getProfile(userId="me").execute()["historyId"]
    days = (int(answer["expiration"]) / 1000 - time.time()) / 86400
    assert 6.9 < days <= 7.0
    assert [w["label_ids"] for w in world.get("push/watches")["watches"]] == [["INBOX"]]


def test_watch_refuses_a_topic_that_is_not_a_topic_name(api) -> None:
    with pytest.raises(HttpError) as refused:
        api.users().watch(userId="me", body={"topicName": "gmail"}).execute()
    assert refused.value.resp.status == 400
    assert "topicName" in error_of(refused.value)["message"]


def test_an_inbox_change_is_pushed_in_googles_envelope_with_a_verifiable_token(world, api, endpoint) -> None:
    api.users().watch(userId="me", body={"topicName": TOPIC, "labelIds": ["INBOX"]}).execute()
    delivered = world.deliver(REP, **{"from": PROSPECT, "subject": "Re: Hi", "text": "ok"})
    _wait(lambda: len(endpoint.received) == 1)
    headers, body = endpoint.received[0]
    assert set(body) == {"message", "subscription"}
    assert {"data", "messageId", "publishTime"} <= set(body["message"])
    assert endpoint.notifications() == [{"emailAddress": REP, "historyId": int(delivered["historyId"])}]
    scheme, token = headers["authorization"].split()
    assert scheme == "Bearer"
    claims = id_token.verify_token(
        token, google.auth.transport.requests.Request(), audience="aud-1", certs_url=f"{world.url}/oauth2/v1/certs"
    )
    assert (claims["iss"], claims["email"], claims["email_verified"]) == ("https://accounts.google.com", ACCOUNT, True)


def test_changes_outside_the_watched_labels_and_after_stop_are_not_pushed(world, api, endpoint) -> None:
    api.users().watch(userId="me", body={"topicName": TOPIC, "labelIds": ["INBOX"]}).execute()
    api.users().stop(userId="me").execute()
    world.deliver(REP, **{"from": PROSPECT, "subject": "Re: Hi", "text": "ok"})
    time.sleep(0.5)
    assert endpoint.received == []
    assert world.get("push/watches")["watches"] == []


def test_a_refused_push_is_retried_with_backoff_until_acknowledged(world, api, endpoint) -> None:
    endpoint.statuses = [503, 500]
    api.users().watch(userId="me", body={"topicName": TOPIC, "labelIds": ["INBOX"]}).execute()
    world.deliver(REP, **{"from": PROSPECT, "subject": "Re: Hi", "text": "ok"})
    _wait(lambda: len(endpoint.received) == 3)
    # The emulator records an answer once its request returns, a moment after the endpoint has seen it.
    _wait(lambda: len(world.get("push/deliveries")["deliveries"][0]["statuses"]) == 3)
    (delivery,) = world.get("push/deliveries")["deliveries"]
    assert delivery["statuses"] == [503, 500, 204]
    assert delivery["acknowledged"]
    assert len({body["message"]["messageId"] for _, body in endpoint.received}) == 1


def test_dropped_and_duplicated_notifications(world, api, endpoint) -> None:
    api.users().watch(userId="me", body={"topicName": TOPIC, "labelIds": ["INBOX"]}).execute()
    world.post("push/faults", {"action": "drop"})
    world.post("push/faults", {"action": "duplicate"})
    world.deliver(REP, **{"from": PROSPECT, "subject": "One", "text": "x"})
    time.sleep(0.3)
    world.deliver(REP, **{"from": PROSPECT, "subject": "Two", "text": "x"})
    _wait(lambda: len(endpoint.received) == 2)
    assert len({body["message"]["messageId"] for _, body in endpoint.received}) == 1
    first, *_ = world.get("push/deliveries")["deliveries"]
    assert first["dropped"] is True
