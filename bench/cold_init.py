"""How far each function's cold start is from its floor: whole-process ``import handler`` against a process importing
only the third-party modules that function cannot avoid, both measured in this run on this machine.

Run: make bench   (or .venv/bin/python bench/cold_init.py [--runs 10])

For each function it prints the median wall time of N fresh interpreters importing the handler, the median of N
importing the floor, and the ratio; for any function above 1.10 it prints the slowest imports (python -X importtime).
The interpreter start itself is in both figures, as it is in a Lambda cold start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.contracts.handlers import _PLACEHOLDER_ENV  # noqa: E402

TARGET_RATIO = 1.10

_COMMON = [
    "boto3",
    "pydantic.main",  # every function validates its Settings, a BaseModel; ``import pydantic`` alone loads no BaseModel
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.tracing",
    "aws_xray_sdk.core",
]
_HTTP = [
    *_COMMON,
    "aws_lambda_powertools.event_handler",
    # APIGatewayHttpResolver(enable_validation=True) imports it: the routes' request and response validation
    "aws_lambda_powertools.event_handler.middlewares.openapi_validation",
]
_BATCH = [*_COMMON, "aws_lambda_powertools.utilities.batch"]

FLOORS: dict[str, list[str]] = {
    "api": _HTTP,
    "internal_api": _HTTP,
    "oauth_callback": _HTTP,
    "gmail_push": _HTTP,
    "schedule_polls": [*_COMMON, "aws_lambda_powertools.utilities.parser"],
    "send_email": _BATCH,
    "poll_mailbox": _BATCH,
}
"""What each function needs whatever we do: the AWS SDK, Powertools' pieces it uses (for the route functions, the
validation ``enable_validation=True`` loads), pydantic's BaseModel for the settings. Only third-party modules: our own
modules are what the ratio measures. No function needs Google at import: each loads Google's libraries when a request
first calls Google."""


def _env() -> dict[str, str]:
    env = {**os.environ, **{k: v for k, v in _PLACEHOLDER_ENV.items() if k not in os.environ}}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a deployed layer ships bytecode; compare like with like
    return env


def _handler_code(function: str) -> str:
    return f"import sys; sys.path.insert(0, {str(ROOT / 'functions' / function)!r}); import handler"


def _floor_code(function: str) -> str:
    return "; ".join(f"import {module}" for module in FLOORS[function])


def _time(code: str, runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _top_imports(code: str, env: dict[str, str], top: int = 15) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    rows = []
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1].strip()), parts[2].rstrip()))
    return [f"{us / 1e6:7.3f} s {name}" for us, name in sorted(rows, reverse=True)[:top]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    env = _env()
    for function in FLOORS:  # warm the bytecode caches so the first function is not penalised
        subprocess.run([sys.executable, "-c", _handler_code(function)], cwd=ROOT, env=env, check=True)
    print(
        f"cold init, median of {args.runs} fresh interpreters, {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print(f"{'function':<16}{'handler':>10}{'floor':>10}{'ratio':>8}")
    slow = []
    for function in FLOORS:
        handler = _time(_handler_code(function), args.runs, env)
        floor = _time(_floor_code(function), args.runs, env)
        ratio = handler / floor
        print(f"{function:<16}{handler:>9.3f}s{floor:>9.3f}s{ratio:>8.2f}")
        if ratio > TARGET_RATIO:
            slow.append(function)
    for function in slow:
        print(f"\ntop imports of {function} (cumulative, python -X importtime):")
        print("\n".join(_top_imports(_handler_code(function), env)))


if __name__ == "__main__":
    main()
