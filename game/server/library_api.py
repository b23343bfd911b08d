"""The library over the JSON API (PROTOCOL.md section 3): scenarios and questionnaires, uploaded
and listed by the instructor, on the web blueprint."""

from __future__ import annotations

from flask import jsonify

from game.server.hub import ApiError
from game.server.web import body, bp, hub, instructor_api

# ---------------------------------------------------------------- scenarios


@bp.post("/api/scenarios")
@instructor_api
def upload_scenario():
    sid = hub().add_scenario(body())
    return jsonify({"id": sid}), 201


@bp.get("/api/scenarios")
@instructor_api
def list_scenarios():
    h = hub()
    return jsonify(
        [
            {"id": sc.id, "title": sc.title, "source": h.source_of(sc.id)}
            for sc in h.list_scenarios()
        ]
    )


@bp.get("/api/scenarios/<sid>")
@instructor_api
def get_scenario(sid: str):
    h = hub()
    sc = h.scenario(sid)
    if sc is None:
        raise ApiError(404, f"scenario: no scenario {sid!r}")
    a = dict(h.analysis(sc))
    return jsonify({"scenario": sc.to_dict(), "analysis": a})


# ---------------------------------------------------------------- questionnaires


@bp.post("/api/questionnaires")
@instructor_api
def upload_questionnaire():
    qid = hub().add_questionnaire(body())
    return jsonify({"id": qid}), 201


@bp.get("/api/questionnaires")
@instructor_api
def list_questionnaires():
    h = hub()
    return jsonify(
        [
            {"id": q["id"], "title": q["title"], "source": h.forms.source(q["id"])}
            for q in h.forms.all()
        ]
    )
