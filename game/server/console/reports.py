"""The console's reports on a session: the debrief and the export.

Blueprint ``console.reports``, under ``/instructor``:

- ``GET /instructor/sessions/<code>/debrief``: the debrief page
- ``GET /instructor/sessions/<code>/export``: the export page (each table, or all as a zip)

JSON (the Bearer key or the console's cookie, like the API of PROTOCOL.md section 3):

- ``GET /instructor/api/sessions/<code>/debrief``: :func:`game.core.debrief.summary` and the
  outcome space it is drawn on
- ``GET /instructor/api/negotiations/<id>/path``: one negotiation's offers with both roles' points
- ``GET /instructor/api/sessions/<code>/export.zip``: ``game.server.export.session_zip``
"""

from __future__ import annotations

import zlib
from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from game.core import debrief, trios
from game.core.protocols import pss_measures
from game.server import export, reads, web
from game.server.console.auth import CONDITION_NAMES, hub, page, render, store
from game.server.console.sessions import session_context
from game.server.hub import ApiError

bp = Blueprint("reports", __name__)

TABLE_HELP = {
    "negotiations": "one row per negotiation: condition, roles, outcome, points and every metric",
    "offers": "one row per package of every offer, with both roles' points and each issue's option",
    "events": "the event log: every proposal, acceptance, chat message, suggestion, refusal, "
    "answer and system event",
    "participants": "who joined: name, label, time, and in a study the panel id, consent and "
    "completion",
    "responses": "one row per questionnaire answer: questionnaire, item, value, time",
    "participants_wide": "one row per participant: outcome, scale means and every answer",
}


# ---------------------------------------------------------------- debrief


def debrief_data(code: str) -> dict[str, Any]:
    """What the debrief page draws: the summary, the outcome space and the negotiations."""
    h = hub()
    s = h.session(code)
    view = reads.session_view(h, s.code)
    sc = s.scenario
    a = h.analysis(sc)
    # human against human in the summary; against computer counterparts apart (agents_summary)
    pairs = {n["negotiation_id"]: pair_kind(n) for n in view["negotiations"]}
    # (a simulation's negotiations, agent against agent, are its whole debrief)
    humans = [n for n in view["negotiations"] if pairs[n["negotiation_id"]] != "human-agent"]
    with_agents = [n for n in view["negotiations"] if pairs[n["negotiation_id"]] == "human-agent"]
    records = debrief.records_from_view(humans)
    agent_records = debrief.records_from_view(with_agents)
    names = {p["participant_id"]: p["name"] for p in view["participants"]}
    scales = reads.scales(h, s.code)
    return {
        "scales": scales,
        "code": s.code,
        "title": sc.title,
        "pairing": s.pairing,
        "round": s.round,
        "roles": [{"id": r.id, "name": r.name, "batna": r.batna} for r in sc.roles],
        "session_conditions": s.conditions,
        "signature": debrief.signature(records)
        + (f":{zlib.crc32(repr(scales).encode())}" if scales else ""),
        "space": {
            "pareto": a["pareto"],
            "cloud": a.get("cloud", []),
            "batnas": a["batnas"],
            "compromise": (a.get("compromise") or {}).get("points"),
            "nash": (a.get("nash") or {}).get("points"),
            "max_joint": a["max_joint"],
            "ranges": a["ranges"],
        },
        "summary": debrief.summary(records, conditions=s.conditions, scenario=sc.to_dict()),
        "agents_summary": against_agents(with_agents, sc) if with_agents else None,
        "agents_detail": debrief.summary(agent_records, conditions=s.conditions)
        if with_agents
        else None,
        # the post-settlement phase by condition, and each pair's path from first to final deal
        "post_settlement": pss_measures.summary(view["negotiations"], s.conditions)
        if s.protocol == "pss"
        else None,
        "negotiations": [
            {
                "negotiation_id": n["negotiation_id"],
                "round": n["round"],
                "condition": n["condition"],
                "status": n["status"],
                "names": [names.get(x, x) for x in n["participants"]],
                "points": n["points"],
                "offers_count": n["offers_count"],
                "pair": pairs[n["negotiation_id"]],
            }
            for n in view["negotiations"]
        ],
    }


def _tidy(x: float) -> float | int:
    x = round(x, 2)
    return int(x) if x.is_integer() else x


def pair_kind(n: dict[str, Any]) -> str:
    """``human-human``, ``human-agent`` or ``agent-agent``: who played a negotiation."""
    kinds = sorted(n.get("kinds") or ["human", "human"], key=lambda k: k != "human")
    return "-".join(kinds)


def against_agents(negs: list[dict[str, Any]], sc: Any) -> dict[str, Any]:
    """Students against computer counterparts, by the students' role: how many, agreed, and the
    students' mean points (impasses at the BATNA)."""
    by_role = []
    for k, role in enumerate(sc.roles):
        mine = [n for n in negs if n["kinds"][k] == "human"]
        done = [n for n in mine if n["status"] != "open"]
        pts = [n["points"][k] for n in done if n["points"] is not None]
        by_role.append(
            {
                "role": role.id,
                "role_name": role.name,
                "negotiations": len(mine),
                "finished": len(done),
                "agreed": sum(1 for n in done if n["status"] == "agreed"),
                "mean_points": _tidy(sum(pts) / len(pts)) if pts else None,
                "strategies": sorted({n["strategies"][1 - k] for n in mine}),
            }
        )
    return {"negotiations": len(negs), "by_role": by_role}


@bp.get("/sessions/<code>/debrief")
@page
def debrief_page(code: str):
    ctx = session_context(code)
    s = ctx["s"]
    boot = {
        "code": s.code,
        "roles": ctx["roles"],
        "conditions": CONDITION_NAMES,
        "initial": debrief_data(s.code),
        "urls": {
            "data": url_for("console.reports.api_debrief", code=s.code),
            "path": url_for("console.reports.api_path", nid="NID"),
        },
    }
    # mediated and single text: nobody makes a first offer (the comparison table says so)
    middle = [CONDITION_NAMES.get(c, c) for c in s.conditions if trios.size_of(c) == 3]
    agents = boot["initial"]["agents_summary"]
    return render("debrief.html", boot=boot, agents=agents, middle_conditions=middle, **ctx)


@bp.get("/api/sessions/<code>/debrief")
@web.instructor_api
def api_debrief(code: str):
    return jsonify(debrief_data(code))


@bp.get("/api/negotiations/<nid>/path")
@web.instructor_api
def api_path(nid: str):
    h = hub()
    n = h.negotiation(nid)
    if n is None:
        raise ApiError(404, f"negotiation: no negotiation {nid!r}")
    state = n.state  # one state: the hub replaces it whole on every change
    out = debrief.path_from_state(state)
    out["round"] = n.round
    out["session_code"] = n.code
    out["names"] = [_name(pid) for pid in n.participants]
    out["role_names"] = [r.name for r in state.scenario.roles]
    seats = getattr(state, "seats", ())
    if len(seats) > 2:  # the middle seat made the path's steps (game.core.debrief)
        out["role_names"].append(seats[2].capitalize())
    return jsonify(out)


def _name(pid: str) -> str:
    p = hub().participant(pid)
    return p.name if p is not None else pid


# ---------------------------------------------------------------- export


@bp.get("/sessions/<code>/export")
@page
def export_page(code: str):
    ctx = session_context(code)
    s = ctx["s"]
    participants, negotiations = hub().members(s.code)
    counts = {
        "negotiations": len(negotiations),
        "offers": sum(sum(len(o.packages) for o in n.state.offers) for n in negotiations),
        "participants": len(participants),
        "participants_wide": len(participants),
        "events": store().read("SELECT count(*) AS n FROM events WHERE session_code = ?", [s.code])[
            0
        ]["n"],
    }
    tables = [
        {
            "name": t,
            "help": TABLE_HELP.get(t, ""),
            "rows": counts.get(t),
            "url": url_for("web.export_table", code=s.code, table=t),
        }
        for t in export.TABLES
    ]
    return render(
        "export.html",
        tables=tables,
        zip_url=url_for("console.reports.api_zip", code=s.code),
        has_dictionary=export.DATA_DICTIONARY.exists(),
        db_path=_db_arg(store().path),
        **ctx,
    )


def _db_arg(path: str) -> str:
    """The server's database as the export command would be given it: relative to the working
    folder when inside it, quoted when it has spaces."""
    import os
    import shlex

    rel = os.path.relpath(path) if not path.startswith(":") else path
    shown = rel if not rel.startswith("..") else path
    return shlex.quote(shown)


@bp.get("/api/sessions/<code>/export.zip")
@web.instructor_api
def api_zip(code: str):
    s = hub().session(code)
    # the tables are a long read: off the event loop, so play goes on meanwhile
    name, data = web.offload(export.session_zip, store(), s.code)
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
