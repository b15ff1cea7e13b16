"""Control routes of the Pub/Sub push simulator: subscriptions, faults, the delivery log, watches, test tokens."""

from __future__ import annotations

from google_emulator.control.routing import ControlError, Ctx, body, require, route
from google_emulator.pubsub import oidc
from google_emulator.pubsub.book import PUSH_ACTIONS, PushFault, Subscription
from google_emulator.web import Response, json_response


@route("POST", "push/subscriptions")
def _subscribe(ctx: Ctx) -> Response:
    payload = body(ctx.request)
    topic = str(require(payload, "topic"))
    endpoint = str(require(payload, "endpoint"))
    if not endpoint.startswith(("http://", "https://")):
        raise ControlError(400, "endpoint must be an http(s) URL")
    project = topic.split("/")[1] if topic.count("/") == 3 else "emulator"
    name = str(payload.get("name") or f"projects/{project}/subscriptions/gmail-push")
    subscription = Subscription(
        name=name,
        topic=topic,
        endpoint=endpoint,
        audience=str(payload.get("audience") or endpoint),
        service_account=str(require(payload, "service_account")),
    )
    ctx.state.push.subscriptions[name] = subscription
    return json_response(200, subscription.as_dict())


@route("GET", "push/subscriptions")
def _subscriptions(ctx: Ctx) -> Response:
    return json_response(200, {"subscriptions": [s.as_dict() for s in ctx.state.push.subscriptions.values()]})


@route("POST", "push/faults")
def _push_fault(ctx: Ctx) -> Response:
    payload = body(ctx.request)
    action = str(require(payload, "action"))
    if action not in PUSH_ACTIONS:
        raise ControlError(400, f"action must be one of {', '.join(PUSH_ACTIONS)}")
    try:
        fault = PushFault(action=action, count=int(payload.get("count", 1)), delay_s=float(payload.get("delay_s") or 0))
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"bad push fault: {error}") from None
    if fault.count < 1:
        raise ControlError(400, "count must be at least 1")
    if action == "delay" and fault.delay_s <= 0:
        raise ControlError(400, "a delay needs delay_s")
    ctx.state.push.faults.append(fault)
    return json_response(200, fault.as_dict())


@route("DELETE", "push/faults")
def _clear_push_faults(ctx: Ctx) -> Response:
    ctx.state.push.faults.clear()
    return json_response(200, {"faults": []})


@route("GET", "push/deliveries")
def _deliveries(ctx: Ctx) -> Response:
    return json_response(200, {"deliveries": [d.as_dict() for d in ctx.state.push.log]})


@route("GET", "push/watches")
def _watches(ctx: Ctx) -> Response:
    return json_response(200, {"watches": [w.as_dict() for w in ctx.state.push.watches.values()]})


@route("POST", "push/token")
def _token(ctx: Ctx) -> Response:
    """A push token signed by the emulator's key with chosen claims: tests use it for expired, wrong-audience and
    wrong-issuer tokens that only the claims, not the signature, make invalid."""
    payload = body(ctx.request)
    token = oidc.push_token(
        audience=str(require(payload, "audience")),
        service_account=str(require(payload, "service_account")),
        now=ctx.state.now(),
        ttl_s=int(payload.get("ttl_s", oidc.TOKEN_LIFETIME_S)),
        issuer=str(payload.get("issuer") or oidc.ISSUER),
    )
    return json_response(200, {"token": token})
