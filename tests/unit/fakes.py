"""In-memory stand-ins for the ports, so use cases are tested without AWS or Google."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from gmail_integration.models.authorization import PendingAuthorization
from gmail_integration.models.domain import (
    NEEDS_RECONNECT_MESSAGES,
    Connection,
    ConnectionStatus,
    ParkReason,
    RecoveryCursor,
)
from gmail_integration.models.events import ServiceEvent
from gmail_integration.models.gmail import GmailAccount
from gmail_integration.models.oauth import ExchangeFailedError, RevokeOutcome, TokenGrant


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeEvents:
    published: list[ServiceEvent] = field(default_factory=list)

    def publish(self, *events: ServiceEvent) -> None:
        self.published.extend(events)


@dataclass
class FakeDeadLetters:
    letters: list[tuple[str, str]] = field(default_factory=list)

    def dead_letter(self, body: str, reason: str) -> None:
        self.letters.append((body, reason))


@dataclass
class FakeOAuth:
    """Google's OAuth endpoints as the use cases see them; records what was asked."""

    granted: frozenset[str] = frozenset(
        {"https://www.googleapis.com/auth/gmail.send", "https://www.googleapis.com/auth/gmail.metadata"}
    )
    refresh_token: str | None = "refresh-1"
    exchange_fails: bool = False
    revoke_outcome: str = "revoked"
    exchanged: list[tuple[str, str, str]] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)

    def authorization_url(self, state: str, redirect_uri: str) -> tuple[str, str]:
        return f"https://accounts.example/auth?state={state}&redirect_uri={redirect_uri}", f"verifier-for-{state}"

    def exchange(self, code: str, code_verifier: str, redirect_uri: str) -> TokenGrant:
        self.exchanged.append((code, code_verifier, redirect_uri))
        if self.exchange_fails:
            raise ExchangeFailedError("InvalidGrantError")
        return TokenGrant(
            access_token=SecretStr(f"access-{code}"),
            refresh_token=SecretStr(self.refresh_token) if self.refresh_token else None,
            granted_scopes=self.granted,
        )

    def revoke(self, token: SecretStr) -> RevokeOutcome:
        self.revoked.append(token.get_secret_value())
        return RevokeOutcome(self.revoke_outcome)


@dataclass
class FakeStates:
    items: dict[str, PendingAuthorization] = field(default_factory=dict)

    def save(self, nonce: str, pending: PendingAuthorization) -> None:
        self.items[nonce] = pending

    def consume(self, nonce: str, now: datetime) -> PendingAuthorization | None:
        pending = self.items.pop(nonce, None)
        if pending is None or pending.expires_at <= now:
            return None
        return pending


@dataclass
class FakeAccounts:
    email: str = "owner@company.example"
    history_id: str = "1000"
    error: Exception | None = None

    def read_account(self, refresh_token: SecretStr, access_token: SecretStr) -> GmailAccount:
        if self.error:
            raise self.error
        return GmailAccount(email=self.email, history_id=self.history_id)


class FakeVault:
    """Ciphertext = workspace + token, so a test sees which workspace sealed what."""

    def seal(self, workspace_id: str, token: SecretStr) -> bytes:
        return f"{workspace_id}|{token.get_secret_value()}".encode()

    def open(self, workspace_id: str, ciphertext: bytes) -> SecretStr:
        owner, token = ciphertext.decode().split("|", 1)
        if owner != workspace_id:
            raise ValueError("wrong encryption context")
        return SecretStr(token)

    def forget(self, workspace_id: str) -> None:
        pass


@dataclass
class FakeConnections:
    items: dict[str, Connection] = field(default_factory=dict)

    def get(self, workspace_id: str) -> Connection | None:
        return self.items.get(workspace_id)

    def replace(self, connection: Connection) -> Connection | None:
        old = self.items.get(connection.workspace_id)
        self.items[connection.workspace_id] = connection
        return old

    def mark_needs_reconnect(self, workspace_id: str, reason: str, now: datetime) -> bool:
        current = self.items.get(workspace_id)
        if current is None or current.status is not ConnectionStatus.CONNECTED:
            return False
        self.items[workspace_id] = current.model_copy(
            update={
                "status": ConnectionStatus.NEEDS_RECONNECT,
                "reason": reason,
                "last_error": NEEDS_RECONNECT_MESSAGES.get(reason, reason),
            }
        )
        return True

    def tombstone(self, workspace_id: str, now: datetime, last_error: str | None) -> None:
        self.items[workspace_id] = Connection(
            workspace_id=workspace_id, status=ConnectionStatus.DISCONNECTED, last_error=last_error
        )

    def save_recovery(self, workspace_id: str, cursor: RecoveryCursor) -> None:
        self.items[workspace_id] = self.items[workspace_id].model_copy(update={"recovery": cursor})

    def finish_recovery(self, workspace_id: str, history_id: str) -> bool:
        current = self.items[workspace_id]
        moved = current.history_id is None or int(current.history_id) < int(history_id)
        update: dict[str, object] = {"recovery": None}
        if moved:
            update["history_id"] = history_id
        self.items[workspace_id] = current.model_copy(update=update)
        return moved


@dataclass
class FakeRedrive:
    calls: list[tuple[str, tuple[str, ...], str | None]] = field(default_factory=list)

    def __call__(self, workspace_id: str, reasons: Sequence[ParkReason], agent_id: str | None = None) -> int:
        self.calls.append((workspace_id, tuple(r.value for r in reasons), agent_id))
        return 0


@dataclass
class FakeGrantHolders:
    held: set[tuple[str, str]] = field(default_factory=set)

    def hold(self, email: str, workspace_id: str) -> None:
        self.held.add((email, workspace_id))

    def release(self, email: str, workspace_id: str) -> None:
        self.held.discard((email, workspace_id))

    def held_elsewhere(self, email: str, workspace_id: str) -> bool:
        return any(e == email and w != workspace_id for e, w in self.held)
