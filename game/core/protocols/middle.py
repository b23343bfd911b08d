"""What the two protocols with a third seat share (:mod:`.mediated` and :mod:`.single_text`).

A negotiation of these protocols has three *seats*: the scenario's two roles (the parties, by
role index 0 and 1, as everywhere in the core) and the middle seat (``mediator`` or
``facilitator``). A seat id is a role id or the middle seat's name. The middle seat has no
points, no brief and no BATNA: its view is built from what the protocol lets it see.

The outcome is :class:`game.core.protocols.offers.Outcome`, so scoring and the exports read an
outcome the same way in every protocol (``reason`` accepted | walked_away | deadline).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from game.core.protocols.common import RuleError, negotiation_fields
from game.core.protocols.offers import Outcome
from game.core.protocols.offers_payloads import MAX_CHAT, _check_package_shape, check_id
from game.core.scenario import Scenario

MAX_REASON = 500

__all__ = [
    "MAX_CHAT",
    "MAX_REASON",
    "Outcome",
    "bad_request",
    "check_fields",
    "check_id",
    "check_package",
    "check_text",
    "due",
    "end_by_instructor",
    "ended",
    "open_now",
    "seats",
]


def bad_request(message: str) -> RuleError:
    return RuleError("bad_request", message)


def seats(scenario: Scenario, middle: str) -> tuple[str, str, str]:
    """The seats of a negotiation: role 0, role 1, the middle seat."""
    if middle in scenario.role_ids:
        raise ValueError(f"the scenario has a role named {middle!r}, the middle seat's name")
    return (*scenario.role_ids, middle)


# ---------------------------------------------------------------- payload shapes


def check_fields(payload: Any, allowed: set[str]) -> dict:
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise bad_request("the payload must be a JSON object")
    unknown = set(payload) - allowed
    if unknown:
        raise bad_request(f"unknown field {sorted(unknown)[0]!r}")
    return payload


def check_text(x: Any, where: str, limit: int, *, optional: bool = False) -> str:
    if x is None and optional:
        return ""
    if not isinstance(x, str):
        raise bad_request(f"{where} must be a string")
    x = x.strip()
    if len(x) > limit or (not x and not optional):
        raise bad_request(f"{where} must be {0 if optional else 1} to {limit} characters")
    return x


def check_package(x: Any, where: str) -> dict:
    return _check_package_shape(x, where)


# ---------------------------------------------------------------- time and ending


def open_now(state: Any, now: float) -> bool:
    return state.is_open and (state.deadline is None or now < state.deadline)


def due(state: Any, now: float) -> list[dict]:
    """The deadline, once it has passed (as in the offers protocol)."""
    if state.is_open and state.deadline is not None and now >= state.deadline:
        return [{"type": "deadline", "at": state.deadline}]
    return []


def end_by_instructor(state: Any, now: float) -> list[dict]:
    if not state.is_open:
        raise RuleError("not_negotiating", "this negotiation has ended")
    return [{"type": "ended", "by": "instructor", "at": now}]


def ended(state: Any, event: dict) -> Outcome | None:
    """The outcome of an ending event of any kind but an agreement, or None."""
    t = event["type"]
    if t in ("walked_away", "deadline"):
        return Outcome(t, None, state.scenario.batnas, event.get("role"))
    if t == "ended":
        return Outcome("deadline", None, state.scenario.batnas, event.get("by", "instructor"))
    return None


def settle(state: Any, event: dict, n: int, at: float) -> Any:
    """The last step of a middle-seat protocol's fold: an event that ends the negotiation
    (:func:`ended`) sets its outcome and end; any other only counts as folded."""
    outcome = ended(state, event)
    if outcome is not None:
        return replace(state, outcome=outcome, ended_at=at, events=n)
    return replace(state, events=n)


def seat_check(state: Any, seat: str, now: float, allowed: tuple[str, ...] | None) -> None:
    """Refuse a seat that is not of this negotiation, a closed negotiation, or a seat that may
    not take this action (``not_your_seat``)."""
    if seat not in state.seats:
        raise RuleError("not_negotiating", f"{seat!r} is not a seat of this negotiation")
    if not open_now(state, now):
        raise RuleError("not_negotiating", "this negotiation has ended")
    if allowed is not None and seat not in allowed:
        raise RuleError("not_your_seat", f"the {_seat_word(state, seat)} may not do this")


def _seat_word(state: Any, seat: str) -> str:
    if seat in state.scenario.role_ids:
        return f"party ({state.scenario.role(seat).name})"
    return seat


def party_names(scenario: Scenario) -> list[dict[str, str]]:
    """What the middle seat may know of the parties: their role ids and names only."""
    return [{"id": r.id, "name": r.name} for r in scenario.roles]


def issues_without_points(scenario: Scenario) -> list[dict[str, Any]]:
    """The issues and options with their labels, and no points of anyone (the middle seat's)."""
    return [
        {
            "id": i.id,
            "name": i.name,
            "options": [{"id": o.id, "label": o.label} for o in i.options],
        }
        for i in scenario.issues
    ]


def base_view(state: Any, seat: str, protocol: str, rule: str) -> dict:
    """What every seat of a protocol with a middle seat is shown of the negotiation itself (the
    protocol's view adds the seat's own parts)."""
    return {
        **negotiation_fields(state, seat, rule),
        "protocol": protocol,
        "outcome": outcome_view(state, seat),
        "debrief": None,
    }


def outcome_view(state: Any, seat: str) -> dict | None:
    """The outcome as a seat sees it: a party its own points, the middle seat no points."""
    o = state.outcome
    if o is None:
        return None
    out = {"reason": o.reason, "package": o.package, "by": o.by}
    if seat in state.scenario.role_ids:
        out["points"] = o.points[state.scenario.role_index(seat)]
    return out


def seat_info(info: dict | None, seat: str, role_name: str) -> dict:
    """Another seat as a view names it: its seat, role name, player's name, whether connected."""
    info = info or {}
    return {
        "role": seat,
        "role_name": role_name,
        "name": info.get("name"),
        "connected": bool(info.get("connected")),
    }
