"""Local AWS: a moto server in this process, the template's plain resources deployed into its CloudFormation.

The service reaches it only through boto3 with AWS_ENDPOINT_URL, exactly as it reaches AWS; nothing is patched.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from local_stack.intrinsics import Resolver
from local_stack.options import LOCAL_ACCOUNT_ID
from local_stack.template import Skipped

log = logging.getLogger("local_stack.aws")


class MotoServer:
    """moto's threaded server bound to loopback (its default is 0.0.0.0, which this stack never wants)."""

    def __init__(self, host: str, port: int) -> None:
        from moto.server import ThreadedMotoServer

        from local_stack import moto_speedups

        moto_speedups.apply()
        # moto warns for each type its CloudFormation skips; the stack logs its own, clearer line instead.
        logging.getLogger("moto").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", module=r"moto\..*")
        if port:
            _check_free(host, port)  # moto binds in its thread and would wait forever for a port it cannot take
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self._server.start()
        bound_host, bound_port = self._server.get_host_and_port()
        self.url = f"http://{bound_host}:{bound_port}"

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")  # noqa: S310 - our loopback server
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass


def _check_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug binds
        probe.bind((host, port))


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    region: str


class Aws:
    """boto3 pointed at moto; one session shared by the stack's own threads (clients are thread-safe)."""

    def __init__(self, endpoint: str, credentials: Credentials) -> None:
        self.endpoint = endpoint
        self.credentials = credentials
        self._session = boto3.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        self._config = Config(retries={"max_attempts": 2, "mode": "standard"}, read_timeout=30)
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service,  # type: ignore[call-overload]  # the stubs list services as literals
                endpoint_url=self.endpoint,
                config=self._config,
            )
        return self._clients[service]


def moto_can_create(resource_type: str) -> bool:
    """Whether moto's CloudFormation has a model for the type (it silently skips the others)."""
    from moto.cloudformation.parsing import NULL_MODELS, get_model_map

    return resource_type in get_model_map() and resource_type not in NULL_MODELS


@dataclass(frozen=True)
class StackResource:
    logical_id: str
    type: str
    physical_id: str


def deploy(
    aws: Aws,
    moto: MotoServer,
    stack_name: str,
    body: dict[str, Any],
    prepare: Callable[[], dict[str, str]],
) -> tuple[dict[str, StackResource], list[Skipped]]:
    """Creates the stack; if moto fails on it, finds the resources it fails on and deploys the rest.

    ``prepare`` makes what the parameters point at (the client secret) and returns the parameters; it runs again
    after each moto reset, since a reset wipes everything.
    """
    try:
        return _create(aws, stack_name, body, prepare()), []
    except _DeployError as error:
        log.warning("moto could not create the whole stack (%s); isolating the failing resources", error)
    accepted: dict[str, Any] = {}
    skipped: list[Skipped] = []
    for logical_id, resource in _dependency_order(body["Resources"]):
        trial = {**body, "Resources": {**accepted, logical_id: resource}}
        moto.reset()
        try:
            _create(aws, stack_name, trial, prepare())
            accepted[logical_id] = resource
        except _DeployError as error:
            skipped.append(Skipped(logical_id, resource["Type"], f"moto fails on it: {error}"))
    moto.reset()
    final = {**body, "Resources": accepted}
    return _create(aws, stack_name, final, prepare()), skipped


class _DeployError(RuntimeError):
    pass


def _create(aws: Aws, stack_name: str, body: dict[str, Any], parameters: dict[str, str]) -> dict[str, StackResource]:
    cfn = aws.client("cloudformation")
    declared = set(body.get("Parameters", {}))
    try:
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(body),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items() if k in declared],
        )
        deadline = time.monotonic() + 30
        while (status := cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]) != "CREATE_COMPLETE":
            if not status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
                raise _DeployError(f"stack status {status}")
            time.sleep(0.1)
        summaries = cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    except (ClientError, BotoCoreError) as error:
        raise _DeployError(str(error)) from error
    return {
        s["LogicalResourceId"]: StackResource(
            s["LogicalResourceId"], s["ResourceType"], s.get("PhysicalResourceId", "")
        )
        for s in summaries
        if s.get("LogicalResourceId")
    }


def _dependency_order(resources: dict[str, Any]) -> list[tuple[str, Any]]:
    from local_stack.template import references

    ordered: list[tuple[str, Any]] = []
    placed: set[str] = set()
    pending = dict(resources)
    while pending:
        ready = [
            name
            for name, resource in pending.items()
            if all(ref in placed or ref not in resources for ref in [*references(resource), *_depends_on(resource)])
        ]
        if not ready:  # a cycle: CloudFormation would refuse it too; keep the template's order
            ready = list(pending)
        for name in ready:
            ordered.append((name, pending.pop(name)))
            placed.add(name)
    return ordered


def _depends_on(resource: dict[str, Any]) -> list[str]:
    depends = resource.get("DependsOn", [])
    return [depends] if isinstance(depends, str) else list(depends)


def repair(aws: Aws, template_resources: dict[str, Any], deployed: dict[str, StackResource], r: Resolver) -> None:
    """Puts back what moto's CloudFormation drops, from the template, so local behaviour matches the deployed one."""
    for logical_id, resource in deployed.items():
        props = template_resources.get(logical_id, {}).get("Properties", {})
        if resource.type == "AWS::KMS::Key":
            # moto keeps a CloudFormation key policy as a dict, and DescribeKey then fails with HTTP 500.
            kms = aws.client("kms")
            policy = r.resolve(props.get("KeyPolicy")) or kms.get_key_policy(KeyId=resource.physical_id)["Policy"]
            kms.put_key_policy(
                KeyId=resource.physical_id,
                PolicyName="default",
                Policy=policy if isinstance(policy, str) else json.dumps(policy),
            )
        elif resource.type == "AWS::DynamoDB::Table":
            dynamodb = aws.client("dynamodb")
            ttl = r.resolve(props.get("TimeToLiveSpecification")) or {}
            if str(ttl.get("Enabled")).lower() == "true":
                dynamodb.update_time_to_live(
                    TableName=resource.physical_id,
                    TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
                )
            pitr = r.resolve(props.get("PointInTimeRecoverySpecification")) or {}
            if str(pitr.get("PointInTimeRecoveryEnabled")).lower() == "true":
                dynamodb.update_continuous_backups(
                    TableName=resource.physical_id,
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                )


def create_secret(aws: Aws, name: str, value: str) -> str:
    """Stores the OAuth client secret where the deployed stack keeps it; its ARN becomes the template parameter."""
    arn: str = aws.client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"]
    return arn


class Catalog:
    """Ref and GetAtt of the deployed resources, as CloudFormation answers them, asked of moto through boto3."""

    def __init__(
        self, aws: Aws, deployed: dict[str, StackResource], template_resources: dict[str, Any], region: str
    ) -> None:
        self._aws = aws
        self.deployed = deployed
        self._template_resources = template_resources
        self._region = region
        self._cache: dict[tuple[str, str], Any] = {}
        self.resolver: Resolver | None = None  # set by the stack: names in properties (an EventBus's) need it

    def by_type(self, resource_type: str) -> list[StackResource]:
        return [r for r in self.deployed.values() if r.type == resource_type]

    def ref(self, logical_id: str) -> Any:
        return self._attribute(logical_id, "Ref")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        return self._attribute(logical_id, attribute)

    def _attribute(self, logical_id: str, attribute: str) -> Any:
        from local_stack.intrinsics import UnresolvedError

        if logical_id not in self.deployed:
            raise UnresolvedError(f"{logical_id} is not a resource of the local stack")
        key = (logical_id, attribute)
        if key not in self._cache:
            resource = self.deployed[logical_id]
            describe = _DESCRIBERS.get(resource.type, _generic)
            value = describe(self, resource, attribute)
            if value is None:
                raise UnresolvedError(f"{logical_id} ({resource.type}) has no attribute {attribute} locally")
            self._cache[key] = value
        return self._cache[key]

    def _properties(self, logical_id: str) -> dict[str, Any]:
        props: dict[str, Any] = self._template_resources.get(logical_id, {}).get("Properties", {})
        if self.resolver is None:
            return props
        resolved: dict[str, Any] = self.resolver.resolve(props)
        return resolved

    # ---------- per type ----------

    def _queue(self, resource: StackResource, attribute: str) -> Any:
        name = resource.physical_id.rstrip("/").rsplit("/", 1)[-1]
        sqs = self._aws.client("sqs")
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]  # moto's own URL form, usable over plain HTTP too
        if attribute in ("Ref", "QueueUrl"):
            return url
        if attribute == "QueueName":
            return name
        if attribute == "Arn":
            return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return None

    def _event_bus(self, resource: StackResource, attribute: str) -> Any:
        # moto leaves the bus's physical id empty (its Ref is a Python object); the template names the bus.
        name = resource.physical_id or self._properties(resource.logical_id).get("Name")
        if not name:
            return None
        if attribute in ("Ref", "Name"):
            return name
        if attribute == "Arn":
            return self._aws.client("events").describe_event_bus(Name=name)["Arn"]
        return None

    def _key(self, resource: StackResource, attribute: str) -> Any:
        if attribute in ("Ref", "KeyId"):
            return resource.physical_id
        if attribute == "Arn":
            return f"arn:aws:kms:{self._region}:{LOCAL_ACCOUNT_ID}:key/{resource.physical_id}"
        return None

    def _table(self, resource: StackResource, attribute: str) -> Any:
        if attribute == "Ref":
            return resource.physical_id
        table = self._aws.client("dynamodb").describe_table(TableName=resource.physical_id)["Table"]
        return {"Arn": table.get("TableArn"), "StreamArn": table.get("LatestStreamArn")}.get(attribute)

    def _log_group(self, resource: StackResource, attribute: str) -> Any:
        if attribute == "Ref":
            return resource.physical_id
        if attribute == "Arn":
            return f"arn:aws:logs:{self._region}:{LOCAL_ACCOUNT_ID}:log-group:{resource.physical_id}:*"
        return None

    def _topic(self, resource: StackResource, attribute: str) -> Any:
        arn = resource.physical_id
        return {"Ref": arn, "TopicArn": arn, "TopicName": arn.rsplit(":", 1)[-1]}.get(attribute)


def _generic(_catalog: Catalog, resource: StackResource, attribute: str) -> Any:
    if attribute == "Ref":
        return resource.physical_id
    if attribute == "Arn" and resource.physical_id.startswith("arn:"):
        return resource.physical_id
    return None


_DESCRIBERS: dict[str, Callable[[Catalog, StackResource, str], Any]] = {
    "AWS::SQS::Queue": Catalog._queue,
    "AWS::Events::EventBus": Catalog._event_bus,
    "AWS::KMS::Key": Catalog._key,
    "AWS::DynamoDB::Table": Catalog._table,
    "AWS::Logs::LogGroup": Catalog._log_group,
    "AWS::SNS::Topic": Catalog._topic,
}
