"""Everything the emulator knows, behind one lock.

One coarse lock is enough: requests are small, and it keeps the rules (history ids, quotas, single-use codes)
free of races that real Google would never show.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from google_emulator.calls import CallLog
from google_emulator.faults import FaultBook
from google_emulator.mailbox import Mailbox
from google_emulator.oauth.grants import OAuthStore
from google_emulator.pubsub.book import PushBook
from google_emulator.quota import QuotaBook

# google-auth treats a token as expired 3m45s early; anything shorter than an hour makes it refresh before
# every call, so the default stays Google's own hour.
DEFAULT_ACCESS_TOKEN_LIFETIME_S = 3600


@dataclass
class Settings:
    access_token_lifetime_s: int = DEFAULT_ACCESS_TOKEN_LIFETIME_S
    code_lifetime_s: int = 300
    quota_per_user_per_second: int = 250
    quota_burst_s: int = 2
    daily_send_limit: int = 2000
    # Google's error guide says sending past the daily limit answers 429 "User-rate limit exceeded ... (Mail
    # sending)"; older clients report 403 dailyLimitExceeded. Both can be chosen.
    daily_limit_status: int = 429
    consent_coop: bool = False

    def update(self, values: dict[str, Any]) -> list[str]:
        """Apply known keys; returns the unknown ones."""
        unknown = []
        for key, value in values.items():
            if key not in self.__dataclass_fields__:
                unknown.append(key)
                continue
            current = getattr(self, key)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
                setattr(self, key, value)
            else:
                setattr(self, key, int(value))
        return unknown

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    name: str = ""


@dataclass
class Account:
    email: str
    name: str
    gmail_enabled: bool = True
    replace_message_id: bool = False
    daily_send_limit: int | None = None
    quota_per_user_per_second: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ConsentPreset:
    email: str
    allow: bool
    scopes: list[str] | None


@dataclass
class State:
    lock: threading.RLock = field(default_factory=threading.RLock)
    settings: Settings = field(default_factory=Settings)
    clients: dict[str, Client] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    mailboxes: dict[str, Mailbox] = field(default_factory=dict)
    oauth: OAuthStore = field(default_factory=OAuthStore)
    faults: FaultBook = field(default_factory=FaultBook)
    calls: CallLog = field(default_factory=CallLog)
    quota: QuotaBook = field(default_factory=QuotaBook)
    consent_presets: list[ConsentPreset] = field(default_factory=list)
    push: PushBook = field(default_factory=PushBook)
    clock_offset_s: float = 0.0
    _history_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000, 7))

    def now(self) -> float:
        """Emulator time: wall time plus whatever the control API advanced it by."""
        return time.time() + self.clock_offset_s

    def next_history_id(self) -> int:
        return next(self._history_ids)

    def reset(self) -> None:
        with self.lock:
            fresh = State()
            for name in self.__dataclass_fields__:
                if name != "lock":
                    setattr(self, name, getattr(fresh, name))

    def account(self, address: str) -> Account | None:
        return self.accounts.get(address.strip().lower())

    def add_account(self, address: str, name: str) -> Account:
        key = address.strip().lower()
        account = self.accounts.get(key)
        if account is None:
            account = self.accounts[key] = Account(email=key, name=name)
            self.mailboxes[key] = Mailbox(key, self.next_history_id)
        elif name:
            account.name = name
        return account

    def mailbox(self, address: str) -> Mailbox | None:
        return self.mailboxes.get(address.strip().lower())

    def daily_send_limit(self, account: Account) -> int:
        return self.settings.daily_send_limit if account.daily_send_limit is None else account.daily_send_limit

    def per_second_quota(self, account: Account) -> int:
        own = account.quota_per_user_per_second
        return self.settings.quota_per_user_per_second if own is None else own
