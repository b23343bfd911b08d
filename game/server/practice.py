"""Practice: a link per scenario (``/practice/<scenario id>``) where one student plays a computer
counterpart alone, with the normal play screen and debrief.

``GET`` shows what the practice is and a button; the button's ``POST`` creates a session of
the scenario with ``agents`` mode ``practice`` (every participant plays an agent, at once) and
sends the student to that session's join page, where they give their name as in class.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from game.server.guards import client_address, limits, too_many
from game.server.hub import ApiError, Hub

bp = Blueprint("practice", __name__)

#: The counterpart of a practice session unless the link names another (``?strategy=``).
PRACTICE_STRATEGY = "linear"
PRACTICE_THINK_S = [2.0, 5.0]


def hub() -> Hub:
    return current_app.extensions["parley"]["hub"]


def _strategy() -> str:
    return request.args.get("strategy", PRACTICE_STRATEGY)


@bp.get("/practice/<scenario_id>")
def practice_page(scenario_id: str):
    sc = hub().scenario(scenario_id)
    if sc is None:
        return render_template("practice.html", scenario=None, scenario_id=scenario_id), 404
    return render_template("practice.html", scenario=sc, strategy=_strategy(), error=None)


@bp.post("/practice/<scenario_id>")
def practice_start(scenario_id: str):
    sc = hub().scenario(scenario_id)
    if sc is None:
        return render_template("practice.html", scenario=None, scenario_id=scenario_id), 404
    # each press makes a session: limited like joins, per address and for practice as a whole
    # (a class behind one address still all gets in: docs/security.md)
    wait, what = limits().join_wait(client_address(), "practice")
    if wait > 0:
        return too_many(wait, f"too many practice sessions started (per {what})")
    agents = {"mode": "practice", "strategy": _strategy(), "think_s": PRACTICE_THINK_S}
    try:
        code = hub().create_session({"scenario": sc.id, "agents": agents})
    except ApiError as e:
        return render_template(
            "practice.html", scenario=sc, strategy=_strategy(), error="; ".join(e.errors)
        ), 400
    return redirect(url_for("web.join_page", code=code), code=303)
