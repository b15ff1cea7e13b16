"""The mailbox pace in memory, with the DynamoDB adapter's conditions; tests/unit/contracts proves they agree."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from gmail_integration.models.pacing import GMAIL_PAIR_WINDOW_S, PaceSettings, PaceState, window_of


def _ms(value: float) -> float:
    """DynamoDB keeps the adapter's numbers to the millisecond; so does the fake."""
    return round(value, 3)


@dataclass
class FakeMailboxPace:
    """Implements MailboxPace over a dict keyed by workspace id."""

    states: dict[str, PaceState] = field(default_factory=dict)
    reservations: list[float] = field(default_factory=list)
    taken: list[float] = field(default_factory=list)

    def read(self, workspace_id: str) -> PaceState:
        return self.states.get(workspace_id, PaceState())

    def reserve(self, workspace_id: str, earliest: float, step: float, hint: PaceState | None = None) -> float:
        state = self.read(workspace_id)
        slot = state.next_slot if state.next_slot is not None and state.next_slot >= _ms(earliest) else _ms(earliest)
        self.states[workspace_id] = replace(state, next_slot=_ms(slot + _ms(step)))
        self.reservations.append(slot)
        return slot

    def take(
        self, workspace_id: str, now: float, interval: float, max_per_hour: int, hint: PaceState | None = None
    ) -> tuple[bool, PaceState]:
        state = self.read(workspace_id)
        window = window_of(now)
        gap_ok = state.prev_send is None or state.prev_send <= _ms(now - GMAIL_PAIR_WINDOW_S)
        if interval > 0:
            gap_ok = gap_ok and (state.last_send is None or state.last_send <= _ms(now - interval))
        stamped = replace(state, prev_send=state.last_send if state.last_send is not None else 0.0, last_send=_ms(now))
        if state.window == window:
            allowed = gap_ok and (not max_per_hour or state.sent_in_window < max_per_hour)
            after = replace(stamped, sent_in_window=state.sent_in_window + 1)
        else:
            allowed = gap_ok and (state.window is None or state.window < window)
            after = replace(stamped, window=window, sent_in_window=1)
        if not allowed:
            return False, state
        self.states[workspace_id] = after
        self.taken.append(_ms(now))
        return True, after

    def configure(self, workspace_id: str, settings: PaceSettings) -> PaceState:
        state = self.read(workspace_id)
        if settings.min_gap_s is not None:
            state = replace(state, min_gap_s=settings.min_gap_s)
        if settings.max_per_hour is not None:
            state = replace(state, max_per_hour=settings.max_per_hour)
        self.states[workspace_id] = state
        return state
