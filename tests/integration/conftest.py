"""Integration fixtures: the local stack, started as an outside script starts it, and helpers to drive it.

`stack` (session) runs `python -m local_stack --ports auto --state-dir <tmp>` as a subprocess, waits for its
stack.json, and stops it with SIGTERM at the end, checking that no process is left behind. Tests talk to it only
through what the contract gives an outside script: stack.json, HTTP and boto3.

Set OUTSALES_STACK_JSON=/path/to/.local/stack.json to run the tests against a stack that is already up
(`make dev` in another terminal) instead of starting one.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 20

T = TypeVar("T")


@dataclass
class Response:
    """An HTTP answer, with the names `requests` uses (status_code, headers, content, text, json())."""

    status_code: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", " (set-cookie: see `cookies`)
    content: bytes
    cookies: list[str] = field(default_factory=list)  # every Set-Cookie value

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


def http(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 30
) -> Response:
    """One request with the standard library; any status comes back as a Response (never raised)."""
    request = urllib.request.Request(url, data=body, method=method.upper(), headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return _response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        return _response(error.code, error.headers, error.read())


def _response(status: int, raw_headers: Any, content: bytes) -> Response:
    headers: dict[str, str] = {}
    for name, value in raw_headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return Response(status, headers, content, list(raw_headers.get_all("Set-Cookie") or []))


class LocalStack:
    """A running local stack, as seen from outside: its stack.json plus helpers for HTTP, boto3 and the event log."""

    def __init__(self, config: dict[str, Any], state_dir: Path, process: subprocess.Popen[bytes] | None = None):
        self.config = config
        self.state_dir = state_dir
        self.process = process
        self.session = boto3.Session(
            aws_access_key_id=config["aws_access_key_id"],
            aws_secret_access_key=config["aws_secret_access_key"],
            region_name=config["aws_region"],
        )
        self._clients: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        return self.config[key]

    # ---------- AWS ----------

    def client(self, service: str) -> Any:
        """A boto3 client on the stack's moto endpoint (cached per service)."""
        if service not in self._clients:
            self._clients[service] = self.session.client(service, endpoint_url=self.config["aws_endpoint"])  # type: ignore[call-overload]
        return self._clients[service]

    def table(self) -> Any:
        """The service's DynamoDB table as a boto3 Table resource."""
        return self.session.resource("dynamodb", endpoint_url=self.config["aws_endpoint"]).Table(
            self.config["table_name"]
        )

    def send(self, message: Any, queue: str = "send_queue_url", **kwargs: Any) -> str:
        """Puts a message (a dict is sent as JSON) on a queue named by its stack.json key; returns its MessageId."""
        body = message if isinstance(message, str) else json.dumps(message)
        sent = self.client("sqs").send_message(QueueUrl=self.config[queue], MessageBody=body, **kwargs)
        return str(sent["MessageId"])

    def queue_messages(self, queue: str, *, wait_s: int = 0) -> list[dict[str, Any]]:
        """Receives (and leaves) up to 10 messages of a queue named by its stack.json key, to look at a DLQ."""
        answer = self.client("sqs").receive_message(
            QueueUrl=self.config[queue], MaxNumberOfMessages=10, WaitTimeSeconds=wait_s, VisibilityTimeout=0
        )
        return list(answer.get("Messages", []))

    # ---------- HTTP ----------

    def jwt(
        self, workspace_id: str, user_id: str = "u1", ttl_s: int | None = None, claims: dict[str, Any] | None = None
    ) -> str:
        """A token the local JWT authorizer accepts (POST /_local/jwt); a negative ttl_s gives an expired one."""
        payload: dict[str, Any] = {"workspace_id": workspace_id, "user_id": user_id}
        if ttl_s is not None:
            payload["ttl_s"] = ttl_s
        if claims:
            payload["claims"] = claims
        answer = self.api("POST", "/_local/jwt", json=payload)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["token"])

    def api(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | list[tuple[str, str]] | None = None,
    ) -> Response:
        """A request to the front door (`path` starts with /); `token` goes in Authorization as a Bearer token."""
        all_headers = dict(headers or {})
        data = _body(json, body, all_headers)
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        return http(method, self._url(path, params), body=data, headers=all_headers)

    def signed(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | list[tuple[str, str]] | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str | None = None,
    ) -> Response:
        """A SigV4-signed request (service execute-api) for the IAM routes, with the stack's key pair by default."""
        all_headers = dict(headers or {})
        data = _body(json, body, all_headers)
        url = self._url(path, params)
        credentials = Credentials(
            access_key or self.config["aws_access_key_id"], secret_key or self.config["aws_secret_access_key"]
        )
        request = AWSRequest(method=method.upper(), url=url, data=data or b"", headers=all_headers)
        SigV4Auth(credentials, "execute-api", region or self.config["aws_region"]).add_auth(request)
        return http(method, url, body=data, headers=dict(request.headers.items()))

    def schedule(self) -> Response:
        """Runs the poll schedule once now (POST /_local/schedule); answers when the scheduler has run."""
        return self.api("POST", "/_local/schedule")

    def google(self, method: str, path: str, json: Any = None) -> Response:
        """A call to the Google emulator's control routes: `path` is under /_emulator/ (e.g. "accounts")."""
        all_headers: dict[str, str] = {}
        data = _body(json, None, all_headers)
        url = f"{self.config['google_url'].rstrip('/')}/_emulator/{path.lstrip('/')}"
        return http(method, url, body=data, headers=all_headers)

    def _url(self, path: str, params: dict[str, str] | list[tuple[str, str]] | None) -> str:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.config['api_url'].rstrip('/')}{path}{query}"

    # ---------- logs ----------

    def events(
        self,
        detail_type: str | None = None,
        *,
        count: int = 1,
        timeout: float = 10.0,
        where: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """The envelopes in the events log of that detail-type whose detail contains `where`, waiting up to
        `timeout` seconds for at least `count` of them (count=0: no wait). Returns what is there at the end."""

        def matching() -> list[dict[str, Any]]:
            path = Path(self.config["events_log"])
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            found = [json.loads(line) for line in lines if line.strip()]
            return [
                e
                for e in found
                if (detail_type is None or e.get("detail-type") == detail_type)
                and all((e.get("detail") or {}).get(k) == v for k, v in (where or {}).items())
            ]

        deadline = time.monotonic() + timeout
        found = matching()
        while len(found) < count and time.monotonic() < deadline:
            time.sleep(0.1)
            found = matching()
        return found

    def functions_log(self) -> str:
        """Everything the handlers wrote (Powertools JSON lines) since the stack started."""
        path = Path(self.config["functions_log"])
        return path.read_text(encoding="utf-8") if path.exists() else ""

    @staticmethod
    def wait_for(
        predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.1, message: str | None = None
    ) -> T:
        """Calls `predicate` until it returns something truthy, and returns that; fails the test at the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(message or f"condition not met within {timeout} s")
            time.sleep(interval)


def _body(json_value: Any, body: bytes | str | None, headers: dict[str, str]) -> bytes | None:
    if json_value is not None:
        headers.setdefault("Content-Type", "application/json")
        return json.dumps(json_value).encode()
    if isinstance(body, str):
        return body.encode()
    return body


# ---------- starting and stopping ----------


def _children(pid: int) -> set[int]:
    """Every descendant of pid, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        if (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False  # a zombie: gone, only waiting to be reaped
    return True


def _die_with_parent() -> None:
    # If pytest itself is killed, the kernel sends the stack SIGTERM, so no stack outlives the test run.
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextlib.contextmanager
def start_local_stack(
    state_dir: Path, template: Path | None = None, extra_args: list[str] | None = None
) -> Iterator[LocalStack]:
    """Runs `python -m local_stack --ports auto` until the block ends; then SIGTERM, and checks nothing is left."""
    stack_json = state_dir / "stack.json"
    command = [sys.executable, "-m", "local_stack", "--ports", "auto", "--state-dir", str(state_dir)]
    if template is not None:
        command += ["--template", str(template)]
    command += extra_args or []
    state_dir.mkdir(parents=True, exist_ok=True)
    stdout = (state_dir / "stack.stdout.log").open("wb")
    stderr_path = state_dir / "stack.stderr.log"
    stderr = stderr_path.open("wb")
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not stack_json.exists():
            if process.poll() is not None:
                pytest.fail(f"the local stack exited with {process.returncode}:\n{stderr_path.read_text()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {stack_json} after {START_TIMEOUT_S} s:\n{stderr_path.read_text()[-4000:]}")
            time.sleep(0.1)
        yield LocalStack(json.loads(stack_json.read_text()), state_dir, process)
    finally:
        descendants = _children(process.pid)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"the local stack did not stop within {STOP_TIMEOUT_S} s of SIGTERM")
        finally:
            stdout.close()
            stderr.close()
        left = [pid for pid in descendants if _alive(pid)]
        assert not left, f"processes left behind by the local stack: {left}"
        assert not stack_json.exists(), "stack.json outlived the stack"


@contextlib.contextmanager
def session_stack(prefix: str) -> Iterator[LocalStack]:
    """The stack a test session shares: the one OUTSALES_STACK_JSON names (a running `make dev`), or a new one."""
    existing = os.environ.get("OUTSALES_STACK_JSON")
    if existing:
        path = Path(existing)
        yield LocalStack(json.loads(path.read_text()), path.parent)
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as state_dir, start_local_stack(Path(state_dir)) as running:
        yield running


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """The whole service from template.yaml, shared by the session's integration tests."""
    with session_stack("outsales-stack-") as running:
        yield running
