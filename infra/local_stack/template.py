"""template.yaml as the local stack needs it: the plain CloudFormation part for moto, and the SAM functions' events.

Reading both halves from the one template is what keeps the local stack from drifting from the deployed one: a
queue, route or schedule added to the template appears locally without a second list to keep in step.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("local_stack.template")

SERVERLESS_PREFIX = "AWS::Serverless::"
PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def load(path: Path) -> dict[str, Any]:
    """Parses with cfn-lint's decoder: it knows the short-form tags (!Ref, !GetAtt, !Sub...) that plain YAML refuses."""
    from cfnlint.decode import decode_str  # imported here: it costs about a second

    template, matches = decode_str(path.read_text(encoding="utf-8"))
    if template is None:
        raise ValueError(f"{path} does not parse: " + "; ".join(str(m) for m in matches))
    # cfn-lint's nodes subclass dict/str/list; plain JSON types are what boto3 and the resolver expect.
    plain: dict[str, Any] = json.loads(json.dumps(template))
    return plain


def references(value: Any) -> Iterator[str]:
    """The logical ids and parameter names that an intrinsic expression refers to (Ref, GetAtt, Sub)."""
    if isinstance(value, list):
        for item in value:
            yield from references(item)
        return
    if not isinstance(value, dict):
        return
    if len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" and isinstance(arg, str):
            yield arg
            return
        if key == "Fn::GetAtt":
            target = arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0]
            if isinstance(target, str):
                yield target
            return
        if key == "Fn::Sub":
            text, names = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})
            for variable in _SUB_VARIABLE.findall(text if isinstance(text, str) else ""):
                name = variable.split(".", 1)[0]
                if name not in names:
                    yield name
            yield from references(names)
            return
        if key == "Fn::If" and isinstance(arg, list):
            yield from references(arg[1:])  # arg[0] names a condition, not a resource
            return
    for item in value.values():
        yield from references(item)


@dataclass(frozen=True)
class Skipped:
    logical_id: str
    type: str
    reason: str


def plain_cloudformation(
    template: dict[str, Any], can_create: Callable[[str], bool]
) -> tuple[dict[str, Any], list[Skipped]]:
    """The template without its SAM half, and without what moto cannot create, ready for create_stack.

    A resource that refers to a dropped one (a SAM function's generated role, an alarm...) is dropped too, with its
    reason; DependsOn lists only lose the dropped names, as a dependency on something absent orders nothing.
    """
    resources: dict[str, Any] = template.get("Resources", {})
    skipped: list[Skipped] = []
    kept: dict[str, Any] = {}
    for logical_id, resource in resources.items():
        kind = str(resource.get("Type", ""))
        if kind.startswith(SERVERLESS_PREFIX):
            continue
        if not can_create(kind):
            skipped.append(Skipped(logical_id, kind, "moto's CloudFormation cannot create this type"))
            continue
        kept[logical_id] = json.loads(json.dumps(resource))
    known = set(template.get("Parameters", {})) | PSEUDO_PARAMETERS
    changed = True
    while changed:
        changed = False
        for logical_id, resource in list(kept.items()):
            content = {k: v for k, v in resource.items() if k != "DependsOn"}
            missing = sorted({name for name in references(content) if name not in kept and name not in known})
            if missing:
                del kept[logical_id]
                skipped.append(Skipped(logical_id, resource["Type"], f"refers to {', '.join(missing)}, not local"))
                changed = True
    for resource in kept.values():
        depends = resource.get("DependsOn")
        if depends is not None:
            names = [depends] if isinstance(depends, str) else list(depends)
            names = [n for n in names if n in kept]
            if names:
                resource["DependsOn"] = names
            else:
                del resource["DependsOn"]
    body: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": kept}
    for section in ("Parameters", "Conditions", "Mappings"):
        if template.get(section):
            body[section] = template[section]
    return body, skipped


# ---------- the SAM half ----------


@dataclass(frozen=True)
class HttpRoute:
    function: str
    event: str
    method: str  # upper case, or "ANY"
    path: str
    api: str | None  # logical id of the AWS::Serverless::HttpApi, None for SAM's implicit API
    authorizer: str | None  # None = the API's default; "NONE", "AWS_IAM" or an authorizer's name
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SqsSource:
    function: str
    event: str
    queue: Any  # an intrinsic, usually {"Fn::GetAtt": [Queue, "Arn"]}
    batch_size: int
    batching_window_s: int
    report_item_failures: bool
    enabled: Any = True


@dataclass(frozen=True)
class ScheduleSource:
    function: str
    event: str
    expression: Any
    enabled: Any = True
    input: Any = None
    name: Any = None


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: str
    handler: str
    runtime: str
    memory_mb: int
    timeout_s: int
    environment: dict[str, Any]
    routes: list[HttpRoute] = field(default_factory=list)
    queues: list[SqsSource] = field(default_factory=list)
    schedules: list[ScheduleSource] = field(default_factory=list)


@dataclass(frozen=True)
class HttpApiSpec:
    logical_id: str | None
    default_authorizer: str | None
    jwt_authorizers: dict[str, dict[str, Any]]  # name -> JwtConfiguration (raw) + IdentitySource
    cors: Any  # CorsConfiguration (raw), None when the API has none


def _function_globals(template: dict[str, Any]) -> dict[str, Any]:
    return dict(template.get("Globals", {}).get("Function", {}))


def functions(template: dict[str, Any]) -> list[FunctionSpec]:
    """Every AWS::Serverless::Function with Globals.Function merged in as SAM merges it."""
    defaults = _function_globals(template)
    specs = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**defaults, **resource.get("Properties", {})}
        env = {
            **defaults.get("Environment", {}).get("Variables", {}),
            **resource.get("Properties", {}).get("Environment", {}).get("Variables", {}),
        }
        spec = FunctionSpec(
            logical_id=logical_id,
            code_uri=str(props.get("CodeUri", ".")),
            handler=str(props.get("Handler", "handler.lambda_handler")),
            runtime=str(props.get("Runtime", "")),
            memory_mb=_as_int(props.get("MemorySize"), 128),
            timeout_s=_as_int(props.get("Timeout"), 3),
            environment=env,
        )
        for name, event in (props.get("Events") or {}).items():
            _add_event(spec, name, event)
        specs.append(spec)
    return specs


def _as_int(value: Any, default: int) -> int:
    # An intrinsic here (say !If on the stage) is rare; the SAM default is a fair local stand-in.
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _add_event(spec: FunctionSpec, name: str, event: dict[str, Any]) -> None:
    kind, props = event.get("Type"), event.get("Properties", {}) or {}
    if kind == "HttpApi":
        auth = props.get("Auth") or {}
        api = props.get("ApiId")
        spec.routes.append(
            HttpRoute(
                function=spec.logical_id,
                event=name,
                method=str(props.get("Method", "ANY")).upper(),
                path=str(props.get("Path", "$default")),
                api=api["Ref"] if isinstance(api, dict) and "Ref" in api else None,
                authorizer=auth.get("Authorizer"),
                scopes=tuple(auth.get("AuthorizationScopes") or ()),
            )
        )
    elif kind == "SQS":
        spec.queues.append(
            SqsSource(
                function=spec.logical_id,
                event=name,
                queue=props.get("Queue"),
                batch_size=int(props.get("BatchSize", 10)),
                batching_window_s=int(props.get("MaximumBatchingWindowInSeconds", 0)),
                report_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                enabled=props.get("Enabled", True),
            )
        )
    elif kind in ("Schedule", "ScheduleV2"):
        spec.schedules.append(
            ScheduleSource(
                function=spec.logical_id,
                event=name,
                expression=props.get("Schedule") or props.get("ScheduleExpression"),
                enabled=props.get("Enabled", props.get("State", "ENABLED") != "DISABLED"),
                input=props.get("Input"),
                name=props.get("Name"),
            )
        )
    else:
        log.warning("%s: event %s of type %s is not run locally", spec.logical_id, name, kind)


def http_apis(template: dict[str, Any]) -> dict[str | None, HttpApiSpec]:
    """Each HttpApi's authorizers and CORS; the key None is SAM's implicit API, configured by Globals.HttpApi."""
    apis: dict[str | None, HttpApiSpec] = {}
    implicit = template.get("Globals", {}).get("HttpApi", {})
    candidates: list[tuple[str | None, dict[str, Any]]] = [(None, implicit)]
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::HttpApi":
            candidates.append((logical_id, {**implicit, **resource.get("Properties", {})}))
    for logical_id, props in candidates:
        auth = props.get("Auth") or {}
        jwt = {
            name: {**(cfg.get("JwtConfiguration") or {}), "IdentitySource": cfg.get("IdentitySource")}
            for name, cfg in (auth.get("Authorizers") or {}).items()
            if "JwtConfiguration" in cfg
        }
        apis[logical_id] = HttpApiSpec(
            logical_id=logical_id,
            default_authorizer=auth.get("DefaultAuthorizer"),
            jwt_authorizers=jwt,
            cors=props.get("CorsConfiguration"),
        )
    return apis
