"""An in-memory send world: the send context, the fake ledger (tests/unit/contracts) and a scriptable Gmail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from email import message_from_bytes
from email.policy import default

from gmail_integration.models.commands import SendEmailV1
from gmail_integration.models.domain import (
    BillingStatus,
    Connection,
    ConnectionStatus,
    EmailRecord,
    EmailStatus,
    Gates,
)
from gmail_integration.models.gmail import AddedMessage, MessageHeaders, SentMessage
from gmail_integration.models.gmail_errors import AuthorizationLostError, GmailError
from gmail_integration.models.profile import Profile
from gmail_integration.models.send_context import MailboxSnapshot, SendContext
from gmail_integration.models.threads import ThreadLook
from gmail_integration.models.times import iso, parse_time
from gmail_integration.models.turn_ticket import Premises
from tests.unit.fake_ledger import FakeEmailLedger
from tests.unit.fake_pace import FakeMailboxPace
from tests.unit.fake_suppressions import FakeSuppressions
from tests.unit.fakes import FakeClock


@dataclass
class SendWorld:
    """Implements SendContextReader and MailboxSetbacks over dicts; its ``ledger`` is the contract-tested fake."""

    clock: FakeClock
    connection: Connection | None = None
    billing: BillingStatus = BillingStatus.CURRENT
    inactive_agents: set[str] = field(default_factory=set)
    profile: Profile = field(default_factory=Profile)
    ledger: FakeEmailLedger = field(default_factory=FakeEmailLedger)
    paused_until: datetime | None = None
    authorization_losses: list[str] = field(default_factory=list)
    suppressions: FakeSuppressions = field(default_factory=lambda: FakeSuppressions())
    thread_check: FakeThreadCheck = field(default_factory=lambda: FakeThreadCheck())
    pace: FakeMailboxPace = field(default_factory=FakeMailboxPace)
    profile_stamp: str | None = None
    """The profile item's ``updated_at`` (None: no profile item); a test that edits the profile moves it."""
    last_snapshot: MailboxSnapshot | None = None
    reads: int = 0

    @property
    def emails(self) -> dict[str, EmailRecord]:
        return self.ledger.emails

    def snapshot(self, workspace_id: str) -> MailboxSnapshot | None:
        """What the last read saw, its pace kept current as one container's own writes keep it (dal/snapshots.py)."""
        if self.last_snapshot is None:
            return None
        return replace(self.last_snapshot, pace=self.pace.read(workspace_id))

    def premises_hold(self, command: SendEmailV1, premises: Premises) -> bool:
        """The premise checks of dal/premises.py over this world (the send tests' FakeTurnBook asks)."""
        now = parse_time(premises.now)
        connection = self.connection
        if connection is None or connection.status is not ConnectionStatus.CONNECTED:
            return False
        if connection.connected_at is None or iso(connection.connected_at) != premises.connected_at:
            return False
        for until in (self.paused_until, connection.throttled_until):
            if until is not None and now is not None and until > now:
                return False
        if self.billing is BillingStatus.PAST_DUE or premises.agent_id in self.inactive_agents:
            return False
        if self.suppressions.is_suppressed(command.workspace_id, premises.recipient):
            return False
        if premises.profile_stamp != self.profile_stamp:
            return False
        if not premises.earlier_activity_id or premises.earlier_activity_id == command.activity_id:
            return True
        earlier, seen = self.emails.get(premises.earlier_activity_id), premises.earlier
        if seen is None or earlier is None:
            return seen is None and earlier is None
        names = ("gmail_thread_id", "gmail_message_id", "subject", "rfc_message_id", "message_id", "references")
        return earlier.status is EmailStatus.SENT and all(getattr(earlier, n) == getattr(seen, n) for n in names)

    # ---- SendContextReader ----
    def read(
        self,
        workspace_id: str,
        agent_id: str,
        activity_id: str,
        earlier_activity_id: str | None,
        recipient: str | None = None,
    ) -> SendContext:
        status = self.connection.status if self.connection else ConnectionStatus.DISCONNECTED
        self.reads += 1
        pace = self.pace.read(workspace_id)
        if self.connection is not None:
            self.last_snapshot = MailboxSnapshot(self.connection, self.profile, self.profile_stamp, pace)
        return SendContext(
            gates=Gates(
                connection_status=status,
                billing=self.billing,
                agent_active=agent_id not in self.inactive_agents,
                paused_until=self.paused_until,
            ),
            connection=self.connection,
            profile=self.profile,
            email=self.emails.get(activity_id),
            earlier=self.emails.get(earlier_activity_id) if earlier_activity_id else None,
            recipient_suppressed=bool(recipient and self.suppressions.is_suppressed(workspace_id, recipient)),
            pace=pace,
        )

    # ---- MailboxSetbacks ----
    def authorization_lost(self, workspace_id: str, reason: str) -> None:
        self.authorization_losses.append(reason)
        assert self.connection is not None
        self.connection = self.connection.model_copy(update={"status": ConnectionStatus.NEEDS_RECONNECT})

    def pause_sending(self, workspace_id: str, until: datetime) -> None:
        self.paused_until = until

    def throttle(self, workspace_id: str, until: datetime) -> None:
        assert self.connection is not None
        self.connection = self.connection.model_copy(update={"throttled_until": until})


@dataclass
class FakeGmail:
    """Gmail as the send use case sees it. ``errors`` are raised by the next sends, in order."""

    errors: list[GmailError] = field(default_factory=list)
    sent: list[tuple[bytes, str | None]] = field(default_factory=list)
    headers_of: dict[str, dict[str, str]] = field(default_factory=dict)
    history: list[AddedMessage] = field(default_factory=list)
    history_error: GmailError | None = None
    header_reads: list[str] = field(default_factory=list)
    deliver_then_fail: GmailError | None = None
    header_errors: list[GmailError] = field(default_factory=list)
    """Raised by the next header reads, in order (Gmail's per-user quota during a recovery search)."""

    revoked: set[bytes] = field(default_factory=set)
    """Refresh tokens (by ciphertext) Google no longer honours: a refresh with one is refused."""

    def ready(self, connection: Connection) -> None:
        """A due token refresh: refused for a revoked grant, otherwise always valid."""
        if connection.refresh_token_ciphertext in self.revoked:
            raise AuthorizationLostError("token_revoked")

    def send(self, connection: Connection, raw: bytes, thread_id: str | None) -> SentMessage:
        if self.errors:
            raise self.errors.pop(0)
        number = len(self.sent) + 1
        self.sent.append((raw, thread_id))
        message = SentMessage(f"m{number}", thread_id or f"t{number}")
        self.history.append(AddedMessage(message.gmail_message_id, message.gmail_thread_id, frozenset({"SENT"})))
        self.headers_of[message.gmail_message_id] = _headers(raw)
        if self.deliver_then_fail is not None:
            error, self.deliver_then_fail = self.deliver_then_fail, None
            raise error
        return message

    def message_headers(self, connection: Connection, message_id: str, names: Sequence[str]) -> MessageHeaders:
        self.header_reads.append(message_id)
        if self.header_errors:
            raise self.header_errors.pop(0)
        thread = next(a.gmail_thread_id for a in self.history if a.gmail_message_id == message_id)
        wanted = {n.lower() for n in names}
        headers = {k: v for k, v in self.headers_of[message_id].items() if k in wanted}
        return MessageHeaders(message_id, thread, frozenset({"SENT"}), headers)

    def added_since(
        self, connection: Connection, start_history_id: str, label_id: str | None = None
    ) -> Iterator[AddedMessage]:
        if self.history_error:
            raise self.history_error
        yield from list(self.history)


def _headers(raw: bytes) -> dict[str, str]:
    parsed = message_from_bytes(raw, policy=default)
    return {k.lower(): str(v) for k, v in parsed.items()}


@dataclass
class FakeThreadCheck:
    """Implements ThreadReplyCheck: the kinds each thread holds after our latest email, and the threads looked at."""

    kinds: dict[str, frozenset[str]] = field(default_factory=dict)
    looked_at: list[str] = field(default_factory=list)

    message_ids: dict[str, str] = field(default_factory=dict)
    error: GmailError | None = None

    def __call__(self, connection: Connection, thread_id: str) -> ThreadLook:
        self.looked_at.append(thread_id)
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return ThreadLook(kinds=self.kinds.get(thread_id, frozenset()), message_ids=self.message_ids)
