"""The instructor in the middle seat (session ``middle`` "instructor", docs/protocol.md): the
seat's view and its actions over the JSON API, on the web blueprint."""

from __future__ import annotations

from flask import jsonify, request

from game.server.web import bp, hub, instructor_api, realtime


@bp.get("/api/negotiations/<nid>/middle")
@instructor_api
def middle_view(nid: str):
    return jsonify(hub().middle_view(nid))


@bp.post("/api/negotiations/<nid>/middle/<kind>")
@instructor_api
def middle_act(nid: str, kind: str):
    answer, touched = hub().act_as_middle(nid, kind, request.get_json(silent=True))
    realtime().push(touched)
    return jsonify(answer), 200 if answer.get("ok") else 400
