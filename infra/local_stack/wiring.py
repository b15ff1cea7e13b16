"""From the template's SAM half to running parts: functions, routes with their authorizers, pollers, schedules.

Everything an event names (a queue's ARN, an issuer, a CORS origin) goes through the resolver, so it means locally
what it means in the deployed stack. What cannot run locally is logged and left out rather than failing the stack.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_stack.front_door import RouteTarget
from local_stack.http_api import Cors, Route
from local_stack.intrinsics import Resolver, UnresolvedError
from local_stack.jwt_authority import JwtAuthorizerConfig
from local_stack.lambda_runtime import LocalFunction
from local_stack.options import LOCAL_ACCOUNT_ID, STACK_NAME
from local_stack.schedule import ScheduledTarget, ScheduleExpressionError, parse
from local_stack.template import FunctionSpec, HttpApiSpec, SqsSource

log = logging.getLogger("local_stack.wiring")


@dataclass
class Wiring:
    functions: dict[str, LocalFunction] = field(default_factory=dict)
    environments: dict[str, dict[str, str]] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    cors: Cors | None = None
    queue_sources: list[tuple[LocalFunction, SqsSource, str]] = field(default_factory=list)  # + resolved queue ARN
    schedules: list[ScheduledTarget] = field(default_factory=list)


def wire(
    specs: list[FunctionSpec],
    apis: dict[str | None, HttpApiSpec],
    resources: dict[str, Any],
    resolver: Resolver,
    functions_root: Path,
    region: str,
) -> Wiring:
    wiring = Wiring()
    used_apis: list[str | None] = []
    for spec in specs:
        function = _local_function(spec, resources, resolver, functions_root, region)
        if function is None:
            continue
        wiring.functions[spec.logical_id] = function
        wiring.environments[spec.logical_id] = _environment(spec, resolver)
        for route in spec.routes:
            target = _route_target(function, route.authorizer, route.scopes, apis.get(route.api), resolver)
            if target is not None:
                wiring.routes.append(Route(route.method, route.path, target))
                used_apis.append(route.api)
        wiring.queue_sources.extend(_queue_sources(spec, function, resolver))
        wiring.schedules.extend(_schedules(spec, function, resolver, region))
    wiring.cors = _cors(apis, used_apis, resolver)
    return wiring


def _local_function(
    spec: FunctionSpec, resources: dict[str, Any], resolver: Resolver, functions_root: Path, region: str
) -> LocalFunction | None:
    """The function as this process runs it; None when its condition is false or its runtime is not Python."""
    condition = resources.get(spec.logical_id, {}).get("Condition")
    if condition and not resolver.condition(condition):
        log.info("%s: its condition %s is false; not run locally", spec.logical_id, condition)
        return None
    if not spec.runtime.startswith("python"):
        log.warning("%s: runtime %r cannot run in this Python process; skipped", spec.logical_id, spec.runtime)
        return None
    return LocalFunction.from_handler_setting(
        spec.logical_id,
        _function_name(spec, resources, resolver),
        functions_root / spec.code_uri,
        spec.handler,
        spec.memory_mb,
        spec.timeout_s,
        region,
    )


def _queue_sources(
    spec: FunctionSpec, function: LocalFunction, resolver: Resolver
) -> list[tuple[LocalFunction, SqsSource, str]]:
    sources: list[tuple[LocalFunction, SqsSource, str]] = []
    for source in spec.queues:
        if not _enabled(resolver, source.enabled):
            continue
        try:
            sources.append((function, source, str(resolver.resolve(source.queue))))
        except UnresolvedError as error:
            log.warning("%s: SQS event %s has no local queue (%s); not polled", spec.logical_id, source.event, error)
    return sources


def _schedules(spec: FunctionSpec, function: LocalFunction, resolver: Resolver, region: str) -> list[ScheduledTarget]:
    targets: list[ScheduledTarget] = []
    for schedule in spec.schedules:
        if not _enabled(resolver, schedule.enabled):
            continue
        try:
            expression = parse(str(resolver.resolve(schedule.expression)))
        except (ScheduleExpressionError, UnresolvedError) as error:
            log.warning("%s: schedule %s not run locally: %s", spec.logical_id, schedule.event, error)
            continue
        rule = resolver.resolve(schedule.name) if schedule.name else f"{STACK_NAME}-{spec.logical_id}{schedule.event}"
        targets.append(
            ScheduledTarget(
                function=function,
                event_name=schedule.event,
                expression=expression,
                rule_arn=f"arn:aws:events:{region}:{LOCAL_ACCOUNT_ID}:rule/{rule}",
                input=resolver.resolve(schedule.input),
            )
        )
    return targets


def _enabled(resolver: Resolver, value: Any) -> bool:
    return str(resolver.resolve(value)).lower() not in ("false", "disabled")


def _function_name(spec: FunctionSpec, resources: dict[str, Any], resolver: Resolver) -> str:
    name = resources.get(spec.logical_id, {}).get("Properties", {}).get("FunctionName")
    try:
        return str(resolver.resolve(name)) if name else f"{STACK_NAME}-{spec.logical_id}"
    except UnresolvedError:
        return f"{STACK_NAME}-{spec.logical_id}"


def _environment(spec: FunctionSpec, resolver: Resolver) -> dict[str, str]:
    env: dict[str, str] = {}
    for name, value in spec.environment.items():
        try:
            resolved = resolver.resolve(value)
        except UnresolvedError as error:
            log.warning("%s: %s has no local value (%s); left unset", spec.logical_id, name, error)
            continue
        if isinstance(resolved, list):
            resolved = ",".join(str(v) for v in resolved)
        env[name] = "" if resolved is None else str(resolved)
    return env


def _route_target(
    function: LocalFunction,
    authorizer: str | None,
    scopes: tuple[str, ...],
    api: HttpApiSpec | None,
    resolver: Resolver,
) -> RouteTarget | None:
    name = authorizer if authorizer is not None else (api.default_authorizer if api else None)
    if name is None or name == "NONE":
        return RouteTarget(function, "NONE")
    if name == "AWS_IAM":
        return RouteTarget(function, "AWS_IAM")
    config = (api.jwt_authorizers if api else {}).get(name)
    if config is None:
        log.warning(
            "%s: authorizer %s is not a JWT authorizer; its routes are not served locally", function.logical_id, name
        )
        return None
    audiences = resolver.resolve(config.get("audience") or [])
    identity = str(config.get("IdentitySource") or "$request.header.Authorization")
    jwt = JwtAuthorizerConfig(
        issuer=str(resolver.resolve(config.get("issuer"))),
        audiences=tuple(str(a) for a in (audiences if isinstance(audiences, list) else [audiences])),
        identity_header=identity.rsplit(".", 1)[-1].lower(),
    )
    return RouteTarget(function, "JWT", jwt, tuple(resolver.resolve(list(scopes))))


def _cors(apis: dict[str | None, HttpApiSpec], used: list[str | None], resolver: Resolver) -> Cors | None:
    configs = {api: apis[api].cors for api in dict.fromkeys(used) if api in apis and apis[api].cors}
    if not configs:
        return None
    if len(configs) > 1:
        log.warning("several HttpApis with CORS; the local front door applies %s's to all", next(iter(configs)))
    return Cors.from_config(resolver.resolve(next(iter(configs.values()))))
