"""What one role is shown of a negotiation under the post-settlement protocol.

The offers protocol's view (``game.core.views.negotiation_view``) plus ``post_settlement``:

- before the deal: ``{"state": "upcoming", "time_limit_s", "max_offers"}`` (what will follow);
- from the first deal: ``state`` open | closed, ``deal`` (the deal in force: package and YOUR
  points), ``first_deal`` (the same of the first deal), ``proposals`` (each with YOUR points of
  its packages and your points of the deal in force when it was made, ``deal_points``, and its
  ``answer``), ``pending`` (the id of the proposal waiting for an answer), ``proposals_left``,
  ``deadline``, ``package_bounds``, ``closed`` ({reason, by} once closed).

Privacy as everywhere: while the negotiation is open (the phase included) the view reads the
viewer's points only. Once it has ended, the debrief adds ``post_settlement`` with both roles'
points of the first deal, of every deal in force and of the final one (the chart's path).
"""

from __future__ import annotations

from typing import Any

from game.core.views import negotiation_view


def _rule(state: Any) -> str:
    hi = 1 if state.condition == "single" else state.scenario.max_packages
    many = "one package" if hi == 1 else f"one package, or 2–{hi} packages of equal value to you,"
    return (
        "The deal stands. You may now propose changes that you both might prefer: "
        f"{many} at a time. Nothing changes unless the other side accepts. Either of you may "
        "close this phase at any time, and the deal stands."
    )


def phase_view(state: Any, role: str) -> dict[str, Any]:
    ph = state.phase
    if ph is None:
        return {
            "state": "upcoming",
            "time_limit_s": state.phase_time_limit_s,
            "max_offers": state.phase_max_offers,
        }
    k = state.scenario.role_index(role)
    answers = {a["offer_id"]: a for a in ph.answers}
    # your points of the deal in force when each proposal was made
    in_force, deal_at = ph.deals[0][1][k], {}
    accepted = {d[2]: d[1][k] for d in ph.deals if d[2]}
    for o in ph.proposals:
        deal_at[o.id] = in_force
        if o.id in accepted:
            in_force = accepted[o.id]
    hi = 1 if state.condition == "single" else state.scenario.max_packages
    return {
        "state": "closed" if ph.closed else "open",
        "rule": _rule(state),
        "time_limit_s": state.phase_time_limit_s,
        "max_offers": state.phase_max_offers,
        "proposals_left": state.phase_left,
        "deadline": state.deadline,
        "package_bounds": [1, hi],
        "deal": {"package": dict(ph.deal), "points": ph.points[k]},
        "first_deal": {"package": dict(ph.first[0]), "points": ph.first[1][k]},
        "deals_made": len(ph.deals) - 1,
        "pending": ph.pending,
        "proposals": [
            {
                "id": o.id,
                "seq": o.seq,
                "by": o.by,
                "packages": [dict(p) for p in o.packages],
                "points": [p[k] for p in o.points],
                "deal_points": deal_at[o.id],
                "based_on": o.based_on,
                "at": o.at,
                "answer": (answers.get(o.id) or {}).get("answer"),
                "accepted_package": (answers.get(o.id) or {}).get("package"),
            }
            for o in ph.proposals
        ],
        "closed": None
        if ph.closed is None
        else {"reason": ph.closed["reason"], "by": ph.closed["by"]},
    }


def view(state: Any, role: str, *, partner: dict[str, Any], analysis: dict | None = None) -> dict:
    out = negotiation_view(state, role, partner=partner, analysis=analysis)
    out["post_settlement"] = phase_view(state, role)
    if state.in_phase:
        out["package_bounds"] = out["post_settlement"]["package_bounds"]
    if out.get("debrief") is not None and state.phase is not None:
        ph = state.phase
        out["debrief"]["post_settlement"] = {
            "first": list(ph.first[1]),
            "final": list(ph.points),
            "deals": [list(d[1]) for d in ph.deals],
            "proposals": [
                {"seq": o.seq, "by": o.by, "points": [list(p) for p in o.points]}
                for o in ph.proposals
            ],
        }
    return out
