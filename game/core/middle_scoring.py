"""Measures and debrief of the protocols with a middle seat (mediated, single_text).

Pure functions of a state (the fold of its events) and the scenario's analysis. Each
proposal or draft is a point on the outcome chart: its *path* is the list of these points,
each with its distance to the Pareto frontier, so the debrief and the exports show how close
the process came, step by step. docs/metrics.md defines every measure.
"""

from __future__ import annotations

from typing import Any

from game.core import analysis, scoring

MEASURES = (
    "protocol",
    "steps",
    "confided_0",
    "confided_1",
    "changes_asked_0",
    "changes_asked_1",
    "rejections_0",
    "rejections_1",
    "path_distances",
    "first_distance",
    "last_distance",
)


def steps_of(state: Any) -> tuple:
    """The proposals (mediated) or drafts (single_text) of a state, in order; () for a
    negotiation without a middle seat."""
    items = getattr(state, "proposals", None)
    return items if items is not None else getattr(state, "drafts", ())


def path(state: Any) -> list[dict[str, Any]]:
    """The proposals (mediated) or drafts (single_text) in order: seq, package, both points."""
    return [
        {"seq": x.seq, "package": dict(x.package), "points": list(x.points)}
        for x in steps_of(state)
    ]


def measures(state: Any, *, frontier: Any = None) -> dict[str, Any]:
    """The per-protocol measures of one negotiation, keyed by :data:`MEASURES`."""
    sc = state.scenario
    r0, r1 = sc.role_ids
    steps = path(state)
    distances = [
        round(analysis.distance_to_frontier(sc, s["points"], frontier=frontier), 6) for s in steps
    ]
    out: dict[str, Any] = dict.fromkeys(MEASURES)
    out.update(
        protocol="mediated" if hasattr(state, "proposals") else "single_text",
        steps=len(steps),
        path_distances=distances,
        first_distance=distances[0] if distances else None,
        last_distance=distances[-1] if distances else None,
    )
    if hasattr(state, "proposals"):
        out["confided_0"] = len(state.confided.get(r0, ()))
        out["confided_1"] = len(state.confided.get(r1, ()))
        for k, r in enumerate((r0, r1)):
            out[f"rejections_{k}"] = sum(
                1 for p in state.proposals if r in p.answers and not p.answers[r]["accept"]
            )
    else:
        for k, r in enumerate((r0, r1)):
            out[f"changes_asked_{k}"] = sum(
                1 for d in state.drafts for m in d.marks.get(r, {}).values() if not m["ok"]
            )
    return out


def debrief(state: Any, seat: str, analysis_data: dict[str, Any]) -> dict[str, Any]:
    """The whole picture for any seat, both parties' points included: only once ended."""
    if state.is_open:
        raise ValueError("a debrief is only for a negotiation that has ended")
    sc = state.scenario
    frontier = analysis_data["pareto"]
    m = scoring.score(state, frontier=frontier)
    you = sc.role_index(seat) if seat in sc.role_ids else None
    points = list(state.outcome.points)
    steps = path(state)
    mm = measures(state, frontier=frontier)
    for s, d in zip(steps, mm["path_distances"], strict=True):
        s["distance"] = d
    return {
        "roles": list(sc.role_ids),
        "role_names": [r.name for r in sc.roles],
        "you": you,
        "points": points,
        "your_points": points[you] if you is not None else None,
        "batnas": list(sc.batnas),
        "joint": m["joint"],
        "max_joint": m["max_joint"],
        "left_on_table": m["left_on_table"],
        "efficiency": m["efficiency"],
        "pareto_optimal": m["pareto_optimal"],
        "frontier": analysis.thin(frontier, 1500),
        "cloud": analysis_data.get("cloud", []),
        "nash": (analysis_data.get("nash") or {}).get("points"),
        "compromise": (analysis_data.get("compromise") or {}).get("points"),
        "path": steps,
        "measures": mm,
    }
