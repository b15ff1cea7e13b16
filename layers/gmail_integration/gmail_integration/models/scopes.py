"""The two Gmail scopes the service asks for, and nothing broader (the product page promises it)."""

from __future__ import annotations

GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"
GMAIL_METADATA = "https://www.googleapis.com/auth/gmail.metadata"
REQUIRED_SCOPES: tuple[str, ...] = (GMAIL_SEND, GMAIL_METADATA)


def missing_scopes(granted: set[str] | frozenset[str] | tuple[str, ...]) -> list[str]:
    """Scopes the user unticked on Google's granular consent page; a superset of ours is fine."""
    return [scope for scope in REQUIRED_SCOPES if scope not in set(granted)]
