"""The instructor in the middle seat (session ``middle`` "instructor"): a console screen per
negotiation where the instructor plays the mediator or facilitator in the browser.

Blueprint ``console.middle``, under ``/instructor``:

- ``GET /instructor/negotiations/<id>/middle``: the middle seat's screen. It draws the seat's
  view with the student's components (static/js/play/middle.js), acts through
  ``POST /api/negotiations/<id>/middle/<event>`` (the console's cookie and its CSRF header) and
  reads the view again whenever the session changes (the ``/instructor`` Socket.IO namespace).
  404 for an unknown negotiation; where the instructor does not sit in its middle seat, back to
  the session page with the reason.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for

from game.server.console.auth import hub, page, render
from game.server.hub import ApiError

bp = Blueprint("middle", __name__)


@bp.get("/negotiations/<nid>/middle")
@page
def seat(nid: str):
    h = hub()
    n = h.negotiation(nid)
    if n is None:
        abort(404)
    s = h.session(n.code)
    try:
        view = h.middle_view(nid)
    except ApiError as e:
        if e.status == 404:
            raise
        flash("You do not sit in the middle seat of that negotiation.", "error")
        return redirect(url_for("console.sessions.show", code=s.code))
    boot = {
        "code": s.code,
        "negotiation_id": nid,
        "initial": view,
        "urls": {
            "view": url_for("web.middle_view", nid=nid),
            "act": url_for("web.middle_act", nid=nid, kind="KIND"),
            "session": url_for("console.sessions.show", code=s.code),
        },
    }
    return render("middle.html", boot=boot, s=s, view=view)
