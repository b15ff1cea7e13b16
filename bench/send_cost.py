"""What one email and one idle poll cost against Gmail, measured on the local stack.

Run: .venv/bin/python bench/send_cost.py [--emails 50]

It starts its own local stack, connects a workspace, puts N approved emails on the send queue, and waits until all are
SENT. It then counts the emulator's calls. It also runs the poll schedule on a quiet mailbox and counts that too.
Printed figures:
- accepted Gmail sends per email (the target is 1: exactly once) and every Gmail call per email, retries of
  Gmail's per-user rate limit (429, about 2.5 sends a second per user) included;
- token refreshes for the whole batch (the target is 1 per warm container: credentials are kept);
- calls per idle poll (the target is 1 history.list);
- emails per second through the local stack (informative only: one process, moto and the emulator on the same cores).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.conftest import start_local_stack  # noqa: E402
from tests.integration.service.flows import account, approved, calls, connect, new_workspace  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outsales-bench-") as state, start_local_stack(Path(state)) as stack:
        workspace = new_workspace()
        owner = account(stack, f"bench.{workspace}@company.example")
        account(stack, "pat.bench@prospect.example", "Pat")
        token = connect(stack, workspace, owner)
        mark = len(calls(stack))
        started = time.monotonic()
        for i in range(args.emails):
            stack.send(approved(workspace, f"act_{i}", to={"email": "pat.bench@prospect.example", "name": "Pat"}))

        def all_sent() -> bool:
            page = stack.api("GET", "/emails", token=token, params={"limit": "100"}).json()["items"]
            return sum(1 for e in page if e["status"] == "SENT") >= args.emails

        stack.wait_for(all_sent, timeout=300, interval=0.5, message="not every email was sent")
        elapsed = time.monotonic() - started
        batch = calls(stack)[mark:]
        made = Counter(c["method"] for c in batch)
        gmail = sum(n for method, n in made.items() if method.startswith("gmail."))
        accepted = sum(1 for c in batch if c["method"] == "gmail.users.messages.send" and c["status"] == 200)
        throttled = Counter(c["status"] for c in batch if c["method"].startswith("gmail.") and c["status"] != 200)
        delivered = len(stack.google("GET", "mailboxes/pat.bench@prospect.example/messages").json()["messages"])

        stack.schedule()  # catch up with the sent messages
        time.sleep(2)
        idle_mark = len(calls(stack))
        stack.schedule()
        stack.wait_for(lambda: len(calls(stack)) > idle_mark, timeout=20)
        time.sleep(1)
        idle = Counter(c["method"] for c in calls(stack)[idle_mark:])

    print(f"emails sent                      {args.emails}")
    print(f"emails in the prospect's inbox   {delivered}")
    print(f"accepted sends per email         {accepted / args.emails:.2f}")
    print(f"Gmail API calls per email        {gmail / args.emails:.2f}   (by method: {dict(made)})")
    print(f"refused calls by status          {dict(throttled)}   (Gmail's per-user rate limit, retried later)")
    print(f"token refreshes for the batch    {made.get('oauth.token', 0)}")
    print(f"Gmail calls for one idle poll    {sum(idle.values())}   ({dict(idle)})")
    print(f"emails per second (local stack)  {args.emails / elapsed:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
