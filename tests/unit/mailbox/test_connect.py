from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from gmail_integration.mailbox.connect import CompleteConnect, StartConnect
from gmail_integration.mailbox.disconnect import Disconnect
from gmail_integration.models.authorization import ConnectError
from gmail_integration.models.domain import ConnectionStatus
from gmail_integration.models.events import DetailType
from gmail_integration.models.gmail_errors import AuthorizationLostError
from gmail_integration.models.scopes import GMAIL_SEND
from tests.unit.fakes import (
    FakeAccounts,
    FakeClock,
    FakeConnections,
    FakeEvents,
    FakeGrantHolders,
    FakeOAuth,
    FakeRedrive,
    FakeStates,
    FakeVault,
)


@dataclass
class World:
    clock: FakeClock
    oauth: FakeOAuth
    states: FakeStates
    profiles: FakeAccounts
    connections: FakeConnections
    redrive: FakeRedrive
    events: FakeEvents
    jar: dict[str, str] = field(default_factory=dict)
    holders: FakeGrantHolders = field(
        default_factory=FakeGrantHolders
    )  # the cookies of the browser that started the flows

    def start(self, workspace_id: str = "ws_a", user_id: str = "u1") -> str:
        started = StartConnect(self.oauth, self.states, self.clock, "https://api.example/gmail/oauth/callback")(
            workspace_id, user_id, "ignored.example"
        )
        self.jar[started.binding.name] = started.binding.value
        return parse_qs(urlsplit(started.authorization_url).query)["state"][0]

    def complete(
        self,
        state: str | None,
        code: str | None = "code-1",
        error: str | None = None,
        cookies: dict[str, str] | None = None,
    ):
        return CompleteConnect(
            oauth=self.oauth,
            states=self.states,
            accounts=self.profiles,
            vault=FakeVault(),
            connections=self.connections,
            redrive=self.redrive,
            events=self.events,
            clock=self.clock,
            holders=self.holders,
        )(state, code, error, self.jar if cookies is None else cookies)

    def disconnect(self, workspace_id: str = "ws_a") -> None:
        Disconnect(self.oauth, FakeVault(), self.connections, self.events, self.clock, self.holders)(workspace_id)


@pytest.fixture
def world() -> World:
    return World(FakeClock(), FakeOAuth(), FakeStates(), FakeAccounts(), FakeConnections(), FakeRedrive(), FakeEvents())


def test_connect_stores_the_encrypted_token_for_the_states_workspace(world: World) -> None:
    state = world.start("ws_a", "u1")
    connected = world.complete(state)
    assert (connected.workspace_id, connected.email) == ("ws_a", "owner@company.example")
    stored = world.connections.get("ws_a")
    assert stored is not None
    assert stored.status is ConnectionStatus.CONNECTED
    assert stored.refresh_token_ciphertext == b"ws_a|refresh-1"
    assert stored.history_id == "1000"
    assert stored.user_id == "u1"
    # The verifier the start kept is the one the exchange used: it never went through the browser.
    assert world.oauth.exchanged == [("code-1", f"verifier-for-{state}", "https://api.example/gmail/oauth/callback")]
    assert [e.detail_type for e in world.events.published] == [DetailType.GMAIL_CONNECTED]
    assert world.redrive.calls == [("ws_a", ("gmail_not_connected", "gmail_needs_reconnect"), None)]


def test_the_redirect_uri_defaults_to_the_api_domain(world: World) -> None:
    started = StartConnect(world.oauth, world.states, world.clock, "")("ws_a", "u1", "abc.execute-api.example")
    assert "redirect_uri=https://abc.execute-api.example/gmail/oauth/callback" in started.authorization_url
    assert started.binding.secure
    assert started.binding.path == "/gmail/oauth/callback"


def test_the_binding_cookie_is_secure_except_on_loopback_http(world: World) -> None:
    local = StartConnect(world.oauth, world.states, world.clock, "http://127.0.0.1:4000/gmail/oauth/callback")
    assert not local("ws_a", "u1", "x").binding.secure
    public = StartConnect(world.oauth, world.states, world.clock, "http://api.example/gmail/oauth/callback")
    binding = public("ws_a", "u1", "x").binding
    assert binding.secure
    assert binding.max_age_s == 600


def test_the_state_keeps_only_the_hash_of_the_browser_binding(world: World) -> None:
    state = world.start()
    (binding,) = world.jar.values()
    stored = repr(world.states.items)
    assert binding not in stored
    assert state not in world.jar  # the cookie's name does not carry the state either


@pytest.mark.parametrize(
    "cookies",
    [
        {},  # the victim's browser: it never asked to connect
        {"outsales_gmail_flow_0000000000000000": "x"},
        "another browser's binding",
        "this flow's name, another flow's value",
    ],
)
def test_another_browser_finishing_the_flow_links_and_exchanges_nothing(world: World, cookies: object) -> None:
    attacker_state = world.start("ws_attacker")
    attacker_jar = dict(world.jar)
    world.jar.clear()
    world.start("ws_victim_own_flow")  # the victim's browser has a binding of its own, for another flow
    victim_jar = dict(world.jar)
    if cookies == "another browser's binding":
        cookies = victim_jar
    elif cookies == "this flow's name, another flow's value":
        (name,) = attacker_jar
        cookies = {name: next(iter(victim_jar.values()))}
    assert isinstance(cookies, dict)
    with pytest.raises(ConnectError) as caught:
        world.complete(attacker_state, cookies=cookies)
    assert caught.value.code.value == "browser_mismatch"
    assert world.oauth.exchanged == []
    assert world.connections.items == {}
    assert world.events.published == []
    # The state is spent: not even the attacker's own browser can use the link afterwards.
    with pytest.raises(ConnectError) as again:
        world.complete(attacker_state, cookies=attacker_jar)
    assert again.value.code.value == "state_invalid"


def test_two_flows_in_one_browser_do_not_evict_each_other(world: World) -> None:
    first = world.start("ws_a")
    second = world.start("ws_b")
    assert world.complete(second).workspace_id == "ws_b"
    assert world.complete(first).workspace_id == "ws_a"


@pytest.mark.parametrize("state", [None, "", "forged-state"])
def test_unknown_states_are_refused(world: World, state: str | None) -> None:
    world.start()
    with pytest.raises(ConnectError) as caught:
        world.complete(state)
    assert caught.value.code.value == "state_invalid"
    assert world.oauth.exchanged == []


def test_a_state_works_once(world: World) -> None:
    state = world.start()
    world.complete(state)
    with pytest.raises(ConnectError) as caught:
        world.complete(state)
    assert caught.value.code.value == "state_invalid"


def test_an_expired_state_is_refused(world: World) -> None:
    state = world.start()
    world.clock.advance(11 * 60)
    with pytest.raises(ConnectError) as caught:
        world.complete(state)
    assert caught.value.code.value == "state_invalid"
    assert world.connections.items == {}


def test_cancel_on_googles_page_is_access_denied_and_burns_the_state(world: World) -> None:
    state = world.start()
    with pytest.raises(ConnectError) as caught:
        world.complete(state, code=None, error="access_denied")
    assert caught.value.code.value == "access_denied"
    with pytest.raises(ConnectError):
        world.complete(state)


def test_an_unticked_scope_stores_nothing_and_gives_the_grant_back(world: World) -> None:
    world.oauth.granted = frozenset({GMAIL_SEND})
    with pytest.raises(ConnectError) as caught:
        world.complete(world.start())
    assert caught.value.code.value == "scope_missing"
    assert world.connections.items == {}
    assert world.oauth.revoked == ["access-code-1"]
    assert world.events.published == []


def test_a_superset_of_scopes_is_fine(world: World) -> None:
    world.oauth.granted = world.oauth.granted | {"openid"}
    assert world.complete(world.start()).email == "owner@company.example"


def test_no_refresh_token_is_an_error(world: World) -> None:
    world.oauth.refresh_token = None
    with pytest.raises(ConnectError) as caught:
        world.complete(world.start())
    assert caught.value.code.value == "exchange_failed"
    assert world.connections.items == {}


def test_a_refused_code_is_exchange_failed(world: World) -> None:
    world.oauth.exchange_fails = True
    with pytest.raises(ConnectError) as caught:
        world.complete(world.start())
    assert caught.value.code.value == "exchange_failed"


def test_an_account_without_gmail(world: World) -> None:
    world.profiles.error = AuthorizationLostError("account_disabled")
    with pytest.raises(ConnectError) as caught:
        world.complete(world.start())
    assert caught.value.code.value == "gmail_unavailable"
    assert world.connections.items == {}


def test_connecting_another_account_replaces_and_revokes_the_first(world: World) -> None:
    world.complete(world.start())
    world.profiles.email, world.profiles.history_id = "second@company.example", "5000"
    world.oauth.refresh_token = "refresh-2"
    world.complete(world.start())
    stored = world.connections.get("ws_a")
    assert stored is not None
    assert stored.email == "second@company.example"
    assert stored.history_id == "5000"
    assert world.oauth.revoked == ["refresh-1"]


def test_reconnecting_the_same_account_keeps_the_reply_cursor(world: World) -> None:
    world.complete(world.start())
    world.connections.mark_needs_reconnect("ws_a", "token_revoked", world.clock())
    world.profiles.history_id = "9000"
    world.complete(world.start())
    stored = world.connections.get("ws_a")
    assert stored is not None
    assert stored.status is ConnectionStatus.CONNECTED
    assert stored.history_id == "1000", "replies that arrived while disconnected must still be found"
    assert world.oauth.revoked == []
    assert len(world.redrive.calls) == 2


def test_disconnect_revokes_forgets_and_is_idempotent(world: World) -> None:
    world.complete(world.start())
    world.disconnect()
    world.disconnect()
    stored = world.connections.get("ws_a")
    assert stored is not None
    assert stored.status is ConnectionStatus.DISCONNECTED
    assert stored.refresh_token_ciphertext is None
    assert stored.email is None
    assert world.oauth.revoked == ["refresh-1"]
    assert [e.detail_type for e in world.events.published].count(DetailType.GMAIL_DISCONNECTED) == 1


def test_a_revoke_google_did_not_confirm_is_recorded_not_fatal(world: World) -> None:
    world.complete(world.start())
    world.oauth.revoke_outcome = "failed"
    world.disconnect()
    stored = world.connections.get("ws_a")
    assert stored is not None
    assert stored.status is ConnectionStatus.DISCONNECTED
    assert "Third-party apps" in (stored.last_error or "")


def test_already_revoked_counts_as_revoked(world: World) -> None:
    world.complete(world.start())
    world.oauth.revoke_outcome = "already_revoked"
    world.disconnect()
    stored = world.connections.get("ws_a")
    assert stored is not None
    assert stored.last_error is None


def test_one_account_in_two_workspaces_is_revoked_only_when_the_last_lets_go(world: World) -> None:
    # Given the same Google account connected in two workspaces,
    world.complete(world.start("ws_a"))
    world.complete(world.start("ws_b"))
    # When one disconnects, Google's grant (one per account) stays: the other keeps sending.
    world.disconnect("ws_a")
    assert world.oauth.revoked == []
    assert world.connections.get("ws_b").status is ConnectionStatus.CONNECTED
    # When the last one disconnects, the grant goes.
    world.disconnect("ws_b")
    assert len(world.oauth.revoked) == 1


def test_replacing_an_account_another_workspace_holds_does_not_revoke_it(world: World) -> None:
    world.complete(world.start("ws_a"))
    world.complete(world.start("ws_b"))
    world.profiles.email = "other@company.example"
    world.complete(world.start("ws_a"))  # ws_a moves to another account; ws_b still holds the first
    assert world.oauth.revoked == []
