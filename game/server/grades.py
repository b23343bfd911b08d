"""Grades: one row per participant of a session, for the instructor's gradebook.

Each row gives the name and student id (the participant's ``label``), then per round the
role, partner, outcome, points and score within role, and the totals of
:func:`game.server.reads.standings` (whose switch, the session's ``count_instructor_ended``,
decides whether negotiations the instructor ended count). Read from the hub's public reads
only; nothing is changed. ``grades_csv`` is the CSV of ``GET /api/sessions/<code>/grades.csv``
(columns in docs/data-dictionary.md).
"""

from __future__ import annotations

import csv
import io

from game.server import reads
from game.server.hub import Hub

OUTCOMES = {
    "accepted": "deal",
    "walked_away": "walked away",
    "deadline": "time ran out",
    "instructor": "ended by instructor",
}
PER_ROUND = ("role", "partner", "outcome", "points", "score")
HEAD = ("name", "student_id", "participant_id")
TOTALS = ("negotiations", "points_total", "score_within_role", "joint_total")


def grades(hub: Hub, code: str, include_instructor: bool | None = None) -> dict:
    """``{"rounds": [round numbers], "rows": [...], "count_instructor_ended": bool}``: every
    participant in order of standing, each with ``rounds`` keyed by round number. A session
    paired on arrival numbers each participant's negotiations 1, 2, ..."""
    s = hub.session(code)
    include = s.count_instructor_ended if include_instructor is None else include_instructor
    table = reads.standings(hub, s.code, include)
    z = {(x["negotiation_id"], r["participant_id"]): x["z"] for r in table for x in r["rounds"]}
    _, negs = hub.members(s.code)
    by_id = {n.id: n for n in negs}
    numbers: set[int] = set()
    rows = []
    for t in table:
        p = hub.participant(t["participant_id"])
        played: dict[int, dict] = {}
        for i, nid in enumerate(p.negotiations if p else []):
            n = by_id.get(nid)
            if n is None:
                continue
            k = n.participants.index(p.id)
            other = hub.participant(n.participants[1 - k])
            st = n.state
            number = n.round if s.pairing == "rounds" else i + 1
            numbers.add(number)
            is_counted = reads.counted(n, include)
            played[number] = {
                "role": st.scenario.roles[k].name,
                "partner": other.name if other else "",
                "outcome": "open" if st.is_open else OUTCOMES.get(st.outcome.reason, ""),
                "points": st.outcome.points[k] if is_counted else None,
                "score": z.get((n.id, p.id)) if is_counted else None,
                "counted": is_counted,
            }
        rows.append({**{k: t[k] for k in TOTALS}, "name": t["name"], "student_id": t["label"],
                     "participant_id": t["participant_id"], "rounds": played})  # fmt: skip
    return {"rounds": sorted(numbers), "rows": rows, "count_instructor_ended": include}


def grades_csv(hub: Hub, code: str, include_instructor: bool | None = None) -> str:
    """The grades as CSV: name, student_id, participant_id, then ``round_<n>_<field>`` for
    each round (role, partner, outcome, points, score), then the totals."""
    g = grades(hub, code, include_instructor)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*HEAD, *(f"round_{n}_{f}" for n in g["rounds"] for f in PER_ROUND), *TOTALS])
    for r in g["rows"]:
        cells = [r["name"], r["student_id"], r["participant_id"]]
        for n in g["rounds"]:
            x = r["rounds"].get(n) or {}
            cells += ["" if x.get(f) is None else x[f] for f in PER_ROUND]
        cells += [r[k] for k in TOTALS]
        w.writerow(cells)
    return out.getvalue()
