"""Measures of the post-settlement phase of one negotiation (docs/metrics.md), pure.

The negotiation's own columns (``points_0``, ``pareto_optimal``, ...) score the final deal, as
for any agreement; these add the first deal and what the phase changed. A negotiation played
without the phase (another protocol) has them all empty; one with the phase but no deal has
``post_settlement`` true and the rest empty.
"""

from __future__ import annotations

from typing import Any

from game.core import analysis
from game.core.stats import mean

COLUMNS: tuple[str, ...] = (
    "post_settlement",
    "first_deal",
    "first_deal_points_0",
    "first_deal_points_1",
    "first_deal_joint",
    "first_deal_pareto_optimal",
    "first_deal_at",
    "pss_proposals",
    "pss_deals",
    "pss_final_proposer",
    "pss_gain_0",
    "pss_gain_1",
    "pss_gain_joint",
    "pss_close_reason",
    "pss_closed_by",
    "pss_duration_s",
)


def measures(state: Any, *, frontier: Any = None) -> dict[str, Any]:
    """The phase's measures of ``state`` keyed by :data:`COLUMNS` (times in epoch seconds)."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    if not hasattr(state, "phase_max_offers"):
        return row
    row["post_settlement"] = True
    ph = state.phase
    if ph is None:
        return row
    sc = state.scenario
    front = [tuple(p) for p in frontier] if frontier is not None else None
    package, (f0, f1), _, at = ph.first
    d0, d1 = ph.points
    final = ph.deals[-1][2]  # the proposal whose acceptance made the deal in force, or None
    row.update(
        first_deal=dict(package),
        first_deal_points_0=f0,
        first_deal_points_1=f1,
        first_deal_joint=f0 + f1,
        first_deal_pareto_optimal=analysis.is_pareto_optimal(sc, (f0, f1), frontier=front),
        first_deal_at=at,
        pss_proposals=len(ph.proposals),
        pss_deals=len(ph.deals) - 1,
        pss_final_proposer=ph.proposal(final).by if final else None,
        pss_gain_0=d0 - f0,
        pss_gain_1=d1 - f1,
        pss_gain_joint=(d0 + d1) - (f0 + f1),
    )
    if ph.closed is not None:
        row.update(
            pss_close_reason=ph.closed["reason"],
            pss_closed_by=ph.closed["by"],
            pss_duration_s=ph.closed["at"] - at,
        )
    return row


def summary(negotiations: list[dict], conditions: list[str]) -> dict[str, Any]:
    """The instructor's debrief of the phase by condition, from the hub's negotiation summaries
    (``game.server.reads.negotiation_summary``: ``condition``, ``status`` and
    ``post_settlement``, the measures above): each condition's counts and means, and every
    finished negotiation's path from its first deal to its final one."""
    by: dict[str, list[dict]] = {c: [] for c in dict.fromkeys(conditions)}
    paths = []
    for n in negotiations:
        m = n.get("post_settlement") or {}
        if m.get("first_deal") is None or n.get("status") == "open":
            continue
        final_po = (n.get("metrics") or {}).get("pareto_optimal")
        by.setdefault(n["condition"], []).append({**m, "final_pareto_optimal": final_po})
        paths.append(
            {
                "negotiation_id": n["negotiation_id"],
                "condition": n["condition"],
                "first": [m["first_deal_points_0"], m["first_deal_points_1"]],
                "final": list(n["points"]),
                "proposals": m["pss_proposals"],
            }
        )

    rows = []
    everyone = [m for group in by.values() for m in group]
    for c, ms in [*by.items(), ("all", everyone)]:
        rows.append(
            {
                "condition": c,
                "deals": len(ms),
                "improved": sum(1 for m in ms if m["pss_deals"]),
                "proposals": mean([m["pss_proposals"] for m in ms]),
                "gain_0": mean([m["pss_gain_0"] for m in ms]),
                "gain_1": mean([m["pss_gain_1"] for m in ms]),
                "gain_joint": mean([m["pss_gain_joint"] for m in ms]),
                "first_pareto": mean([1.0 if m["first_deal_pareto_optimal"] else 0.0 for m in ms]),
                "final_pareto": mean([1.0 if m["final_pareto_optimal"] else 0.0 for m in ms]),
            }
        )
    return {"rows": rows, "paths": paths}
