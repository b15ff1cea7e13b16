"""The soak's small size, in every make test: a few dozen emails under every fault, none duplicated, none lost.

A new seed each run (printed, with the summary, in the test's output); a failing seed reruns as
`make soak N=<emails> SEED=<seed>`.
"""

from __future__ import annotations

import secrets

from bench.soak.run import run

EMAILS = 40


def test_a_small_soak_sends_each_email_once_and_loses_none() -> None:
    seed = secrets.token_hex(4)
    summary = run(seed, EMAILS, workspaces=2, settle_timeout=60)
    print(summary.line())
    counted = sum(summary.counts.values())
    # the chaos loop adds its own conversations (a first email, then a follow-up after a reply or bounce)
    assert summary.emails >= EMAILS
    assert counted == summary.emails, f"every email sorted into exactly one bucket: {summary.counts}"
    assert summary.counts["sent_once"] > 0, summary.line()
    assert summary.counts["duplicated"] == 0, summary.line()
    assert summary.counts["lost"] == 0, summary.line()
    assert summary.sent_despite_answer == 0, "a follow-up went out although its thread had a reply or bounce"
