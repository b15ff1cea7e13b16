"""Random spreading of retry delays, so that work held back together does not come back in the same second."""

from __future__ import annotations

import random

RATE_LIMIT_SPREAD_S = 10.0
"""Emails held back by one rate limit come back over this window, not all in the same second."""


def jittered(delay_s: float, *, proportional: float = 0.0, added: tuple[float, float] = (0.0, 1.0)) -> float:
    """``delay_s`` stretched by up to ``proportional`` of itself, plus a random ``added`` span of seconds."""
    return delay_s * (1 + random.uniform(0.0, proportional)) + random.uniform(*added)  # noqa: S311 - not security


def spread(delay_s: float) -> float:
    """An email held back by a rate limit: the mailbox's other emails come back over the next few seconds."""
    return jittered(delay_s, added=(0.5, RATE_LIMIT_SPREAD_S))


def with_jitter(delay_s: float) -> float:
    """A throttled mailbox's poll: later by up to a fifth, so that many mailboxes don't return together."""
    return jittered(delay_s, proportional=0.2)
