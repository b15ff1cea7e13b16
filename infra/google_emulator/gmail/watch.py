"""`users.watch` and `users.stop`: Gmail push notifications to a Cloud Pub/Sub topic.

A watch lasts seven days (Google asks for a renewal before `expiration`); watching again replaces it. Only
changes after the watch call are published, from the mailbox's current history id on.
"""

from __future__ import annotations

import re
from typing import Any

from google_emulator.errors import invalid_argument
from google_emulator.gmail.methods import Context, method
from google_emulator.pubsub.book import WATCH_LIFETIME_MS, Watch

_TOPIC = re.compile(r"projects/[^/]+/topics/[^/]+")


@method("gmail.users.watch")
def watch(ctx: Context) -> dict[str, Any]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    topic = str(body.get("topicName") or "")
    if not _TOPIC.fullmatch(topic):
        raise invalid_argument("Invalid topicName does not match projects/SOME-PROJECT/topics/*")
    labels = body.get("labelIds") or []
    behavior = str(body.get("labelFilterBehavior") or body.get("labelFilterAction") or "include").lower()
    expiration = ctx.now_ms + WATCH_LIFETIME_MS
    ctx.state.push.watches[ctx.account.email] = Watch(
        email=ctx.account.email,
        topic=topic,
        label_ids=[str(label) for label in labels],
        exclude=behavior == "exclude",
        expiration_ms=expiration,
        notified_history_id=ctx.mailbox.history_id,
    )
    return {"historyId": str(ctx.mailbox.history_id), "expiration": str(expiration)}


@method("gmail.users.stop")
def stop(ctx: Context) -> dict[str, Any]:
    ctx.state.push.watches.pop(ctx.account.email, None)
    return {}
