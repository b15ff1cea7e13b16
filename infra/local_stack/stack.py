"""Starts the parts in dependency order, writes stack.json once all of them answer, and stops them in reverse.

Ports are bound first, so every URL is known before the template is deployed: the parameters (issuer, redirect URI,
Google's endpoints, the front-end origin) name them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any, TextIO, TypeVar

from local_stack import aws as aws_mod
from local_stack import function_logs, parameters, template
from local_stack.demo import DemoSite
from local_stack.events_log import EventsLog
from local_stack.front_door import FrontDoor, IamKey
from local_stack.intrinsics import Resolver
from local_stack.jwt_authority import JwtAuthority
from local_stack.openapi import OpenApiDocument
from local_stack.options import LOCAL_ACCOUNT_ID, STACK_NAME, StackOptions
from local_stack.pollers import SqsPoller
from local_stack.schedule import Scheduler
from local_stack.servers import BackgroundServer
from local_stack.wiring import Wiring, wire

log = logging.getLogger("local_stack")
T = TypeVar("T")

ACCESS_KEY_ID = "AKIAOUTSALESLOCAL001"
CLIENT_SECRET_NAME = "outsales-gmail-local/google-client-secret"  # noqa: S105 - a name, not a secret


class StartupError(RuntimeError):
    pass


@dataclass(frozen=True)
class _Servers:
    """What is bound before the template is deployed; the URLs become the template's parameters."""

    moto: aws_mod.MotoServer
    credentials: aws_mod.Credentials
    aws: aws_mod.Aws
    api: BackgroundServer
    demo: BackgroundServer
    urls: parameters.Urls
    client_secret: str


def _jwt_authority(raw: dict[str, str], typed: dict[str, Any], urls: parameters.Urls) -> JwtAuthority:
    audience = typed.get("JwtAudience", [parameters.JWT_AUDIENCE])
    return JwtAuthority(
        str(raw.get("JwtIssuer", urls.jwt_issuer)),
        audience[0] if isinstance(audience, list) else str(audience),
        str(raw.get("WorkspaceClaim", "workspace_id")),
    )


class LocalStack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.config: dict[str, Any] = {}
        self._exit = contextlib.ExitStack()
        self._banner_out: TextIO | None = None
        self._wrote_stack_json = False
        self._functions_env: dict[str, str] = {}
        self._stopped = False
        self._threads: list[Any] = []  # told to stop all at once, so their long polls end together

    # ---------- lifecycle ----------

    def start(self) -> dict[str, Any]:
        started = time.monotonic()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self._write_stack_json()
        self._print_banner(time.monotonic() - started)
        return self.config

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        started = time.monotonic()
        if self._wrote_stack_json:  # never another running stack's file
            with contextlib.suppress(FileNotFoundError):
                self.options.stack_json.unlink()
        for part in self._threads:
            part.stop()
        self._exit.close()
        log.info("stopped in %.1f s", time.monotonic() - started)

    # ---------- the parts ----------

    def _start(self) -> None:
        o = self.options
        self._open_state_and_logs()
        tmpl = template.load(o.template)
        servers = self._bind_servers(_loopback(o.host))
        raw, typed, catalog, resolver = self._deploy(tmpl, servers)
        wiring = wire(
            template.functions(tmpl),
            template.http_apis(tmpl),
            tmpl.get("Resources", {}),
            resolver,
            o.functions_root,
            o.region,
        )
        env = parameters.process_environment(wiring.environments, servers.moto.url, servers.credentials, STACK_NAME)
        parameters.apply_environment(env)
        self._functions_env = env
        _post_json(
            f"{servers.urls.google}/_emulator/clients",
            {
                "client_id": raw.get("GoogleClientId", parameters.GOOGLE_CLIENT_ID),
                "client_secret": servers.client_secret,
                "redirect_uris": [servers.urls.oauth_redirect_uri],
            },
        )
        push = self._push_subscription(raw, wiring, servers.urls)
        buses = [catalog.ref(r.logical_id) for r in catalog.by_type("AWS::Events::EventBus")]
        self._run(EventsLog(servers.aws.client("sqs"), servers.aws.client("events"), buses, o.events_log))
        authority = _jwt_authority(raw, typed, servers.urls)
        scheduler = self._serve_front_door(servers, wiring, authority)
        self._start_pollers(servers.aws, catalog, wiring)
        self._run(scheduler)

        self.config = self._describe(
            servers.urls, servers.credentials, catalog, tmpl, raw, authority.workspace_claim, authority, wiring
        )
        self.config["push_enabled"] = push is not None
        if push is not None:
            self.config["push"] = push
        site = {k: self.config[k] for k in ("api_url", "demo_url", "google_url", "frontend_origin")}
        servers.demo.serve(DemoSite(site))
        self._wait_until_answering(servers.aws)

    def _push_subscription(self, raw: dict[str, str], wiring: Wiring, urls: parameters.Urls) -> dict[str, str] | None:
        """The push subscription Google Cloud would hold: the topic Gmail publishes to, pushing to the front door with
        an OIDC token for the stack's audience and service account. None when push is off."""
        if not raw.get("GmailPushTopic") or not any(r.path == "/gmail/push" for r in wiring.routes):
            return None
        subscription = {
            "topic": raw["GmailPushTopic"],
            "endpoint": urls.push_endpoint,
            "audience": raw.get("PushAudience") or urls.push_endpoint,
            "service_account": raw.get("PushServiceAccountEmail") or parameters.PUSH_SERVICE_ACCOUNT,
        }
        _post_json(f"{urls.google}/_emulator/push/subscriptions", subscription)
        return subscription

    def _open_state_and_logs(self) -> None:
        o = self.options
        o.state_dir.mkdir(parents=True, exist_ok=True)
        self._refuse_second_instance()
        original, tee = function_logs.install(o.functions_log)
        self._banner_out = original
        self._exit.callback(function_logs.uninstall, original, tee)
        o.events_log.unlink(missing_ok=True)

    def _bind_servers(self, host: str) -> _Servers:
        """Every port first, so that every URL is known before the template's parameters are resolved."""
        o = self.options
        moto = _bind("aws", o.ports["aws"], lambda: aws_mod.MotoServer(host, o.ports["aws"]))
        self._exit.callback(moto.stop)
        credentials = aws_mod.Credentials(ACCESS_KEY_ID, secrets.token_urlsafe(30), o.region)
        api = _bind("api", o.ports["api"], lambda: BackgroundServer("front-door", host, o.ports["api"]))
        self._exit.callback(api.stop)
        demo = _bind("demo", o.ports["demo"], lambda: BackgroundServer("demo", host, o.ports["demo"]))
        self._exit.callback(demo.stop)
        google = _bind("google", o.ports["google"], lambda: _start_google(host, o.ports["google"]))
        self._exit.callback(google.stop)
        urls = parameters.Urls(api=api.url, demo_origin=demo.url, google=google.url.rstrip("/"), aws=moto.url)
        aws = aws_mod.Aws(moto.url, credentials)
        client_secret = os.environ.get("OUTSALES_SECRET_MARK", "") + secrets.token_urlsafe(24)
        return _Servers(moto, credentials, aws, api, demo, urls, client_secret)

    def _deploy(
        self, tmpl: dict[str, Any], servers: _Servers
    ) -> tuple[dict[str, str], dict[str, Any], aws_mod.Catalog, Resolver]:
        """Creates what moto can create, then resolves the template against what was created."""
        o, aws = self.options, servers.aws
        secret_arns: list[str] = []

        def prepare() -> dict[str, str]:
            secret_arns.append(aws_mod.create_secret(aws, CLIENT_SECRET_NAME, servers.client_secret))
            raw, _ = parameters.resolve_parameters(
                tmpl.get("Parameters", {}),
                parameters.local_values(servers.urls, secret_arns[-1]),
                o.parameter_overrides,
            )
            return raw

        body, skipped = template.plain_cloudformation(tmpl, aws_mod.moto_can_create)
        deployed, failed = aws_mod.deploy(aws, servers.moto, STACK_NAME, body, prepare)
        for item in [*skipped, *failed]:
            log.info("not created locally: %s (%s): %s", item.logical_id, item.type, item.reason)
        local = parameters.local_values(servers.urls, secret_arns[-1])
        parameters.report_unset(tmpl.get("Parameters", {}), local, o.parameter_overrides)
        raw, typed = parameters.resolve_parameters(tmpl.get("Parameters", {}), local, o.parameter_overrides)
        catalog = aws_mod.Catalog(aws, deployed, tmpl.get("Resources", {}), o.region)
        resolver = self._resolver(tmpl, typed, catalog, aws)
        catalog.resolver = resolver
        aws_mod.repair(aws, tmpl.get("Resources", {}), deployed, resolver)
        return raw, typed, catalog, resolver

    def _resolver(
        self, tmpl: dict[str, Any], typed: dict[str, Any], catalog: aws_mod.Catalog, aws: aws_mod.Aws
    ) -> Resolver:
        stack_id = aws.client("cloudformation").describe_stacks(StackName=STACK_NAME)["Stacks"][0]["StackId"]
        return Resolver(
            parameters=typed,
            pseudo={
                "AWS::Region": self.options.region,
                "AWS::AccountId": LOCAL_ACCOUNT_ID,
                "AWS::Partition": "aws",
                "AWS::StackName": STACK_NAME,
                "AWS::StackId": stack_id,
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::NotificationARNs": [],
            },
            conditions=tmpl.get("Conditions", {}),
            mappings=tmpl.get("Mappings", {}),
            ref=catalog.ref,
            get_att=catalog.get_att,
        )

    def _serve_front_door(self, servers: _Servers, wiring: Wiring, authority: JwtAuthority) -> Scheduler:
        """The API routes behind the JWT and IAM authorizers; returns the schedule, which the front door can fire."""
        o = self.options
        scheduler = Scheduler(wiring.schedules if o.schedule_enabled else [], o.region)
        on_demand = scheduler if o.schedule_enabled else Scheduler(wiring.schedules, o.region)
        credentials = servers.credentials
        iam = IamKey(credentials.access_key_id, credentials.secret_access_key, o.region, LOCAL_ACCOUNT_ID)
        openapi = OpenApiDocument(o.functions_root, servers.urls.api)
        servers.api.serve(FrontDoor(wiring.routes, wiring.cors, authority, iam, on_demand, openapi))
        return scheduler

    def _start_pollers(self, aws: aws_mod.Aws, catalog: aws_mod.Catalog, wiring: Wiring) -> None:
        """One poller per SQS event source, as Lambda's event source mappings would."""
        o = self.options
        queue_urls = {
            catalog.get_att(r.logical_id, "Arn"): catalog.ref(r.logical_id) for r in catalog.by_type("AWS::SQS::Queue")
        }
        for function, source, queue_arn in wiring.queue_sources:
            if function.logical_id in o.external_workers:
                log.info("%s: %s is left to a worker outside the stack", function.logical_id, queue_arn)
                continue
            if queue_arn not in queue_urls:
                log.warning("%s: %s is not a queue of the local stack; not polled", function.logical_id, queue_arn)
                continue
            poller = SqsPoller(
                aws.client("sqs"),
                function,
                queue_urls[queue_arn],
                queue_arn,
                o.region,
                source.batch_size,
                source.batching_window_s,
                source.report_item_failures,
            )
            self._run(poller)

    def _run(self, part: Any) -> None:
        part.start()
        self._threads.append(part)
        self._exit.callback(_stop_thread, part)

    def _describe(
        self,
        urls: parameters.Urls,
        credentials: aws_mod.Credentials,
        catalog: aws_mod.Catalog,
        tmpl: dict[str, Any],
        raw: dict[str, str],
        workspace_claim: str,
        authority: JwtAuthority,
        wiring: Wiring,
    ) -> dict[str, Any]:
        o = self.options
        queues = {r.logical_id: catalog.ref(r.logical_id) for r in catalog.by_type("AWS::SQS::Queue")}
        send, send_dlq = _queue_pair(tmpl, queues, "send")
        poll, poll_dlq = _queue_pair(tmpl, queues, "poll")
        tables = [catalog.ref(r.logical_id) for r in catalog.by_type("AWS::DynamoDB::Table")]
        buses = [catalog.ref(r.logical_id) for r in catalog.by_type("AWS::Events::EventBus")]
        aliases = [catalog.ref(r.logical_id) for r in catalog.by_type("AWS::KMS::Alias")]
        return {
            "api_url": urls.api,
            "demo_url": f"{urls.demo_origin}/",
            "frontend_origin": urls.demo_origin,
            "google_url": urls.google,
            "aws_endpoint": urls.aws,
            "aws_region": credentials.region,
            "aws_access_key_id": credentials.access_key_id,
            "aws_secret_access_key": credentials.secret_access_key,
            "send_queue_url": send,
            "send_dlq_url": send_dlq,
            "poll_queue_url": poll,
            "poll_dlq_url": poll_dlq,
            "table_name": tables[0] if tables else None,
            "event_bus_name": buses[0] if buses else None,
            "events_log": str(o.events_log),
            # beyond the contract: what tests and people also need
            "functions_log": str(o.functions_log),
            "functions_env": str(o.functions_env),
            "jwt_issuer": authority.issuer,
            "jwt_audience": authority.audience,
            "workspace_claim": workspace_claim,
            "jwks_url": f"{urls.api}/_local/jwks.json",
            "google_client_id": raw.get("GoogleClientId", parameters.GOOGLE_CLIENT_ID),
            "google_client_secret_arn": raw.get("GoogleClientSecretArn"),
            "oauth_redirect_uri": urls.oauth_redirect_uri,
            "kms_key_alias": aliases[0] if aliases else None,
            "account_id": LOCAL_ACCOUNT_ID,
            "stack_name": STACK_NAME,
            "queues": queues,
            "functions": {name: f.function_name for name, f in wiring.functions.items()},
            "template": str(o.template),
            "state_dir": str(o.state_dir),
            "pid": os.getpid(),
            "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def _wait_until_answering(self, aws: aws_mod.Aws) -> None:
        c = self.config
        aws.client("sqs").list_queues()  # moto
        checks = {
            "front door": f"{c['api_url']}/_local/jwks.json",
            "demo page": c["demo_url"],
            "Google emulator": f"{c['google_url']}/_emulator/calls",
        }
        for name, url in checks.items():
            deadline = time.monotonic() + 10
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback URLs we bound
                        if response.status < 500:
                            break
                except urllib.error.HTTPError as error:
                    if error.code < 500:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise StartupError(f"the {name} does not answer at {url}")
                time.sleep(0.05)

    def _refuse_second_instance(self) -> None:
        path = self.options.stack_json
        if not path.exists():
            return
        with contextlib.suppress(ValueError, OSError):
            pid = int(json.loads(path.read_text()).get("pid", 0))
            if pid and pid != os.getpid() and _alive(pid):
                raise StartupError(f"a local stack (pid {pid}) already runs with {path}; stop it first")
        path.unlink(missing_ok=True)  # left by a stack that was killed

    def _write_functions_env(self) -> None:
        # What a handler sees here (resources, endpoints, moto's fake key pair), for workers run outside the stack.
        path = self.options.functions_env
        path.write_text(json.dumps(self._functions_env, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        path.chmod(0o600)

    def _write_stack_json(self) -> None:
        self._write_functions_env()
        path = self.options.stack_json
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self.config, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, path)
        self._wrote_stack_json = True

    def _print_banner(self, seconds: float) -> None:
        c = self.config
        lines = [
            f"OutSales Gmail local stack is up ({seconds:.1f} s)",
            f"  API (front door)  {c['api_url']}   (OpenAPI: {c['api_url']}/openapi.json)",
            f"  demo page         {c['demo_url']}",
            f"  Google emulator   {c['google_url']}",
            f"  AWS (moto)        {c['aws_endpoint']}  region {c['aws_region']}",
            f"  stack.json        {self.options.stack_json}",
            f"  events log        {c['events_log']}",
            f"  functions log     {c['functions_log']}",
            "Mint a JWT for a workspace:",
            f'  curl -s -X POST {c["api_url"]}/_local/jwt -d \'{{"workspace_id": "ws_1", "user_id": "u1"}}\'',
            "Ctrl-C stops everything.",
        ]
        out = self._banner_out
        if out is not None:
            out.write("\n".join(lines) + "\n")
            out.flush()


def _loopback(host: str) -> str:
    if host != "localhost" and not ip_address(host).is_loopback:
        raise StartupError(f"--host {host}: the local stack listens on loopback only")
    return host


def _bind(part: str, port: int, start: Callable[[], T]) -> T:
    try:
        return start()
    except (OSError, SystemExit) as error:  # werkzeug exits on a taken port, after printing why
        raise StartupError(
            f"cannot listen on port {port} for the {part} part; another local stack may be running: "
            f"stop it, or choose with --{part}-port PORT or --ports auto"
        ) from error


def _start_google(host: str, port: int) -> Any:
    try:
        from google_emulator import Emulator
    except ImportError as error:
        raise StartupError(f"the Google emulator package is missing: {error}") from error
    return Emulator.start(host=host, port=port)


def _post_json(url: str, payload: dict[str, Any]) -> Any:
    request = urllib.request.Request(  # noqa: S310 - loopback URL we started
        url, data=json.dumps(payload).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback URL we started
        return json.loads(response.read() or b"null")


def _queue_pair(tmpl: dict[str, Any], queues: dict[str, str], word: str) -> tuple[str | None, str | None]:
    """The queue whose logical id names `word` and has a redrive policy, and its dead-letter queue."""
    resources = tmpl.get("Resources", {})
    for logical_id in queues:
        props = resources.get(logical_id, {}).get("Properties", {})
        redrive = props.get("RedrivePolicy") or {}
        if word in logical_id.lower() and redrive:
            target = redrive.get("deadLetterTargetArn")
            dlq = target["Fn::GetAtt"][0] if isinstance(target, dict) and "Fn::GetAtt" in target else None
            return queues[logical_id], queues.get(dlq) if dlq else None
    return None, None


def _stop_thread(part: Any) -> None:
    part.stop()
    part.join(5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
