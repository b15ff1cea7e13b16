"""A thread the service sent into, and which of its emails a new message answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ThreadEmail:
    activity_id: str
    message_id: str


@dataclass(frozen=True)
class TrackedThread:
    thread_id: str
    emails: tuple[ThreadEmail, ...]

    def answered_by(self, in_reply_to: str | None, references: str | None = None) -> str | None:
        """The activity a message answers: the email its In-Reply-To names, else the newest one it references,
        else the thread's latest email (Gmail may have replaced our Message-ID, so ours may not be named)."""
        if not self.emails:
            return None
        by_id = {email.message_id: email.activity_id for email in self.emails if email.message_id}
        if in_reply_to and in_reply_to.strip() in by_id:
            return by_id[in_reply_to.strip()]
        for reference in reversed((references or "").split()):
            if reference in by_id:
                return by_id[reference]
        return self.emails[-1].activity_id


@dataclass(frozen=True)
class RecentThreads:
    """One page of the threads still worth a look after Gmail forgot our history cursor, newest first.

    ``next_page`` is opaque to the use case (the store's own page key): it is kept on the mailbox so a recovery
    that ran out of time or quota goes on where it stopped.
    """

    threads: tuple[TrackedThread, ...]
    next_page: str | None


@dataclass(frozen=True)
class ThreadLook:
    """One read of a thread before a follow-up: the reply kinds since our latest email, and the Message-IDs of our
    own messages (Gmail may have replaced ours), so the follow-up can name its parent without another call."""

    kinds: frozenset[str] = frozenset()
    message_ids: Mapping[str, str] = field(default_factory=dict)
