"""The JSON API of the instructor's class control (docs/protocol.md), beside ``web``'s:

- ``POST /api/sessions/<code>/end-round``: end every open negotiation at once
- ``POST /api/sessions/<code>/close``, ``.../reopen``: joining refused / allowed again
- ``PATCH /api/sessions/<code>`` ``{"name"?, "archived"?, "count_instructor_ended"?}``
- ``DELETE /api/sessions/<code>?confirm=<code>``: the session and all its data
- ``GET /api/sessions/<code>/grades`` (JSON) and ``.../grades.csv``
- ``PUT /api/scenarios/<id>``: a new version of an uploaded scenario; ``DELETE`` one unused
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from game.server import grades
from game.server.web import body, hub, instructor_api, realtime

bp = Blueprint("course", __name__)


def include_instructor() -> bool | None:
    """The standings' switch from the query (``?instructor_ended=count|leave``), or None for
    the session's own setting."""
    v = request.args.get("instructor_ended")
    return {"count": True, "leave": False}.get(v or "")


def _touched(code: str, pids: set[str]) -> None:
    rt = realtime()
    rt.push(pids)
    rt.dirty.add(hub().session(code).code)


@bp.post("/api/sessions/<code>/end-round")
@instructor_api
def end_round(code: str):
    round_no, count, touched = hub().end_round(code)
    _touched(code, touched)
    return jsonify({"round": round_no, "ended": count})


@bp.post("/api/sessions/<code>/close")
@instructor_api
def close(code: str):
    _touched(code, hub().set_closed(code, True))
    return jsonify({"closed": True})


@bp.post("/api/sessions/<code>/reopen")
@instructor_api
def reopen(code: str):
    _touched(code, hub().set_closed(code, False))
    return jsonify({"closed": False})


@bp.patch("/api/sessions/<code>")
@instructor_api
def update(code: str):
    s = hub().update_session(code, body())
    _touched(code, set())
    return jsonify(
        {"name": s.name, "archived": s.archived, "count_instructor_ended": s.count_instructor_ended}
    )


@bp.delete("/api/sessions/<code>")
@instructor_api
def delete(code: str):
    hub().delete_session(code, request.args.get("confirm"))
    return jsonify({"deleted": code.upper()})


@bp.get("/api/sessions/<code>/grades")
@instructor_api
def grades_json(code: str):
    return jsonify(grades.grades(hub(), code, include_instructor()))


@bp.get("/api/sessions/<code>/grades.csv")
@instructor_api
def grades_csv(code: str):
    s = hub().session(code)
    return Response(
        grades.grades_csv(hub(), s.code, include_instructor()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{s.code}-grades.csv"'},
    )


@bp.put("/api/scenarios/<sid>")
@instructor_api
def replace_scenario(sid: str):
    return jsonify({"id": hub().replace_scenario(sid, body())})


@bp.delete("/api/scenarios/<sid>")
@instructor_api
def delete_scenario(sid: str):
    hub().delete_scenario(sid)
    return jsonify({"deleted": sid})
