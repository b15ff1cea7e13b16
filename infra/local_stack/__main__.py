"""`python -m local_stack`: the whole service on loopback until Ctrl-C or SIGTERM.

What it serves, and where, is design.md's "Local stack contract".
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from local_stack.options import FIXED_PORTS, PROJECT_ROOT, StackOptions


def _keep_bytecode_out_of_the_tree() -> None:
    # The Makefile turns bytecode off so no __pycache__ lands in the sources (SAM copies CodeUri folders whole), and
    # the venv is installed without .pyc files. moto and cfn-lint then compile ~6 s of sources at every start;
    # a cache under .local/ (git-ignored, removed by `make clean`) keeps the tree clean and the start quick.
    if sys.dont_write_bytecode and sys.pycache_prefix is None:
        sys.pycache_prefix = str(PROJECT_ROOT / ".local" / "pycache")
        sys.dont_write_bytecode = False


def parse_args(argv: list[str] | None = None) -> StackOptions:
    parser = argparse.ArgumentParser(prog="python -m local_stack", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--state-dir", type=Path, default=PROJECT_ROOT / ".local", help="where stack.json and logs go")
    parser.add_argument(
        "--ports", choices=["fixed", "auto"], default="fixed", help="fixed: api 4000, demo 4010, google 4020, aws 4030"
    )
    for part, port in FIXED_PORTS.items():
        parser.add_argument(f"--{part}-port", type=int, default=None, help=f"port of the {part} part (fixed: {port})")
    parser.add_argument("--template", type=Path, default=PROJECT_ROOT / "template.yaml")
    parser.add_argument(
        "--code-root", type=Path, default=None, help="where CodeUri paths start (the template's folder)"
    )
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a template parameter's local value",
    )
    parser.add_argument("--no-schedule", action="store_true", help="no ticking schedule (still runs on demand)")
    parser.add_argument(
        "--external-worker",
        action="append",
        default=[],
        metavar="LOGICAL_ID",
        help="do not poll this function's queues: a worker outside the stack does (see stack.json functions_env)",
    )
    args = parser.parse_args(argv)
    ports = {part: (0 if args.ports == "auto" else port) for part, port in FIXED_PORTS.items()}
    for part in FIXED_PORTS:
        chosen = getattr(args, f"{part}_port")
        if chosen is not None:
            ports[part] = chosen
    overrides = {}
    for item in args.parameter:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--parameter {item}: expected KEY=VALUE")
        overrides[key] = value
    return StackOptions(
        host=args.host,
        state_dir=args.state_dir.resolve(),
        template=args.template.resolve(),
        code_root=args.code_root.resolve() if args.code_root else None,
        ports=ports,
        region=args.region,
        parameter_overrides=overrides,
        schedule_enabled=not args.no_schedule,
        external_workers=frozenset(args.external_worker),
    )


def main(argv: list[str] | None = None) -> int:
    _keep_bytecode_out_of_the_tree()
    options = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s.%(msecs)03d %(name)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
    )
    from local_stack.stack import LocalStack, StartupError  # heavy imports after the bytecode cache is set

    for noisy in ("botocore", "boto3", "urllib3"):  # "Found credentials in environment variables" at every client
        logging.getLogger(noisy).setLevel(logging.WARNING)

    stop = threading.Event()
    running = False

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("local_stack").info("stopping (signal %d)", _signum)
        stop.set()
        if not running:
            raise KeyboardInterrupt  # abandon a start in progress; start() cleans up what it began

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stack = LocalStack(options)
    try:
        stack.start()
        running = True
        stop.wait()
    except StartupError as error:
        logging.getLogger("local_stack").error("%s", error)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


def _exit_now(code: int) -> None:
    # Everything is stopped and closed by now; tearing down moto's thousands of modules and objects at interpreter
    # exit would take seconds more, which every test session and Ctrl-C would wait for.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit_now(main())
