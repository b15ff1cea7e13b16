"""What Google remembers about consent: grants per (client, account), and the codes and tokens issued from them.

Revocation works on the grant, as on Google's "Third-party apps" page: revoking any token of a grant ends every
token of that client for that account.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Grant:
    client_id: str
    email: str
    scopes: set[str] = field(default_factory=set)
    revoked: bool = False
    has_refresh_token: bool = False


@dataclass
class AuthCode:
    code: str
    client_id: str
    email: str
    scopes: frozenset[str]
    redirect_uri: str
    code_challenge: str | None
    code_challenge_method: str | None
    offline: bool
    prompt_consent: bool  # prompt=consent: a refresh token again, even when one was issued before
    created_at: float
    used: bool = False
    issued: list[str] = field(default_factory=list)


@dataclass
class RefreshToken:
    token: str
    client_id: str
    email: str
    scopes: frozenset[str]
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    email: str
    scopes: frozenset[str]
    expires_at: float
    offline: bool
    revoked: bool = False


@dataclass
class PendingAuthorization:
    """A validated authorization request waiting for the person's answer on the consent page."""

    id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    offline: bool
    prompt: frozenset[str]
    include_granted_scopes: bool
    login_hint: str | None
    created_at: float


@dataclass
class OAuthStore:
    grants: dict[tuple[str, str], Grant] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    pending: dict[str, PendingAuthorization] = field(default_factory=dict)

    def grant(self, client_id: str, email: str) -> Grant:
        key = (client_id, email)
        existing = self.grants.get(key)
        if existing is None or existing.revoked:
            existing = self.grants[key] = Grant(client_id, email)
        return existing

    def revoke_grant(self, client_id: str, email: str) -> None:
        grant = self.grants.pop((client_id, email), None)
        if grant is not None:
            grant.revoked = True
        for token in self.access_tokens.values():
            if token.client_id == client_id and token.email == email:
                token.revoked = True
        for refresh in self.refresh_tokens.values():
            if refresh.client_id == client_id and refresh.email == email:
                refresh.revoked = True

    def revoke_account(self, email: str) -> int:
        """Every grant of the account, from every client; returns how many grants there were."""
        clients = {client for client, owner in self.grants if owner == email}
        clients |= {t.client_id for t in self.access_tokens.values() if t.email == email and not t.revoked}
        clients |= {t.client_id for t in self.refresh_tokens.values() if t.email == email and not t.revoked}
        for client_id in clients:
            self.revoke_grant(client_id, email)
        return len(clients)
