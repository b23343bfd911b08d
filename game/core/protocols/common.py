"""What every negotiation protocol shares: the error its rules raise, how a state reads its end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class RuleError(Exception):
    """An action the rules refuse, with one of the contract's error codes (PROTOCOL.md 4)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def as_answer(self) -> dict[str, Any]:
        return {"ok": False, "error": {"code": self.code, "message": self.message}}


# Events logged beside a negotiation's play that no protocol folds (PROTOCOL.md section 6): a
# ``suggest`` request and what it returned, an action refused with its error code.
LOG_ONLY = frozenset({"suggested", "refused"})


def played(events: list[dict]) -> list[dict]:
    """The events a protocol folds: every event but the log-only ones."""
    return [e for e in events if e.get("type") not in LOG_ONLY]


class Ending:
    """A state's status read from its ``outcome`` (None while open; an ``accepted`` outcome is
    an agreement, any other an impasse): the one definition every protocol's State uses."""

    outcome: Any

    @property
    def status(self) -> str:
        if self.outcome is None:
            return "open"
        return "agreed" if self.outcome.reason == "accepted" else "impasse"

    @property
    def is_open(self) -> bool:
        return self.outcome is None


def replayer(fold: Callable[[Any, dict], Any]) -> Callable[[Any, list[dict]], Any]:
    """A protocol's ``replay``: its ``fold`` over ``events`` from ``state``, in order."""

    def replay(state: Any, events: list[dict]) -> Any:
        for e in events:
            state = fold(state, e)
        return state

    return replay


def opening(
    state_cls: Any,
    conditions: tuple[str, ...],
    negotiation_id: str,
    scenario: Any,
    condition: str,
    *,
    started_at: float,
    max_offers: int | None,
    time_limit_s: float | None,
    deadline: float | None,
) -> Any:
    """A just-paired negotiation's state (``state_cls``): the condition checked against the
    protocol's ``conditions``, the deadline from the time limit, the scenario's offer limit
    unless ``max_offers`` is given. What every protocol's ``new_state`` shares."""
    if condition not in conditions:
        raise ValueError(f"unknown condition {condition!r}")
    if deadline is None and time_limit_s is not None:
        deadline = started_at + time_limit_s
    return state_cls(
        id=negotiation_id,
        scenario=scenario,
        condition=condition,
        max_offers=max_offers if max_offers is not None else scenario.max_offers,
        deadline=deadline,
        started_at=started_at,
    )


def negotiation_fields(state: Any, role: str, rule: str) -> dict[str, Any]:
    """What every seat's view shows of the negotiation itself, whatever the protocol: its id,
    the seat, the condition and its rule for the seat, the turn, the clock, the status and the
    offer limit (game.core.views and middle.base_view add the rest)."""
    return {
        "id": state.id,
        "role": role,
        "condition": state.condition,
        "condition_rule": rule,
        "turn": state.turn,
        "deadline": state.deadline,
        "started_at": state.started_at,
        "status": state.status,
        "offers_left": state.offers_left,
        "max_offers": state.max_offers,
    }
