"""What stop on reply costs against Gmail: calls per first email and per follow-up, measured on the local stack.

Run: .venv/bin/python bench/reply_check_cost.py [--pairs 10]

It starts its own local stack, connects a workspace, and for N prospects sends a first email, waits until it is
SENT, then sends a follow-up into its thread and waits again. Each email's Gmail calls are counted from the
emulator's call log (token refreshes apart). Printed figures:
- Gmail calls per first email (the target is 1: the send itself, no thread check);
- Gmail calls per follow-up (the target is 2: the thread check, ``threads.get`` metadata, and the send);
- the same per method, so a regression names its call.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.conftest import LocalStack, start_local_stack  # noqa: E402
from tests.integration.service.flows import account, approved, calls, connect, new_workspace, wait_email  # noqa: E402


def _gmail_calls_while(stack: LocalStack, action: Callable[[], None]) -> Counter[str]:
    mark = len(calls(stack))
    action()
    return Counter(c["method"] for c in calls(stack)[mark:] if str(c["method"]).startswith("gmail."))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10)
    args = parser.parse_args()
    first_calls: Counter[str] = Counter()
    follow_calls: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="outsales-bench-") as state, start_local_stack(Path(state)) as stack:
        workspace = new_workspace()
        owner = account(stack, f"bench.{workspace}@company.example")
        token = connect(stack, workspace, owner)
        for i in range(args.pairs):
            prospect = f"pat{i}.bench@prospect.example"
            account(stack, prospect, "Pat")
            to = {"email": prospect, "name": "Pat"}

            def first(i: int = i, to: dict[str, str] = to) -> None:
                stack.send(approved(workspace, f"act_{i}_a", to=to))
                wait_email(stack, token, f"act_{i}_a", "SENT")

            def follow_up(i: int = i, to: dict[str, str] = to) -> None:
                stack.send(approved(workspace, f"act_{i}_b", to=to, in_reply_to_activity_id=f"act_{i}_a"))
                wait_email(stack, token, f"act_{i}_b", "SENT")

            first_calls += _gmail_calls_while(stack, first)
            follow_calls += _gmail_calls_while(stack, follow_up)
    print(f"pairs (first email + follow-up)  {args.pairs}")
    print(f"Gmail calls per first email      {sum(first_calls.values()) / args.pairs:.2f}   ({dict(first_calls)})")
    print(f"Gmail calls per follow-up        {sum(follow_calls.values()) / args.pairs:.2f}   ({dict(follow_calls)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
