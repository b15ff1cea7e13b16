"""Connecting (and reconnecting) a workspace's Gmail account through Google's consent popup."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from pydantic import SecretStr

from gmail_integration.events.ports import EventPublisher
from gmail_integration.mailbox.ports import (
    AccountReader,
    ConnectionRepository,
    GrantHolders,
    OAuthProvider,
    StateStore,
    TokenVault,
)
from gmail_integration.models.authorization import (
    STATE_TTL,
    BrowserBinding,
    Connected,
    ConnectError,
    ConnectErrorCode,
    PendingAuthorization,
    StartedFlow,
    binding_cookie_name,
    binding_hash,
    binding_matches,
    new_binding,
    new_nonce,
)
from gmail_integration.models.domain import Connection, ConnectionStatus, ParkReason
from gmail_integration.models.events import DetailType, ServiceEvent
from gmail_integration.models.gmail_errors import AuthorizationLostError, GmailError
from gmail_integration.models.oauth import ExchangeFailedError
from gmail_integration.models.scopes import missing_scopes
from gmail_integration.observability import count, logger
from gmail_integration.sending.ports import Redrive
from gmail_integration.settings import is_plain_loopback

CALLBACK_PATH = "/gmail/oauth/callback"


@dataclass(frozen=True)
class StartConnect:
    oauth: OAuthProvider
    states: StateStore
    clock: Callable[[], datetime]
    configured_redirect_uri: str

    def __call__(self, workspace_id: str, user_id: str, api_domain: str) -> StartedFlow:
        """Google's consent URL for the popup and the browser's binding; the PKCE verifier and the workspace stay
        server-side, and of the binding only its hash."""
        redirect_uri = self.configured_redirect_uri or f"https://{api_domain}{CALLBACK_PATH}"
        nonce = new_nonce()
        binding = new_binding()
        url, verifier = self.oauth.authorization_url(nonce, redirect_uri)
        self.states.save(
            nonce,
            PendingAuthorization(
                workspace_id=workspace_id,
                user_id=user_id,
                code_verifier=verifier,
                redirect_uri=redirect_uri,
                expires_at=self.clock() + STATE_TTL,
                browser_binding_hash=binding_hash(binding),
            ),
        )
        logger.info("connect started", extra={"workspace_id": workspace_id, "user_id": user_id})
        cookie = BrowserBinding(
            name=binding_cookie_name(nonce),
            value=binding,
            path=urlsplit(redirect_uri).path or CALLBACK_PATH,
            max_age_s=int(STATE_TTL.total_seconds()),
            secure=not is_plain_loopback(redirect_uri),
        )
        return StartedFlow(authorization_url=url, binding=cookie)


@dataclass(frozen=True)
class CompleteConnect:
    oauth: OAuthProvider
    states: StateStore
    accounts: AccountReader
    vault: TokenVault
    connections: ConnectionRepository
    redrive: Redrive
    events: EventPublisher
    clock: Callable[[], datetime]
    holders: GrantHolders

    def __call__(self, state: str | None, code: str | None, error: str | None, cookies: Mapping[str, str]) -> Connected:
        """``cookies`` are the browser's, by name: the flow's binding must be among them before anything else."""
        if not state or (pending := self.states.consume(state, self.clock())) is None:
            raise self._fail(ConnectErrorCode.STATE_INVALID)
        logger.append_keys(workspace_id=pending.workspace_id)
        if not binding_matches(cookies.get(binding_cookie_name(state)), pending.browser_binding_hash):
            # Another browser is finishing this flow (a link sent to someone else): nothing is exchanged or linked,
            # and the state is spent, so the link cannot be tried again.
            raise self._fail(ConnectErrorCode.BROWSER_MISMATCH)
        if error:
            raise self._fail(
                ConnectErrorCode.ACCESS_DENIED if error == "access_denied" else ConnectErrorCode.EXCHANGE_FAILED
            )
        if not code:
            raise self._fail(ConnectErrorCode.EXCHANGE_FAILED)
        try:
            grant = self.oauth.exchange(code, pending.code_verifier, pending.redirect_uri)
        except ExchangeFailedError:
            raise self._fail(ConnectErrorCode.EXCHANGE_FAILED) from None
        if missing_scopes(grant.granted_scopes):
            # A grant we cannot use is not kept at Google either: the user's Third-party apps page stays clean.
            self.oauth.revoke(grant.access_token)
            raise self._fail(ConnectErrorCode.SCOPE_MISSING)
        if grant.refresh_token is None:
            logger.warning("Google returned no refresh token")
            self.oauth.revoke(grant.access_token)
            raise self._fail(ConnectErrorCode.EXCHANGE_FAILED)
        try:
            profile = self.accounts.read_account(grant.refresh_token, grant.access_token)
        except AuthorizationLostError:
            self.oauth.revoke(grant.refresh_token)
            raise self._fail(ConnectErrorCode.GMAIL_UNAVAILABLE) from None
        except GmailError:
            raise self._fail(ConnectErrorCode.EXCHANGE_FAILED) from None
        return self._store(pending, grant.refresh_token, grant.granted_scopes, profile.email, profile.history_id)

    def _store(
        self,
        pending: PendingAuthorization,
        refresh_token: SecretStr,
        scopes: frozenset[str],
        email: str,
        history_id: str,
    ) -> Connected:
        workspace_id = pending.workspace_id
        previous = self.connections.get(workspace_id)
        same_account = previous is not None and previous.email == email
        # Reconnecting the same account resumes reply detection where it stopped, so replies that arrived while
        # authorization was lost are still found; another account starts from its own present.
        cursor = previous.history_id if same_account and previous and previous.history_id else history_id
        replaced = self.connections.replace(
            Connection(
                workspace_id=workspace_id,
                status=ConnectionStatus.CONNECTED,
                email=email,
                connected_at=self.clock(),
                refresh_token_ciphertext=self.vault.seal(workspace_id, refresh_token),
                scopes=tuple(sorted(scopes)),
                history_id=cursor,
                user_id=pending.user_id,
            )
        )
        self.holders.hold(email, workspace_id)
        if replaced is not None and replaced.email and replaced.email != email:
            self.holders.release(replaced.email, workspace_id)
            if self.holders.held_elsewhere(replaced.email, workspace_id):
                logger.info("replaced account kept at Google: another workspace holds it")
            elif replaced.refresh_token_ciphertext:
                # One account per workspace: the account being replaced loses our access at Google too.
                outcome = self.oauth.revoke(self.vault.open(workspace_id, replaced.refresh_token_ciphertext))
                logger.info("replaced account revoked", extra={"outcome": outcome.value})
        self.events.publish(ServiceEvent(detail_type=DetailType.GMAIL_CONNECTED, workspace_id=workspace_id))
        self.redrive(workspace_id, [ParkReason.GMAIL_NOT_CONNECTED, ParkReason.GMAIL_NEEDS_RECONNECT])
        count("GmailConnections")
        logger.info("gmail connected", extra={"reconnect": replaced is not None})
        return Connected(workspace_id=workspace_id, email=email)

    @staticmethod
    def _fail(code: ConnectErrorCode) -> ConnectError:
        count("ConnectFailures", code=code.value)
        logger.info("connect failed", extra={"code": code.value})
        return ConnectError(code)
