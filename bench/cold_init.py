"""How far each function's cold start is from its floor: a fresh interpreter's ``import handler`` against one importing
only the third-party modules that function cannot avoid, both measured in this run on this machine.

Run: make bench   (or .venv/bin/python bench/cold_init.py [--runs 10])

A Lambda cold start is the interpreter's start plus the init (imports and module-level work); the interpreter is never
finalised on that path. So each process ends with ``os._exit`` right after its imports: finalising frees every object
and, on this machine, added 0.1 to 0.2 s that grows with what was loaded and is no part of a cold start. The ``whole``
column keeps the old measure (the process run to its normal exit) for comparison.

For each function it prints the median wall time of N fresh interpreters importing the handler, the median of N
importing the floor, their ratio (the target: at most 1.10), the same ratio in CPU time (user + system, steadier on a
shared machine) and the whole-process ratio. Handler and floor runs alternate, so a load that comes and goes weighs on
both alike. For any function above 1.10 it prints the slowest of the modules the floor does not load (self time,
python -X importtime): what to make lazy next.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.contracts.handlers import _PLACEHOLDER_ENV  # noqa: E402

TARGET_RATIO = 1.10


class Figures(NamedTuple):
    wall: float
    cpu: float


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
    "schedule_polls": [*_BATCH, "aws_lambda_powertools.utilities.parser"],  # ticks, and shards handed off by SQS
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


_EXIT = "; import os; os._exit(0)"


def _handler_code(function: str) -> str:
    return f"import sys; sys.path.insert(0, {str(ROOT / 'functions' / function)!r}); import handler"


def _floor_code(function: str) -> str:
    return "; ".join(f"import {module}" for module in FLOORS[function])


def _run(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one fresh interpreter running ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


class Result(NamedTuple):
    handler: Figures
    floor: Figures
    whole_ratio: float

    @property
    def ratio(self) -> float:
        return self.handler.wall / self.floor.wall


def _measure(function: str, runs: int, env: dict[str, str]) -> Result:
    codes = {
        "handler": _handler_code(function) + _EXIT,
        "floor": _floor_code(function) + _EXIT,
        "handler_whole": _handler_code(function),
        "floor_whole": _floor_code(function),
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in codes}
    for _ in range(runs):
        for name, code in codes.items():
            samples[name].append(_run(code, env))
    medians = {name: _medians(values) for name, values in samples.items()}
    return Result(medians["handler"], medians["floor"], medians["handler_whole"].wall / medians["floor_whole"].wall)


def _medians(samples: list[tuple[float, float]]) -> Figures:
    return Figures(statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples))


def _self_times(code: str, env: dict[str, str]) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    times = {}
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            times[parts[2].strip()] = int(parts[0].split(":")[-1].strip())
    return times


def _top_imports(function: str, env: dict[str, str], top: int = 15) -> list[str]:
    """The modules the handler loads and its floor does not, slowest first (their own time, not their children's)."""
    floor = _self_times(_floor_code(function), env)
    extra = [(us, name) for name, us in _self_times(_handler_code(function), env).items() if name not in floor]
    return [f"{us / 1e3:7.1f} ms {name}" for us, name in sorted(extra, reverse=True)[:top]]


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
    print(f"{'function':<16}{'handler':>10}{'floor':>10}{'ratio':>8}{'cpu':>7}{'whole':>8}")
    slow = []
    for function in FLOORS:
        result = _measure(function, args.runs, env)
        print(
            f"{function:<16}{result.handler.wall:>9.3f}s{result.floor.wall:>9.3f}s{result.ratio:>8.2f}"
            f"{result.handler.cpu / result.floor.cpu:>7.2f}{result.whole_ratio:>8.2f}"
        )
        if result.ratio > TARGET_RATIO:
            slow.append(function)
    for function in slow:
        print(f"\nmodules of {function} that its floor does not load (self time, python -X importtime):")
        print("\n".join(_top_imports(function, env)))


if __name__ == "__main__":
    main()
