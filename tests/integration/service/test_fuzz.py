"""Generated hostile input against the running stack: HTTP bodies on every body-taking route, and queue messages.

Counts what the closing figures need: 5xx answers (target 0) and emails left SENDING (target 0).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import account, approved, connect, new_workspace, settle

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
BODIES = st.one_of(
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {
            "display_name": st.text(max_size=60),
            "signature_text": st.text(max_size=60),
            "signature_html": st.text(max_size=60),
        }
    ).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"status": JSON_VALUES}).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"active": JSON_VALUES}).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)
CONTENT_TYPES = st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""])


class Tally:
    tried = 0
    server_errors: ClassVar[list[tuple[str, int, bytes]]] = []


def test_generated_http_bodies_never_answer_5xx(stack: LocalStack) -> None:
    workspace = new_workspace()
    token = stack.jwt(workspace)
    routes = [
        lambda body, headers: stack.api("PUT", "/profile", token=token, body=body, headers=headers),
        lambda body, headers: stack.signed(
            "PUT", f"/internal/workspaces/{workspace}/billing", body=body, headers=headers
        ),
        lambda body, headers: stack.signed(
            "PUT", f"/internal/workspaces/{workspace}/agents/ag_1", body=body, headers=headers
        ),
        lambda body, headers: stack.api("POST", "/gmail/connect", token=token, body=body, headers=headers),
    ]

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=BODIES, content_type=CONTENT_TYPES, route=st.sampled_from(range(len(routes))))
    def one(body: bytes, content_type: str, route: int) -> None:
        headers = {"Content-Type": content_type} if content_type else {}
        answer = routes[route](body, headers)
        Tally.tried += 1
        if answer.status_code >= 500:
            Tally.server_errors.append((str(route), answer.status_code, body[:80]))

    one()
    print(f"\nHTTP fuzz: {Tally.tried} requests, {len(Tally.server_errors)} answered 5xx")
    assert Tally.server_errors == []


def test_generated_queue_messages_leave_nothing_sending(stack: LocalStack) -> None:
    workspace = new_workspace()
    connect(stack, workspace, account(stack, f"fuzz.{workspace}@company.example"))
    account(stack, "pat.fuzz@prospect.example")
    sent: list[str] = []
    text = st.text(st.characters(codec="utf-8"), max_size=40)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        subject=text,
        name=text,
        body=text,
        html=st.none() | text,
        activity=st.sampled_from([f"act_fz_{i}" for i in range(25)]),
        duplicate=st.booleans(),
    )
    def one(subject: str, name: str, body: str, html: str | None, activity: str, duplicate: bool) -> None:
        message: dict[str, Any] = approved(
            workspace,
            activity,
            subject=subject,
            text=body,
            html=html,
            to={"email": "pat.fuzz@prospect.example", "name": name},
        )
        raw = json.dumps(message)
        if duplicate:
            raw = raw[:-1] + ', "subject": "second"}'
        stack.send(raw)
        sent.append(activity)

    one()
    settle(8)
    table = stack.table()
    stuck = []
    for activity in sorted(set(sent)):
        item = table.get_item(Key={"pk": f"WS#{workspace}", "sk": f"EMAIL#{activity}"}, ConsistentRead=True).get("Item")
        if item and item.get("status") == "SENDING":
            stuck.append(activity)
    print(f"\nqueue fuzz: {len(sent)} messages over {len(set(sent))} activities, {len(stuck)} left SENDING")
    assert stuck == []
