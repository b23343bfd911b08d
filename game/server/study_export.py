"""The study's export tables: questionnaire answers (``responses``), one row per participant
(``participants_wide``) and the participants' study columns, read from the session events.

docs/data-dictionary.md describes every column; game.server.export puts them beside the
negotiation tables.
"""

from __future__ import annotations

import json
from typing import Any

from game.core import questionnaires
from game.core.study import STUDY_EVENTS, Progress
from game.server.store import Store, iso

RESPONSE_COLUMNS = [
    "participant_id",
    "session_code",
    "questionnaire",
    "point",
    "item",
    "kind",
    "scale",
    "value",
    "correct",
    "answered_at",
]
WIDE_COLUMNS = [
    "participant_id",
    "session_code",
    "external_id",
    "completion",
    "negotiation_id",
    "condition",
    "role",
    "points",
    "partner_points",
    "end_reason",
    "attention_passed",
]


def _where(session_code: str | None) -> tuple[str, list]:
    return ("WHERE session_code = ?", [session_code]) if session_code else ("", [])


def _events(store: Store, session_code: str | None) -> list[dict]:
    where, params = _where(session_code)
    marks = ", ".join("?" for _ in STUDY_EVENTS)
    return store.read(
        f"SELECT * FROM events {where + (' AND' if where else 'WHERE')} negotiation_id IS NULL"
        f" AND type IN ({marks}) ORDER BY event_id",
        [*params, *STUDY_EVENTS],
    )


def _forms(store: Store, session_code: str | None) -> dict[str, dict[str, dict]]:
    """Each session's questionnaire copies, by session code then questionnaire id."""
    where, params = _where(session_code)
    out = {}
    for r in store.read(f"SELECT * FROM sessions {where.replace('session_code', 'code')}", params):
        st = json.loads(r["study"]) if r.get("study") else {}
        out[r["code"]] = st.get("forms", {})
    return out


def settings_of(row: dict) -> dict | None:
    """The study settings of a session row for ``session.json`` (without the questionnaires'
    copies, which are named by id)."""
    if not row.get("study"):
        return None
    st = json.loads(row["study"])
    return {k: v for k, v in st.items() if k != "forms"}


def _progress(store: Store, session_code: str | None) -> dict[str, Progress]:
    out: dict[str, Progress] = {}
    for r in _events(store, session_code):
        e = json.loads(r["payload"])
        e["type"] = r["type"]
        e["created_at"] = r["created_at"]
        out.setdefault(r["participant_id"], Progress()).apply(e)
    return out


def completion(p: Progress | None) -> str | None:
    """A participant's completion status: completed, released, declined, or empty."""
    if p is None:
        return None
    if p.declined:
        return "declined"
    if p.completed_at:
        return "released" if p.released else "completed"
    return None


def participants(store: Store, rows: list[dict], session_code: str | None) -> list[dict]:
    """The participants table's rows with their study columns."""
    if not rows:
        return rows
    progress = _progress(store, session_code)
    where, params = _where(session_code)
    external = {
        r["participant_id"]: r.get("external_id")
        for r in store.read(f"SELECT * FROM participants {where}", params)
    }
    for r in rows:
        pr = progress.get(r["participant_id"])
        r["external_id"] = external.get(r["participant_id"])
        r["consented_at"] = pr.consented_at if pr else None
        r["completion"] = completion(pr)
        r["completed_at"] = pr.completed_at if pr else None
    return rows


def responses(store: Store, session_code: str | None) -> list[dict]:
    """One row per participant and item answered: the last answer given (an answer cleared
    later has no row)."""
    forms = _forms(store, session_code)
    last: dict[tuple[str, str, str], dict] = {}
    for r in _events(store, session_code):
        if r["type"] != "responded":
            continue
        e = json.loads(r["payload"])
        key = (r["participant_id"], e["questionnaire"], e["item"])
        last.pop(key, None)  # re-inserted: rows follow the order of the last answers
        last[key] = {**e, "session_code": r["session_code"], "answered_at": r["created_at"]}
    out = []
    for (pid, qid, iid), e in last.items():
        if e["value"] is None:
            continue
        q = forms.get(e["session_code"], {}).get(qid)
        it = next((x for x in questionnaires.items(q) if x["id"] == iid), {}) if q else {}
        out.append(
            {
                "participant_id": pid,
                "session_code": e["session_code"],
                "questionnaire": qid,
                "point": e.get("point"),
                "item": iid,
                "kind": it.get("kind"),
                "scale": it.get("scale"),
                "value": e["value"],
                "correct": questionnaires.is_correct(it, e["value"]) if it else None,
                "answered_at": e["answered_at"],
            }
        )
    return out


def scale_scores(store: Store, session_code: str | None) -> dict[str, dict[str, float]]:
    """Each participant's scale means (reversed items reversed), by participant id."""
    forms = _forms(store, session_code)
    answers: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in responses(store, session_code):
        key = (r["participant_id"], r["session_code"], r["questionnaire"])
        answers.setdefault(key, {})[r["item"]] = r["value"]
    out: dict[str, dict[str, float]] = {}
    for (pid, code, qid), given in answers.items():
        q = forms.get(code, {}).get(qid)
        if q:
            out.setdefault(pid, {}).update(questionnaires.scale_scores(q, given))
    return out


def wide(store: Store, session_code: str | None, negotiations: list[dict] | None = None):
    """One row per participant: their negotiation (the last), its outcome for them, whether
    they passed every attention check, each scale's mean (``scale_<id>``) and every answer
    (``<questionnaire>.<item>``)."""
    from game.server.export import table  # the negotiations table, computed once here

    where, params = _where(session_code)
    parts = store.read(
        f"SELECT * FROM participants {where} ORDER BY seq",
        params,
    )
    negs = negotiations if negotiations is not None else table(store, "negotiations", session_code)
    seat: dict[str, tuple[dict, int]] = {}
    for n in negs:
        for k in (0, 1):
            seat[n[f"participant_{k}"]] = (n, k)
    progress = _progress(store, session_code)
    scales = scale_scores(store, session_code)
    answers: dict[str, dict[str, Any]] = {}
    attention: dict[str, list[bool]] = {}
    for r in responses(store, session_code):
        answers.setdefault(r["participant_id"], {})[f"{r['questionnaire']}.{r['item']}"] = r[
            "value"
        ]
        if r["correct"] is not None:
            attention.setdefault(r["participant_id"], []).append(r["correct"])
    out = []
    for p in parts:
        pid = p["participant_id"]
        n, k = seat.get(pid, (None, 0))
        row = {
            "participant_id": pid,
            "session_code": p["session_code"],
            "external_id": p.get("external_id"),
            "completion": completion(progress.get(pid)),
            "negotiation_id": n["negotiation_id"] if n else None,
            "condition": n["condition"] if n else None,
            "role": n[f"role_{k}"] if n else None,
            "points": n[f"points_{k}"] if n else None,
            "partner_points": n[f"points_{1 - k}"] if n else None,
            "end_reason": n["end_reason"] if n else None,
            "attention_passed": all(attention[pid]) if pid in attention else None,
        }
        for scale, v in sorted(scales.get(pid, {}).items()):
            row[f"scale_{scale}"] = v
        row.update(answers.get(pid, {}))
        out.append(row)
    return out


__all__ = ["RESPONSE_COLUMNS", "WIDE_COLUMNS", "iso"]
