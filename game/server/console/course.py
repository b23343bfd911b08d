"""The console's class control: the session page's end-round, close and reopen forms, the
session's settings (name, archive, the standings' switch), its deletion after a confirmation
that names it, the grades page and the projector's standings.

Blueprint ``console.course``, under ``/instructor`` (each form also works without scripts):

- ``POST /instructor/sessions/<code>/end-round``, ``.../close``, ``.../reopen``
- ``POST /instructor/sessions/<code>/settings`` (name, archived, count_instructor_ended)
- ``GET|POST /instructor/sessions/<code>/delete``: the confirmation, then the deletion
- ``GET /instructor/sessions/<code>/grades``: the grades table and its CSV
- ``GET /instructor/sessions/<code>/projector``: the standings, names and totals, large
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for

from game.server import grades as grades_mod
from game.server import reads
from game.server.console.auth import form_post, hub, page, push, render
from game.server.console.sessions import session_context
from game.server.hub import ApiError

bp = Blueprint("course", __name__)


def _back(code: str):
    return redirect(url_for("console.sessions.show", code=code))


def _refusal(e: ApiError) -> str:
    return "; ".join(x.partition(": ")[2] or x for x in e.errors)


@bp.post("/sessions/<code>/end-round")
@page
@form_post
def end_round(code: str):
    round_no, count, touched = hub().end_round(code)
    push(touched)
    if count:
        flash(f"Ended {count} open negotiation{'s' * (count != 1)} as impasses (by you).")
    else:
        flash("No negotiation was open.")
    return _back(code)


@bp.post("/sessions/<code>/close")
@page
@form_post
def close(code: str):
    push(hub().set_closed(code, True))
    flash("The session is closed: nobody can join, and students see that the class is over.")
    return _back(code)


@bp.post("/sessions/<code>/reopen")
@page
@form_post
def reopen(code: str):
    push(hub().set_closed(code, False))
    flash("The session is open again: students can join and play more rounds.")
    return _back(code)


@bp.post("/sessions/<code>/settings")
@page
@form_post
def settings(code: str):
    f = request.form
    body: dict = {}
    if "name" in f:
        body["name"] = f.get("name", "")
    if "archived" in f:
        body["archived"] = f.get("archived") == "1"
    if "count_instructor_ended" in f:
        body["count_instructor_ended"] = f.get("count_instructor_ended") == "1"
    try:
        s = hub().update_session(code, body)
    except ApiError as e:
        if e.status == 404:
            raise
        flash(_refusal(e), "error")
        return _back(code)
    current_app.extensions["parley"]["realtime"].dirty.add(s.code)  # watchers see it
    if "archived" in body:
        flash(
            f"Session {s.code} archived: hidden from the list, still exportable."
            if s.archived
            else f"Session {s.code} is back in the list."
        )
        return redirect(url_for("console.sessions.index"))
    flash("Saved.")
    return redirect(request.form.get("back") or url_for("console.sessions.show", code=s.code))


@bp.get("/sessions/<code>/delete")
@page
def confirm_delete(code: str):
    ctx = session_context(code)
    parts, negs = hub().members(ctx["s"].code)
    return render(
        "delete_session.html",
        participants=len(parts),
        negotiations=len(negs),
        open=sum(1 for n in negs if n.state.is_open),
        error=None,
        **ctx,
    )


@bp.post("/sessions/<code>/delete")
@page
@form_post
def delete(code: str):
    s = hub().session(code)
    try:
        hub().delete_session(s.code, request.form.get("confirm", ""))
    except ApiError as e:
        if e.status == 404:
            raise
        ctx = session_context(code)
        parts, negs = hub().members(s.code)
        return render(
            "delete_session.html",
            400,
            participants=len(parts),
            negotiations=len(negs),
            open=sum(1 for n in negs if n.state.is_open),
            error=_refusal(e),
            **ctx,
        )
    flash(f"Session {s.code} and all its data were deleted.")
    return redirect(url_for("console.sessions.index"))


@bp.get("/sessions/<code>/grades")
@page
def grades(code: str):
    ctx = session_context(code)
    g = grades_mod.grades(hub(), ctx["s"].code)
    return render("grades.html", g=g, **ctx)


@bp.get("/sessions/<code>/projector")
@page
def projector(code: str):
    ctx = session_context(code)
    rows = [r for r in reads.standings(hub(), ctx["s"].code) if r["negotiations"]]
    return render("projector.html", rows=rows, **ctx)
