"""What one participant is shown: built by one function from the negotiation and a role.

Privacy by construction: while a negotiation is open, :func:`negotiation_view` reads only the
viewer's column of the scenario (``Scenario.role_view``) and the viewer's points of each offer.
The other role's points, BATNA and brief enter the view only through :func:`debrief`, which is
called only once the negotiation has ended.
"""

from __future__ import annotations

from typing import Any

from game import rules
from game.rules import State


def negotiation_view(
    state: State,
    role: str,
    *,
    partner: dict[str, Any],
    analysis: dict[str, Any] | None = None,
) -> dict[str, Any]:
    sc = state.scenario
    k = sc.role_index(role)
    lo, hi = state.package_bounds(role)
    view = {
        "id": state.id,
        "role": role,
        "condition": state.condition,
        "condition_rule": rules.condition_rule(state, role),
        "turn": state.turn,
        "deadline": state.deadline,
        "started_at": state.started_at,
        "status": state.status,
        "offers_left": state.offers_left,
        "max_offers": state.max_offers,
        "package_bounds": [lo, hi],
        "scenario": sc.role_view(role),
        "offers": [rules.offer_view(o, k) for o in state.offers],
        "chat": [dict(c) for c in state.chat],
        "outcome": rules.outcome_view(state, role),
        "partner": {
            "name": partner.get("name"),
            "connected": bool(partner.get("connected")),
            "role": sc.other(role),
            "role_name": sc.role(sc.other(role)).name,
        },
        "debrief": None,
    }
    if not state.is_open and analysis is not None:
        view["debrief"] = debrief(state, role, analysis)
    return view


MAX_FRONTIER_POINTS = 1500


def thin(points: list, limit: int = MAX_FRONTIER_POINTS) -> list:
    """At most ``limit`` points, evenly spread and keeping both ends (for a chart)."""
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(k * step)] for k in range(limit)]


def debrief(state: State, role: str, analysis: dict[str, Any]) -> dict[str, Any]:
    """The whole picture, both roles' points included: only for a negotiation that has ended."""
    if state.is_open:
        raise ValueError("a debrief is only for a negotiation that has ended")
    sc = state.scenario
    k = sc.role_index(role)
    points = list(state.outcome.points)
    joint = points[0] + points[1]
    max_joint = analysis["max_joint"]
    frontier = analysis["pareto"]
    pareto_optimal = None
    if state.outcome.reason == "accepted":
        pareto_optimal = not any(
            (f[0] >= points[0] and f[1] >= points[1]) and (f[0] > points[0] or f[1] > points[1])
            for f in frontier
        )
    return {
        "roles": list(sc.role_ids),
        "role_names": [r.name for r in sc.roles],
        "you": k,
        "points": points,
        "your_points": points[k],
        "partner_points": points[1 - k],
        "batnas": list(sc.batnas),
        "joint": joint,
        "max_joint": max_joint,
        "left_on_table": max_joint - joint,
        "efficiency": (joint / max_joint) if max_joint > 0 else None,
        "pareto_optimal": pareto_optimal,
        "frontier": thin(frontier),
        "cloud": analysis.get("cloud", []),
        "nash": (analysis.get("nash") or {}).get("points"),
        "compromise": (analysis.get("compromise") or {}).get("points"),
        "offers": [
            {"seq": o.seq, "by": o.by, "points": [list(p) for p in o.points], "at": o.at}
            for o in state.offers
        ],
    }
