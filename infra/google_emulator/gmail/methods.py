"""The Gmail API methods the emulator implements, by discovery id.

Each takes a `Call` context (mailbox, token, parameters, body) and returns the JSON resource Gmail would;
errors are raised as `ApiError` with Google's texts.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google_emulator import compose
from google_emulator.conversation import thread_for_sent
from google_emulator.delivery import deliver
from google_emulator.errors import ApiError, bad_request, invalid_argument, not_found, rate_limited
from google_emulator.gmail.access import may_read_bodies
from google_emulator.gmail.render import message_resource, snippet, thread_resource
from google_emulator.gmail.search import matches
from google_emulator.mailbox import SYSTEM_LABELS, Mailbox, StoredMessage, parse
from google_emulator.oauth.grants import AccessToken
from google_emulator.state import Account, State

MAX_MESSAGE_BYTES = 36_700_160
_GMAIL_ID = re.compile(r"[0-9a-fA-F]{1,16}")


@dataclass
class Context:
    state: State
    account: Account
    mailbox: Mailbox
    token: AccessToken
    path: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    upload: tuple[dict[str, Any], bytes] | None

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def int_param(self, name: str, default: int, maximum: int) -> int:
        value = int(self.param(name) or default)
        return default if value <= 0 else min(value, maximum)

    @property
    def now_ms(self) -> int:
        return int(self.state.now() * 1000)


Method = Callable[[Context], dict[str, Any]]
METHODS: dict[str, Method] = {}


def method(method_id: str) -> Callable[[Method], Method]:
    def register(function: Method) -> Method:
        METHODS[method_id] = function
        return function

    return register


def _check_id(value: str) -> None:
    """Gmail ids are hex numbers: anything else is refused before it is looked up."""
    if not _GMAIL_ID.fullmatch(value):
        raise invalid_argument("Invalid id value")


def _message(ctx: Context, message_id: str) -> StoredMessage:
    _check_id(message_id)
    found = ctx.mailbox.messages.get(message_id)
    if found is None:
        raise not_found()
    return found


def _page(ctx: Context, total: int, default: int = 100) -> tuple[int, int]:
    token = ctx.param("pageToken")
    try:
        start = int(token) if token else 0
    except ValueError:
        raise invalid_argument("Invalid pageToken") from None
    if start < 0 or start > total:
        raise invalid_argument("Invalid pageToken")
    return start, start + ctx.int_param("maxResults", default, 500)


@method("gmail.users.getProfile")
def get_profile(ctx: Context) -> dict[str, Any]:
    return {
        "emailAddress": ctx.account.email,
        "messagesTotal": len(ctx.mailbox.messages),
        "threadsTotal": len(ctx.mailbox.threads()),
        "historyId": str(ctx.mailbox.history_id),
    }


def _raw_to_send(ctx: Context) -> tuple[bytes, str | None]:
    if ctx.upload is not None:
        metadata, raw = ctx.upload
        thread_id = metadata.get("threadId")
        return raw, thread_id if isinstance(thread_id, str) else None
    body = ctx.body if isinstance(ctx.body, dict) else {}
    text = body.get("raw")
    thread_id = body.get("threadId") or None
    if not text:
        raise invalid_argument("'raw' RFC822 payload message string or uploading message via /upload/* URL required")
    cleaned = "".join(str(text).split())
    for decoder in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            return decoder(cleaned + "=" * (-len(cleaned) % 4)), thread_id
        except (binascii.Error, ValueError):
            continue
    raise invalid_argument("Invalid value for ByteString: " + cleaned[:40])


def _check_daily_limit(ctx: Context) -> None:
    state, now = ctx.state, ctx.state.now()
    frees_at = state.quota.send_allowed(ctx.account.email, state.daily_send_limit(ctx.account), now)
    if frees_at is None:
        return
    if state.settings.daily_limit_status == 403:
        raise ApiError(403, "Daily user sending quota exceeded.", "dailyLimitExceeded", domain="usageLimits")
    raise rate_limited(max(1, int(frees_at - now) + 1), now, " (Mail sending)")


@method("gmail.users.messages.send")
def send(ctx: Context) -> dict[str, Any]:
    raw, thread_id = _raw_to_send(ctx)
    if len(raw) > MAX_MESSAGE_BYTES:
        raise bad_request("Message too large")
    if not raw.strip():
        raise invalid_argument("'raw' RFC822 payload message string or uploading message via /upload/* URL required")
    recipients = compose.recipients(raw)
    if not recipients:
        raise invalid_argument("Recipient address required")
    if thread_id is not None:
        _check_id(thread_id)
        if not ctx.mailbox.thread(thread_id):
            raise not_found()
    _check_daily_limit(ctx)
    account = ctx.account
    stamped = compose.stamp_sent(raw, account.email, account.name, account.replace_message_id)
    joined = thread_for_sent(ctx.mailbox, parse(stamped), thread_id)
    to_self = account.email in {r.lower() for r in recipients}
    labels = ["SENT", "INBOX", "UNREAD"] if to_self else ["SENT"]
    now = ctx.state.now()
    stored = ctx.mailbox.add(stamped, labels, joined, int(now * 1000))
    ctx.state.quota.record_send(account.email, now)
    delivered = compose.without_bcc(stamped)
    for address in dict.fromkeys(r.lower() for r in recipients):
        mailbox = ctx.state.mailbox(address)
        if mailbox is not None and address != account.email:
            deliver(mailbox, delivered, now)
    return {"id": stored.id, "threadId": stored.thread_id, "labelIds": list(stored.labels)}


@method("gmail.users.messages.get")
def get_message(ctx: Context) -> dict[str, Any]:
    message = _message(ctx, ctx.path["id"])
    fmt = ctx.param("format", "full") or "full"
    return message_resource(message, fmt, ctx.query.get("metadataHeaders"), may_read_bodies(ctx.token))


def _listed(ctx: Context) -> list[StoredMessage]:
    wanted = ctx.query.get("labelIds") or []
    include_spam_trash = (ctx.param("includeSpamTrash") or "false").lower() == "true"
    query = ctx.param("q") or ""
    found = []
    for message in ctx.mailbox.messages.values():
        labels = set(message.labels)
        if not include_spam_trash and labels & {"SPAM", "TRASH"} and not set(wanted) & {"SPAM", "TRASH"}:
            continue
        if not all(label in labels for label in wanted):
            continue
        if query and not matches(message, query):
            continue
        found.append(message)
    return sorted(found, key=lambda m: (m.internal_date_ms, m.id), reverse=True)


@method("gmail.users.messages.list")
def list_messages(ctx: Context) -> dict[str, Any]:
    found = _listed(ctx)
    start, end = _page(ctx, len(found))
    answer: dict[str, Any] = {}
    if found[start:end]:
        answer["messages"] = [{"id": m.id, "threadId": m.thread_id} for m in found[start:end]]
    if end < len(found):
        answer["nextPageToken"] = str(end)
    answer["resultSizeEstimate"] = len(found)
    return answer


@method("gmail.users.messages.modify")
def modify_message(ctx: Context) -> dict[str, Any]:
    message = _message(ctx, ctx.path["id"])
    body = ctx.body if isinstance(ctx.body, dict) else {}
    add, remove = body.get("addLabelIds") or [], body.get("removeLabelIds") or []
    for label in [*add, *remove]:
        if label not in SYSTEM_LABELS:
            raise invalid_argument(f"Invalid label: {label}")
    ctx.mailbox.modify(message.id, add, remove)
    return message_resource(message, "minimal", None, may_read_bodies(ctx.token))


@method("gmail.users.threads.get")
def get_thread(ctx: Context) -> dict[str, Any]:
    _check_id(ctx.path["id"])
    messages = ctx.mailbox.thread(ctx.path["id"])
    if not messages:
        raise not_found()
    fmt = ctx.param("format", "full") or "full"
    return thread_resource(ctx.path["id"], messages, fmt, ctx.query.get("metadataHeaders"), may_read_bodies(ctx.token))


@method("gmail.users.threads.list")
def list_threads(ctx: Context) -> dict[str, Any]:
    seen: dict[str, StoredMessage] = {}
    for message in _listed(ctx):
        seen.setdefault(message.thread_id, message)
    threads = list(seen.values())
    start, end = _page(ctx, len(threads))
    answer: dict[str, Any] = {}
    with_snippet = may_read_bodies(ctx.token)
    if threads[start:end]:
        answer["threads"] = [
            {
                "id": m.thread_id,
                **({"snippet": snippet(m)} if with_snippet else {}),
                "historyId": str(max(x.history_id for x in ctx.mailbox.thread(m.thread_id))),
            }
            for m in threads[start:end]
        ]
    if end < len(threads):
        answer["nextPageToken"] = str(end)
    answer["resultSizeEstimate"] = len(threads)
    return answer


def _history_item(record: Any) -> dict[str, Any]:
    message = {"id": record.message_id, "threadId": record.thread_id}
    item: dict[str, Any] = {"id": str(record.id), "messages": [message]}
    labelled = {**message, "labelIds": list(record.label_ids)}
    if record.kind == "messageAdded":
        item["messagesAdded"] = [{"message": labelled}]
    elif record.kind == "messageDeleted":
        item["messagesDeleted"] = [{"message": message}]
    else:
        key = "labelsAdded" if record.kind == "labelAdded" else "labelsRemoved"
        item[key] = [{"message": labelled, "labelIds": list(record.changed_labels)}]
    return item


@method("gmail.users.history.list")
def list_history(ctx: Context) -> dict[str, Any]:
    start_text = ctx.param("startHistoryId")
    if not start_text:
        raise invalid_argument("Invalid startHistoryId")
    start = int(start_text)
    mailbox = ctx.mailbox
    if start < mailbox.history_floor:
        raise not_found()
    types = set(ctx.query.get("historyTypes") or [])
    label = ctx.param("labelId")
    page_token = ctx.param("pageToken")
    after = start
    if page_token:
        try:
            after = max(start, int(page_token))
        except ValueError:
            raise invalid_argument("Invalid pageToken") from None
    records = [
        r
        for r in mailbox.history_after(after)
        if (not types or r.kind in types) and (not label or label in r.label_ids)
    ]
    limit = ctx.int_param("maxResults", 100, 500)
    answer: dict[str, Any] = {}
    if records[:limit]:
        answer["history"] = [_history_item(r) for r in records[:limit]]
    if len(records) > limit:
        answer["nextPageToken"] = str(records[limit - 1].id)
    answer["historyId"] = str(mailbox.history_id)
    return answer


@method("gmail.users.labels.list")
def list_labels(_ctx: Context) -> dict[str, Any]:
    return {"labels": [{"id": label, "name": label, "type": "system"} for label in SYSTEM_LABELS]}


@method("gmail.users.labels.get")
def get_label(ctx: Context) -> dict[str, Any]:
    label = ctx.path["id"]
    if label not in SYSTEM_LABELS:
        raise not_found()
    tagged = [m for m in ctx.mailbox.messages.values() if label in m.labels]
    threads = {m.thread_id for m in tagged}
    unread = [m for m in tagged if "UNREAD" in m.labels]
    return {
        "id": label,
        "name": label,
        "type": "system",
        "messagesTotal": len(tagged),
        "messagesUnread": len(unread),
        "threadsTotal": len(threads),
        "threadsUnread": len({m.thread_id for m in unread}),
    }
