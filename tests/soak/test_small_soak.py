"""The soak's small size, in every make test: a few dozen emails under every fault, none duplicated, none lost.

A new seed each run (printed, with the summary, in the test's output); a failing seed reruns as
`make soak N=<emails> SEED=<seed>`.
"""

from __future__ import annotations

import secrets

import pytest

from bench.soak.run import run

EMAILS = 40


# Open finding of the soak (reproduce: make soak N=40 SEED=bd5d3281): an email whose send reached Gmail but was not
# confirmed (answer lost, worker killed) is parked on its next attempt (invalid_grant -> gmail_needs_reconnect, or
# daily_limit_reached) before the retry reconciles it with Gmail; the re-drive then sends it again (duplicated), or it
# sits parked although delivered. Not strict: a seed that closes no gate on an unconfirmed send passes.
@pytest.mark.xfail(reason="parking an unconfirmed send forgets it may be in Gmail (seed bd5d3281)", strict=False)
def test_a_small_soak_sends_each_email_once_and_loses_none() -> None:
    seed = secrets.token_hex(4)
    summary = run(seed, EMAILS, workspaces=2, settle_timeout=60)
    print(summary.line())
    counted = sum(summary.counts.values())
    assert counted == EMAILS, f"every email sorted into exactly one bucket: {summary.counts}"
    assert summary.counts["sent_once"] > 0, summary.line()
    assert summary.counts["duplicated"] == 0, summary.line()
    assert summary.counts["lost"] == 0, summary.line()
