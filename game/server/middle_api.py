"""The instructor in the middle seat (session ``middle`` "instructor", docs/protocol.md): the
seat's view and its actions over the JSON API, on the web blueprint."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from game.core.protocols.common import RuleError
from game.core.scenario import lone_surrogate
from game.server.web import bp, hub, instructor_api, realtime


@bp.get("/api/negotiations/<nid>/middle")
@instructor_api
def middle_view(nid: str):
    return jsonify(hub().middle_view(nid))


def payload() -> Any:
    """The body as the event's payload (no body: none), refused as a Socket.IO payload is: a
    body that is not JSON, JSON nested too deeply to read, or text with a lone surrogate."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise RuleError("bad_request", "body: JSON nested too deeply") from None
    if data is None and request.get_data():
        raise RuleError("bad_request", "body: must be JSON (Content-Type: application/json)")
    where = lone_surrogate(data)
    if where is not None:
        raise RuleError("bad_request", f"{where}: text with a lone surrogate (not valid Unicode)")
    return data


@bp.post("/api/negotiations/<nid>/middle/<kind>")
@instructor_api
def middle_act(nid: str, kind: str):
    try:
        data = payload()
    except RuleError as e:
        return jsonify(e.as_answer()), 400
    answer, touched = hub().act_as_middle(nid, kind, data)
    realtime().push(touched)
    return jsonify(answer), 200 if answer.get("ok") else 400
