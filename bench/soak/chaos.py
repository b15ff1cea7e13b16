"""The seeded chaos loop: Google faults in the emulator, gates closing and opening, lost grants reconnected, history
expired under the poll, and replies and bounces arriving in threads while follow-ups to them are queued."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from bench.soak.answers import Answers
from tests.integration.conftest import LocalStack
from tests.integration.service.flows import connect

SEND = "gmail.users.messages.send"
ACTIONS = (
    *("429", "500", "503", "slow", "lost_answer", "invalid_grant", "gate", "gate", "open", "daily_limit"),
    *("history_404", "conversation", "conversation"),
)


class _Workspace(Protocol):
    id: str
    owner: str
    token: str


class Chaos:
    def __init__(
        self, stack: LocalStack, rng: random.Random, spaces: list[Any], answers: Answers, tag: Callable[[str], str]
    ) -> None:
        self._stack = stack
        self._rng = rng
        self._spaces = spaces
        self._answers = answers
        self._tag = tag
        self._closed: list[tuple[str, str, dict[str, Any]]] = []
        self._daily_limit_used = False
        self.armed: Counter[str] = Counter()

    def run_until(self, done: Callable[[], bool], limit_s: float) -> None:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            self.step()
            if self._answers.waiting and self._rng.random() < 0.5 and self._answers.answer_one(self._tag):
                self.armed[f"{self._answers.answered[-1].kind}_then_follow_up"] += 1
            time.sleep(self._rng.uniform(0.3, 1.0))
            if self._rng.random() < 0.3:
                self.reconnect_lost_grants()
                if done():
                    return

    def step(self) -> None:
        action = self._rng.choice(ACTIONS)
        ws = self._rng.choice(self._spaces)
        if action == "429":
            self._fault({"method": SEND, "status": 429, "count": self._rng.randint(1, 3), "retry_after": 1})
        elif action in ("500", "503"):
            self._fault({"method": SEND, "status": int(action), "count": self._rng.randint(1, 2)})
        elif action == "slow":
            self._fault({"method": "*", "status": None, "count": 3, "delay_s": 0.5})
        elif action == "lost_answer":
            self._fault({"method": SEND, "count": 1, "delay_after_s": 3})  # past GmailHttpTimeoutSeconds=2
        elif action == "invalid_grant":
            self._fault({"method": "oauth.token", "status": 400, "count": 1, "error": "invalid_grant"})
        elif action == "gate":
            self._close_gate(ws)
        elif action == "open":
            self._open_one()
        elif action == "history_404":
            # the mailbox's history expires under the poll: its next users.history.list answers 404
            expired = self._stack.google("POST", f"mailboxes/{ws.owner}/history/expire", {})
            assert expired.status_code < 300, expired.text
            if self._stack.schedule().status_code >= 300:  # a poll met a fault: the next schedule tries again
                self.armed["schedule_failed"] += 1
        elif action == "conversation":
            self._answers.start(ws, self._tag)
        elif action == "daily_limit":
            if self._daily_limit_used:
                return
            # one mailbox reaches its daily limit: its later emails park until tomorrow, parked with a reason
            self._daily_limit_used = True
            self._stack.google("POST", f"accounts/{ws.owner}/settings", {"daily_send_limit": self._rng.randint(3, 10)})
        self.armed[action] += 1

    def _fault(self, fault: dict[str, Any]) -> None:
        assert self._stack.google("POST", "faults", fault).status_code < 300

    def _close_gate(self, ws: _Workspace) -> None:
        if self._rng.random() < 0.5:
            path, closed, opened = (
                f"/internal/workspaces/{ws.id}/billing",
                {"status": "past_due"},
                {"status": "current"},
            )
        else:
            agent = f"ag_{self._rng.randrange(3)}"
            path, closed, opened = f"/internal/workspaces/{ws.id}/agents/{agent}", {"active": False}, {"active": True}
        assert self._stack.signed("PUT", path, closed).status_code < 300
        self._closed.append((path, "PUT", opened))

    def _open_one(self) -> None:
        if self._closed:
            path, method, body = self._closed.pop(self._rng.randrange(len(self._closed)))
            assert self._stack.signed(method, path, body).status_code < 300

    def open_every_gate(self) -> None:
        while self._closed:
            self._open_one()
        self.reconnect_lost_grants()

    def reconnect_lost_grants(self) -> int:
        """Reconnects the mailboxes that lost their grant, as their owner would; returns how many needed it."""
        needing = self._needing_reconnect()
        for ws in needing:
            try:
                ws.token = connect(self._stack, ws.id, ws.owner)
            except AssertionError:  # an armed invalid_grant met the code exchange: the next round tries again
                self.armed["reconnect_failed"] += 1
                continue
            self.armed["reconnect"] += 1
        return len(needing)

    def _needing_reconnect(self) -> list[Any]:
        """One BatchGetItem of the connection items instead of a GET /gmail/status per workspace: the soak asks
        often, and forty Lambda invocations a round were a large share of the one-process stack's time."""
        table = self._stack["table_name"]
        keys = [{"pk": {"S": f"WS#{ws.id}"}, "sk": {"S": "CONNECTION"}} for ws in self._spaces]
        status: dict[str, str] = {}
        for start in range(0, len(keys), 100):
            request: dict[str, Any] | None = {
                table: {
                    "Keys": keys[start : start + 100],
                    "ProjectionExpression": "pk, #status",
                    "ExpressionAttributeNames": {"#status": "status"},
                }
            }
            while request:
                answer = self._stack.client("dynamodb").batch_get_item(RequestItems=request)
                status.update({item["pk"]["S"]: item["status"]["S"] for item in answer["Responses"].get(table, [])})
                request = answer.get("UnprocessedKeys") or None
        return [ws for ws in self._spaces if status.get(f"WS#{ws.id}") == "needs_reconnect"]
