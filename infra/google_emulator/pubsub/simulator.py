"""The push simulator: turns mailbox changes of watched mailboxes into Pub/Sub push requests.

A background thread looks at every watched mailbox a few times a second. When the mailbox's history moved past
what was last published and a changed message carries a watched label, it publishes Gmail's notification
(``{"emailAddress", "historyId"}``) to the watch's topic, and each push subscription of that topic gets Google's
envelope with an OIDC token signed by the emulator's key. A non-2xx answer or a connection error is retried with
exponential backoff, as Pub/Sub does. Armed faults delay, duplicate, reorder (hold one back for REORDER_HOLD_S
so that the next one overtakes it) or drop notifications.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime

from google_emulator.mailbox import Mailbox
from google_emulator.pubsub.book import Delivery, PushBook, Watch
from google_emulator.pubsub.oidc import push_token
from google_emulator.state import State

log = logging.getLogger("google_emulator.push")
_TICK_S = 0.05
_HTTP_TIMEOUT_S = 10.0
REORDER_HOLD_S = 2.0


def _relevant(watch: Watch, mailbox: Mailbox) -> bool:
    for record in mailbox.history:
        if record.id <= watch.notified_history_id:
            continue
        if not watch.label_ids:
            return True
        hit = bool((set(record.label_ids) | set(record.changed_labels)) & set(watch.label_ids))
        if hit != watch.exclude:
            return True
    return False


def _publish(book: PushBook, watch: Watch, history_id: int, now: float) -> None:
    data = {"emailAddress": watch.email, "historyId": history_id}
    for subscription in book.subscriptions.values():
        if subscription.topic != watch.topic:
            continue
        delivery = Delivery(book.next_message_id(), subscription.name, data, now, time.monotonic())
        fault = book.take_fault()
        if fault is not None and fault.action == "drop":
            delivery.dropped = True
            book.log.append(delivery)
            continue
        if fault is not None and fault.action in ("delay", "reorder"):
            # A reordered notification is held back long enough for the next one to overtake it.
            delivery.due += fault.delay_s or REORDER_HOLD_S
        book.pending.append(delivery)
        book.log.append(delivery)
        if fault is not None and fault.action == "duplicate":
            # Pub/Sub redelivers the same message id: at-least-once delivery.
            twin = Delivery(delivery.message_id, delivery.subscription, data, now, delivery.due + 0.05)
            book.pending.append(twin)
            book.log.append(twin)


def scan(state: State) -> None:
    """Publish for every watched mailbox that changed; called under the state lock."""
    book: PushBook = state.push
    now = state.now()
    for watch in list(book.watches.values()):
        if watch.expiration_ms <= now * 1000:
            continue
        mailbox = state.mailbox(watch.email)
        if mailbox is None or mailbox.history_id <= watch.notified_history_id:
            continue
        if _relevant(watch, mailbox):
            _publish(book, watch, mailbox.history_id, now)
        watch.notified_history_id = mailbox.history_id


def _envelope(delivery: Delivery, subscription: str) -> bytes:
    publish_time = datetime.fromtimestamp(delivery.publish_time, UTC).isoformat(timespec="milliseconds")
    message = {
        "data": base64.b64encode(json.dumps(delivery.data).encode()).decode("ascii"),
        "messageId": delivery.message_id,
        "message_id": delivery.message_id,
        "publishTime": publish_time.replace("+00:00", "Z"),
        "publish_time": publish_time.replace("+00:00", "Z"),
    }
    return json.dumps({"message": message, "subscription": subscription}).encode()


def _post(state: State, delivery: Delivery) -> int:
    with state.lock:
        subscription = state.push.subscriptions.get(delivery.subscription)
    if subscription is None:
        return 404
    token = push_token(subscription.audience, subscription.service_account, state.now())
    request = urllib.request.Request(  # noqa: S310 - the endpoint is the one a test registered
        subscription.endpoint,
        data=_envelope(delivery, subscription.name),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=_HTTP_TIMEOUT_S) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def _due(state: State) -> list[Delivery]:
    with state.lock:
        scan(state)
        book = state.push
        now = time.monotonic()
        ready = [d for d in book.pending if d.due <= now]
        book.pending = [d for d in book.pending if d.due > now]
        return sorted(ready, key=lambda d: d.due)


def _deliver(state: State, delivery: Delivery) -> None:
    status = _post(state, delivery)
    with state.lock:
        delivery.attempts += 1
        delivery.statuses.append(status)
        if 200 <= status < 300:
            delivery.acknowledged = True
            return
        book = state.push
        backoff = min(book.max_backoff_s, book.min_backoff_s * 2 ** (delivery.attempts - 1))
        delivery.due = time.monotonic() + backoff
        book.pending.append(delivery)
    log.debug("push %s to %s answered %s; retrying", delivery.message_id, delivery.subscription, status)


class PushSimulator:
    """One thread per emulator, started with the first push subscription and stopped with the emulator."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="google-emulator:push", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(_TICK_S):
            try:
                for delivery in _due(self._state):
                    _deliver(self._state, delivery)
            except Exception:
                log.exception("push simulator error")
