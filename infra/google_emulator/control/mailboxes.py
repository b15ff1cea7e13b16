"""Mailboxes from the outside: read them, deliver into them, change labels, expire history."""

from __future__ import annotations

import base64
import binascii

from google_emulator.compose import ComposeError, from_fields
from google_emulator.control.routing import ControlError, Ctx, body, mailbox_of, route
from google_emulator.delivery import deliver
from google_emulator.web import Response, json_response


@route("GET", "mailboxes/{email}")
def _mailbox_summary(ctx: Ctx) -> Response:
    mailbox = mailbox_of(ctx.state, ctx.params["email"])
    return json_response(
        200,
        {
            "email": mailbox.email,
            "historyId": str(mailbox.history_id),
            "historyFloor": str(mailbox.history_floor),
            "messagesTotal": len(mailbox.messages),
            "threadsTotal": len(mailbox.threads()),
        },
    )


@route("GET", "mailboxes/{email}/messages")
def _mailbox_messages(ctx: Ctx) -> Response:
    mailbox = mailbox_of(ctx.state, ctx.params["email"])
    label = ctx.request.param("label")
    messages = [
        {
            "id": m.id,
            "threadId": m.thread_id,
            "labelIds": list(m.labels),
            "historyId": str(m.history_id),
            "internalDate": str(m.internal_date_ms),
            "raw": base64.urlsafe_b64encode(m.raw).decode("ascii"),
        }
        for m in mailbox.messages.values()
        if not label or label in m.labels
    ]
    return json_response(200, {"messages": messages})


@route("POST", "mailboxes/{email}/messages")
def _deliver_message(ctx: Ctx) -> Response:
    mailbox = mailbox_of(ctx.state, ctx.params["email"])
    payload = body(ctx.request)
    if payload.get("raw"):
        try:
            text = str(payload["raw"])
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise ControlError(400, "raw must be base64url of an RFC 5322 message") from None
    else:
        try:
            raw = from_fields(payload, mailbox)
        except ComposeError as error:
            raise ControlError(400, str(error)) from None
    stored = deliver(mailbox, raw, ctx.state.now())
    return json_response(200, {"id": stored.id, "threadId": stored.thread_id, "historyId": str(stored.history_id)})


@route("POST", "mailboxes/{email}/messages/{id}/labels")
def _modify_labels(ctx: Ctx) -> Response:
    mailbox = mailbox_of(ctx.state, ctx.params["email"])
    if ctx.params["id"] not in mailbox.messages:
        raise ControlError(404, f"no message {ctx.params['id']} in {mailbox.email}")
    payload = body(ctx.request)
    add, remove = payload.get("add") or [], payload.get("remove") or []
    if not all(isinstance(x, str) for x in [*add, *remove]):
        raise ControlError(400, "add and remove must be lists of label ids")
    stored = mailbox.modify(ctx.params["id"], add, remove)
    return json_response(200, {"id": stored.id, "labelIds": stored.labels, "historyId": str(stored.history_id)})


@route("POST", "mailboxes/{email}/history/expire")
def _expire_history(ctx: Ctx) -> Response:
    mailbox = mailbox_of(ctx.state, ctx.params["email"])
    payload = body(ctx.request)
    before = payload.get("before")
    try:
        cut = mailbox.expire_history(None if before is None else int(before))
    except (TypeError, ValueError):
        raise ControlError(400, "before must be a history id") from None
    return json_response(200, {"historyFloor": str(cut), "historyId": str(mailbox.history_id)})
