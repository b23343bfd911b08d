"""The export's parts for the protocols with a middle seat (docs/protocols.md): the ``steps``
table (one row per mediator's proposal or facilitator's draft) and the negotiations' extra
columns. Recomputed from each negotiation's fold like the rest of the export."""

from __future__ import annotations

from typing import Any

from game.core import analysis, middle_scoring
from game.server.store import iso

STEP_COLUMNS = [
    "step_id",
    "negotiation_id",
    "session_code",
    "protocol",
    "seq",
    "middle_participant_id",
    "package",
    "points_0",
    "points_1",
    "joint",
    "distance_to_frontier",
    "answer_0",
    "answer_1",
    "changes_asked_0",
    "changes_asked_1",
    "agreed",
    "created_at",
]
# the negotiations table's columns for a negotiation with a middle seat, after its own
NEGOTIATION_EXTRA = [
    "protocol",
    "participant_2",
    "steps",
    "confided_0",
    "confided_1",
    "rejections_0",
    "rejections_1",
    "changes_asked_0",
    "changes_asked_1",
    "first_distance",
    "last_distance",
]


def has_middle(state: Any) -> bool:
    return hasattr(state, "proposals") or hasattr(state, "drafts")


def negotiation_extra(row: dict, state: Any, frontier: Any) -> dict:
    """The extra columns of one negotiation with a middle seat."""
    m = middle_scoring.measures(state, frontier=frontier)
    out = {k: m.get(k) for k in NEGOTIATION_EXTRA}
    out["participant_2"] = row.get("participant_2")
    return out


def _answer(state: Any, item: Any, role: str) -> str | None:
    if hasattr(item, "answers"):
        a = item.answers.get(role)
        return None if a is None else ("accept" if a["accept"] else "reject")
    if role in item.endorsed:
        return "endorsed"
    return "marked" if role in item.marks else None


def steps(rows_states: list[tuple[dict, Any]]) -> list[dict]:
    out = []
    for row, st in rows_states:
        if not has_middle(st):
            continue
        sc = st.scenario
        front = analysis.frontier(sc)
        items = st.proposals if hasattr(st, "proposals") else st.drafts
        protocol = "mediated" if hasattr(st, "proposals") else "single_text"
        o = st.outcome
        for item in items:
            rec = {
                "step_id": item.id,
                "negotiation_id": st.id,
                "session_code": row["session_code"],
                "protocol": protocol,
                "seq": item.seq,
                "middle_participant_id": row.get("participant_2"),
                "package": item.package,
                "points_0": item.points[0],
                "points_1": item.points[1],
                "joint": item.points[0] + item.points[1],
                "distance_to_frontier": round(
                    analysis.distance_to_frontier(sc, item.points, frontier=front), 6
                ),
                "agreed": bool(o is not None and o.reason == "accepted" and item is items[-1]),
                "created_at": iso(item.at),
            }
            for k, role in enumerate(sc.role_ids):
                rec[f"answer_{k}"] = _answer(st, item, role)
                rec[f"changes_asked_{k}"] = (
                    sum(1 for m in item.marks.get(role, {}).values() if not m["ok"])
                    if protocol == "single_text"
                    else None
                )
            out.append(rec)
    return out
