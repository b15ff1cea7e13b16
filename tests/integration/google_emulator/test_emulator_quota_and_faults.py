"""Quotas as Gmail counts them, faults armed by tests, and the call log that shows both."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from googleapiclient.errors import HttpError

from tests.integration.google_emulator.emulator_helpers import PROSPECT, REP, connect, error_of, gmail, raw


@pytest.fixture
def api(world):
    return gmail(world.url, connect(world, REP))


def _send(api, subject="Hi"):
    return api.users().messages().send(userId="me", body={"raw": raw(REP, PROSPECT, subject)}).execute()


def _retry_time(message: str) -> dt.datetime:
    found = re.search(r"Retry after (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)", message)
    assert found, message
    return dt.datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%S.%f%z")


def test_calls_are_charged_gmails_units(world, api) -> None:
    mark = world.mark()
    api.users().getProfile(userId="me").execute()
    sent = _send(api)
    api.users().messages().get(userId="me", id=sent["id"], format="metadata").execute()
    api.users().threads().get(userId="me", id=sent["threadId"], format="minimal").execute()
    api.users().history().list(userId="me", startHistoryId="1").execute()
    api.users().messages().list(userId="me").execute()
    units = {c["method"]: c["units"] for c in world.calls(since=mark)}
    assert units == {
        "gmail.users.getProfile": 1,
        "gmail.users.messages.send": 100,
        "gmail.users.messages.get": 5,
        "gmail.users.threads.get": 10,
        "gmail.users.history.list": 2,
        "gmail.users.messages.list": 5,
    }


def test_past_the_per_user_rate_google_answers_429_with_retry_after(world, api) -> None:
    world.post("settings", {"quota_per_user_per_second": 100, "quota_burst_s": 1})
    _send(api)
    with pytest.raises(HttpError) as raised:
        _send(api)
    error = error_of(raised.value)
    assert raised.value.status_code == 429
    assert error["errors"][0]["reason"] == "rateLimitExceeded"
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert raised.value.resp["retry-after"] == "1"
    assert _retry_time(error["message"]) > dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    time.sleep(1.05)
    assert _send(api)["id"]


def test_a_short_burst_within_the_moving_average_is_allowed(world, api) -> None:
    mark = world.mark()
    sent = [_send(api, f"Burst {i}")["id"] for i in range(4)]
    assert len(set(sent)) == 4
    sends = [c for c in world.calls(since=mark) if c["method"] == "gmail.users.messages.send"]
    assert len(sends) == 4


def test_the_daily_sending_limit_answers_429_mail_sending_until_a_day_has_passed(world, api) -> None:
    world.post(f"accounts/{REP}/settings", {"daily_send_limit": 2})
    _send(api, "One")
    _send(api, "Two")
    with pytest.raises(HttpError) as raised:
        _send(api, "Three")
    error = error_of(raised.value)
    assert raised.value.status_code == 429
    assert error["errors"][0]["reason"] == "rateLimitExceeded"
    assert error["message"].startswith("User-rate limit exceeded.  Retry after ")
    assert error["message"].endswith("(Mail sending)")
    assert _retry_time(error["message"]) > dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)
    assert int(raised.value.resp["retry-after"]) > 23 * 3600
    assert api.users().getProfile(userId="me").execute()["emailAddress"] == REP, "only sending is limited"
    world.post("clock", {"advance_s": 86_401})
    world.post("tokens/expire", {})
    assert _send(api, "Tomorrow")["id"]


def test_the_daily_limit_can_answer_403_daily_limit_exceeded(world, api) -> None:
    world.post("settings", {"daily_send_limit": 0, "daily_limit_status": 403})
    with pytest.raises(HttpError) as raised:
        _send(api)
    error = error_of(raised.value)
    assert raised.value.status_code == 403
    assert error["errors"][0] == {
        "message": "Daily user sending quota exceeded.",
        "domain": "usageLimits",
        "reason": "dailyLimitExceeded",
    }


@pytest.mark.parametrize(
    ("status", "reason", "google_status"),
    [(500, "backendError", "INTERNAL"), (503, "backendError", "UNAVAILABLE"), (429, "rateLimitExceeded", None)],
)
def test_faults_fail_the_next_calls_with_googles_bodies(world, api, status, reason, google_status) -> None:
    world.post("faults", {"method": "gmail.users.messages.send", "status": status, "count": 2})
    for _ in range(2):
        with pytest.raises(HttpError) as raised:
            _send(api)
        assert raised.value.status_code == status
        assert error_of(raised.value)["errors"][0]["reason"] == reason
        if google_status:
            assert error_of(raised.value)["status"] == google_status
    assert _send(api)["id"], "the fault is used up"
    assert world.get("faults")["faults"] == []


def test_a_429_fault_with_retry_after_carries_header_and_text(world, api) -> None:
    world.post("faults", {"method": "gmail.users.messages.send", "status": 429, "count": 1, "retry_after": 7})
    with pytest.raises(HttpError) as raised:
        _send(api)
    assert raised.value.resp["retry-after"] == "7"
    when = _retry_time(error_of(raised.value)["message"])
    assert dt.timedelta(seconds=5) < when - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=8)


def test_faults_only_hit_their_method(world, api) -> None:
    world.post("faults", {"method": "gmail.users.history.list", "status": 503, "count": 1})
    assert api.users().getProfile(userId="me").execute()
    with pytest.raises(HttpError):
        api.users().history().list(userId="me", startHistoryId="1").execute()


def test_a_slow_call(world, api) -> None:
    world.post("faults", {"method": "gmail.users.getProfile", "delay_s": 0.3, "count": 1})
    started = time.monotonic()
    assert api.users().getProfile(userId="me").execute()["emailAddress"] == REP
    assert time.monotonic() - started >= 0.3


def test_a_token_endpoint_fault_surfaces_as_refresh_error(world) -> None:
    credentials = connect(world, REP)
    world.post("faults", {"method": "oauth.token", "status": 400, "count": 1})
    with pytest.raises(RefreshError) as raised:
        credentials.refresh(Request())
    assert raised.value.args[1]["error"] == "invalid_grant"
    credentials.refresh(Request())
    assert credentials.valid


def test_the_call_log_records_method_query_scopes_units_and_status(world, api) -> None:
    world.delete("calls")
    api.users().history().list(userId="me", startHistoryId="5", historyTypes=["messageAdded"]).execute()
    [call] = world.calls()
    assert call["method"] == "gmail.users.history.list"
    assert call["http_method"] == "GET"
    assert call["path"] == "/gmail/v1/users/me/history"
    assert call["query"]["startHistoryId"] == ["5"]
    assert call["query"]["historyTypes"] == ["messageAdded"]
    assert call["query"]["alt"] == ["json"]
    assert len(call["scopes"]) == 2
    assert call["units"] == 2
    assert call["status"] == 200
    assert call["email"] == REP
    assert call["discovery_violations"] == []
    mark = world.mark()
    assert world.calls(since=mark) == []
    assert mark == call["index"] + 1
