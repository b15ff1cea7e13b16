"""A new message in one of our threads, and what the poll reads of it; shared by the poll and history recovery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gmail_integration.models.threads import TrackedThread
from gmail_integration.replies.classifier import CLASSIFIER_HEADERS

OWN_LABELS = frozenset({"SENT", "DRAFT"})
POLL_HEADERS: tuple[str, ...] = (*CLASSIFIER_HEADERS, "In-Reply-To", "References")


@dataclass(frozen=True)
class Arrival:
    """A new message in one of our threads, as Gmail's metadata format answers it."""

    thread: TrackedThread
    message: dict[str, Any]
