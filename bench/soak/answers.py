"""Replies and bounces arriving in threads while follow-ups to them are queued.

Each conversation has its own prospect, so a bounce suppresses no address the rest of the soak writes to. It goes in
two steps of the chaos loop: a first email is queued; once it is SENT, the prospect answers it (or the mail system
bounces it) in the owner's mailbox and, right after, a follow-up to it is queued. No poll need have run: the send
path's own look at the thread must hold the follow-up, parked `prospect_replied` after a reply, failed
`recipient_suppressed` after a bounce. The count then checks each follow-up ended that way and was not delivered.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Protocol

from tests.integration.conftest import LocalStack
from tests.integration.service.flows import account, approved

# What a held follow-up may show: the thread check's answer, or a gate or the daily limit met before it.
EXPECTED = {"reply": ("EMAIL_READY", "prospect_replied"), "bounce": ("FAILED", "recipient_suppressed")}


class _Workspace(Protocol):
    id: str
    owner: str
    prospects: list[str]
    token: str


@dataclass
class Conversation:
    workspace: Any
    prospect: str
    first: str
    kind: str  # reply | bounce
    follow_up: str | None = None


class Answers:
    def __init__(self, stack: LocalStack, rng: random.Random, activities: dict[str, Any]) -> None:
        self._stack = stack
        self._rng = rng
        self._activities = activities  # the soak's own list of what it queued: every email here is counted
        self.waiting: list[Conversation] = []
        self.answered: list[Conversation] = []

    def start(self, ws: _Workspace, tag: Any) -> None:
        """Queue a first email to a prospect of its own; a later step answers it once it is SENT."""
        n = len(self.waiting) + len(self.answered)
        prospect = account(self._stack, f"c{n}.{ws.id}@prospect.example", "Chris Conversation")
        ws.prospects.append(prospect)  # the count reads every prospect's mailbox
        first = f"act_c{n}"
        kind = self._rng.choice(("reply", "bounce"))
        self._queue(ws, first, prospect, tag, {})
        self.waiting.append(Conversation(ws, prospect, first, kind))

    def answer_one(self, tag: Any) -> bool:
        """The first waiting conversation whose email went out gets its answer and, right after, a follow-up."""
        for conversation in list(self.waiting):
            ws = conversation.workspace
            email = self._stack.api("GET", f"/emails/{conversation.first}", token=ws.token)
            if email.status_code != 200 or email.json()["status"] != "SENT":
                continue
            message_id = str(email.json()["message_id"])
            self._deliver(ws.owner, conversation, message_id)
            conversation.follow_up = f"{conversation.first}_f"
            self._queue(
                ws, conversation.follow_up, conversation.prospect, tag, {"in_reply_to_activity_id": conversation.first}
            )
            self.waiting.remove(conversation)
            self.answered.append(conversation)
            return True
        return False

    def _queue(self, ws: _Workspace, activity: str, prospect: str, tag: Any, extra: dict[str, Any]) -> None:
        self._activities[activity] = ws
        body = approved(
            ws.id,
            activity,
            agent_id=f"ag_{self._rng.randrange(3)}",
            to={"email": prospect, "name": "Chris"},
            text=f"Hi Chris,\n\nA word on our call.\n\n{tag(activity)}\n",
            **extra,
        )
        copies = 1 + (self._rng.random() < 0.3)  # redelivered too, as the bulk of the soak is
        sqs = self._stack.client("sqs")
        for _ in range(copies):
            sqs.send_message(QueueUrl=self._stack["send_queue_url"], MessageBody=json.dumps(body))

    def _deliver(self, owner: str, conversation: Conversation, message_id: str) -> None:
        threading = {"in_reply_to": message_id, "references": message_id}
        if conversation.kind == "reply":
            message = {
                "from": f"Chris Conversation <{conversation.prospect}>",
                "subject": "Re: Following up",
                "text": "Thanks, let's talk next week.",
                **threading,
            }
        else:
            message = {
                "from": "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
                "subject": "Delivery Status Notification (Failure)",
                "text": "Address not found",
                "headers": {"X-Failed-Recipients": conversation.prospect, "Auto-Submitted": "auto-replied"},
                **threading,
            }
        answer = self._stack.google("POST", f"mailboxes/{owner}/messages", message)
        assert answer.status_code < 300, answer.text

    def held(self, records: dict[str, dict[str, object]], delivered: dict[str, int]) -> dict[str, int]:
        """How the follow-ups to answered threads ended: held as expected, or delivered despite the answer."""
        ends = {"held": 0, "held_otherwise": 0, "sent_despite_answer": 0}
        for conversation in self.answered:
            activity = str(conversation.follow_up)
            record = records.get(activity) or {}
            if delivered.get(activity, 0):
                ends["sent_despite_answer"] += 1
                print(f"soak: SENT DESPITE {conversation.kind.upper()} {activity}: record {record}", flush=True)
            elif (record.get("status"), record.get("reason")) == EXPECTED[conversation.kind]:
                ends["held"] += 1
            else:  # parked by a gate or the daily limit before its thread check: still not sent, counted as such
                ends["held_otherwise"] += 1
        return ends
