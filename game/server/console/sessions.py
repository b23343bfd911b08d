"""The console's sessions: the list, the new session form, the live session page and its forms.

Blueprint ``console.sessions``, under ``/instructor``:

- ``GET /instructor/sessions``: every session, newest first
- ``GET|POST /instructor/sessions/new``: the new session form
- ``GET /instructor/sessions/<code>``: the live session page (its script watches the session in
  the Socket.IO namespace ``/instructor`` and calls the JSON API of PROTOCOL.md section 3)
- ``POST /instructor/sessions/<code>/round``, ``.../pair``, ``POST /instructor/negotiations/<id>/end``:
  the session page's actions as plain forms, for a browser without scripts
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for

from game.core import trios
from game.core.agents import seating
from game.server import reads
from game.server.console import study_form
from game.server.console.agents_form import AGENT_FORM, agent_choices, agent_fields
from game.server.console.auth import CONDITION_NAMES, form_post, hub, page, push, render
from game.server.console.library import scenario_choices
from game.server.console.third_party_form import (
    CONDITIONS,
    THIRD_PARTY_FORM,
    allowed_conditions,
    third_party_choices,
    third_party_fields,
)
from game.server.hub import ApiError, Session

bp = Blueprint("sessions", __name__)

FORM_FIELDS = (
    "scenario", "conditions", "time_limit_s", "max_offers", "pairing", "agents", "study", "name",
    "student_id", "post_settlement", "protocol", "middle", "rotate",
)  # fmt: skip


# ---------------------------------------------------------------- the list


def _session_row(s: Session) -> dict[str, Any]:
    parts, negs = hub().members(s.code)
    return {
        "code": s.code,
        "title": s.scenario.title,
        "scenario_id": s.scenario.id,
        "conditions": s.conditions,
        "pairing": s.pairing,
        "round": s.round,
        "created_at": s.created_at,
        "demo": s.demo,
        "name": s.name,
        "closed": s.closed,
        "archived": s.archived,
        "participants": len(parts),
        "connected": sum(1 for p in parts if p.connected),
        "negotiations": len(negs),
        "open": sum(1 for n in negs if n.state.is_open),
    }


@bp.get("/sessions")
@page
def index():
    every = hub().list_sessions()
    show_archived = request.args.get("archived") == "1"
    rows = [_session_row(s) for s in every if show_archived or not s.archived]
    archived = sum(1 for s in every if s.archived)
    return render("sessions.html", rows=rows, archived_count=archived, show_archived=show_archived)


# ---------------------------------------------------------------- the new session form


def field_errors(errors: list[str]) -> dict[str, list[str]]:
    """API errors (``PLACE: problem``) grouped by the form field they belong to."""
    out: dict[str, list[str]] = {}
    for e in errors:
        place, _, problem = e.partition(": ")
        field = re.split(r"[.\[]", place, maxsplit=1)[0] or "form"
        if field not in FORM_FIELDS:
            field = "form"
        out.setdefault(field, []).append(problem or e)
    return out


@bp.get("/sessions/new")
@page
def new():
    form = {
        "scenario": request.args.get("scenario", ""),
        "conditions": {"single": 0, "meso": 0, "any": 1, "mediated": 0, "single_text": 0},
        **THIRD_PARTY_FORM,
        "time_limit_min": "",
        "no_limit": False,
        "max_offers": "",
        "pairing": "rounds",
        "name": "",
        "ask_student_id": False,
        "student_id_label": "Student id",
        **AGENT_FORM,
        "study": study_form.blank(hub().forms.all()),
        "debrief": "round_end",
        "multiple_seats": False,
        "pss": False,
        "pss_minutes": "",
        "pss_max_offers": "",
    }
    return render(
        "new_session.html", scenarios=scenario_choices(), form=form, errors={},
        **agent_choices(), **third_party_choices(),
    )  # fmt: skip


def _form_number(raw: str, field: str, errors: dict[str, list[str]], *, whole: bool):
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        v = float(raw)
    except ValueError:
        errors.setdefault(field, []).append("must be a number")
        return None
    if whole:
        if not v.is_integer():
            errors.setdefault(field, []).append("must be a whole number")
            return None
        return int(v)
    return v


@bp.post("/sessions/new")
@page
@form_post
def create():
    f = request.form
    errors: dict[str, list[str]] = {}
    weights: dict[str, int] = {}
    body: dict[str, Any] = {}
    third_form = third_party_fields(f, body)
    allowed = allowed_conditions(third_form["protocol"])
    for c in CONDITIONS:
        w = 0
        if len(allowed) == 1 and c in allowed:  # a protocol of one condition: that one
            w = 1
        elif f.get(f"cond_{c}") and c in allowed:
            w = _form_number(f.get(f"weight_{c}", "1"), "conditions", errors, whole=True)
            w = 1 if w is None else w
            if not 1 <= w <= 10:
                errors.setdefault("conditions", []).append("each weight must be from 1 to 10")
        weights[c] = w
    conditions = [c for c, w in weights.items() for _ in range(w)]
    if not conditions:
        errors.setdefault("conditions", []).append("choose at least one condition")
    body.update(scenario=f.get("scenario", ""), conditions=conditions)
    body["pairing"] = f.get("pairing", "arrival")
    body["multiple_seats"] = bool(f.get("multiple_seats"))
    # an arrival session debriefs each pair as it ends: the choice is for rounds only
    if body["pairing"] == "rounds":
        body["debrief"] = f.get("debrief", "round_end")
    no_limit = bool(f.get("no_limit"))
    minutes = _form_number(f.get("time_limit_min", ""), "time_limit_s", errors, whole=False)
    if no_limit:
        body["time_limit_s"] = None
    elif minutes is not None:
        if minutes <= 0:
            errors.setdefault("time_limit_s", []).append("must be more than 0 minutes")
        body["time_limit_s"] = round(minutes * 60, 3)
    max_offers = _form_number(f.get("max_offers", ""), "max_offers", errors, whole=True)
    if max_offers is not None:
        body["max_offers"] = max_offers
    body["name"] = f.get("name", "")
    if f.get("ask_student_id"):
        body["student_id"] = f.get("student_id_label", "").strip() or "Student id"
    if f.get("pss"):  # the post-settlement phase (protocol pss) and its own limits
        body["post_settlement"] = phase = {}
        minutes = _form_number(f.get("pss_minutes", ""), "post_settlement", errors, whole=False)
        if minutes is not None:
            phase["time_limit_s"] = round(minutes * 60, 3)
        most = _form_number(f.get("pss_max_offers", ""), "post_settlement", errors, whole=True)
        if most is not None:
            phase["max_offers"] = most
    agents_form = agent_fields(f, body, errors)
    study, study_state = study_form.from_form(f, hub().forms.all(), errors)
    if study is not None:
        body["study"] = study
    form = {
        "pss": bool(f.get("pss")),
        "pss_minutes": f.get("pss_minutes", ""),
        "pss_max_offers": f.get("pss_max_offers", ""),
        **agents_form,
        **third_form,
        "study": study_state,
        "scenario": body["scenario"],
        "conditions": weights,
        "time_limit_min": f.get("time_limit_min", ""),
        "no_limit": no_limit,
        "max_offers": f.get("max_offers", ""),
        "pairing": body["pairing"],
        "name": f.get("name", ""),
        "ask_student_id": bool(f.get("ask_student_id")),
        "student_id_label": f.get("student_id_label", "Student id"),
        "debrief": f.get("debrief", "round_end"),
        "multiple_seats": body["multiple_seats"],
    }
    if not errors:
        try:
            code = hub().create_session(body)
        except ApiError as e:
            errors = field_errors(e.errors)
        else:
            flash(f"Session {code} is ready. Show this page to the class.")
            return redirect(url_for("console.sessions.show", code=code))
    return render(
        "new_session.html", 400, scenarios=scenario_choices(), form=form, errors=errors,
        **agent_choices(), **third_party_choices(),
    )  # fmt: skip


# ---------------------------------------------------------------- the live session page


def _public_base() -> tuple[str, str | None]:
    """The base URL students use, and a warning when it is one they cannot reach."""
    base = request.host_url.rstrip("/")
    host = request.host.rsplit(":", 1)[0].strip("[]")
    warning = None
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        warning = (
            "This page is open at a local address, which students' devices cannot reach. "
            "Start the server with --host 0.0.0.0 and open this page at the computer's "
            "network address (for example http://192.168.1.20:5000/instructor)."
        )
    return base, warning


def session_context(code: str) -> dict[str, Any]:
    """What every page of one session shows (its header and tabs): ApiError 404 if none."""
    s = hub().session(code)
    sc = s.scenario
    base, warning = _public_base()
    return {
        "s": s,
        "scenario": sc,
        "roles": [{"id": r.id, "name": r.name} for r in sc.roles],
        "join_url": f"{base}{url_for('web.join_page', code=s.code)}",
        "join_host": base,
        "warning": warning,
    }


@bp.get("/sessions/<code>")
@page
def show(code: str):
    ctx = session_context(code)
    s = ctx["s"]
    h = hub()
    initial = {
        "code": s.code,
        "session": reads.session_view(h, s.code),
        "standings": reads.standings(h, s.code),
    }
    boot = {
        "code": s.code,
        "pairing": s.pairing,
        "closed": s.closed,
        "group": s.group,  # seats a group of a round: 2, or 3 with a participant in the middle
        "fills": seating.fills_rounds(s.agents),  # a computer counterpart takes an odd seat
        # pairs and trios by condition (a mixed session with a participant in the middle)
        "mixes": trios.sizes_vary(s.protocol, s.middle, s.conditions),
        "roles": ctx["roles"],
        "join_url": ctx["join_url"],
        "conditions": CONDITION_NAMES,
        "initial": initial,
        "urls": {
            "round": url_for("web.start_round", code=s.code),
            "pair": url_for("web.pair_waiting", code=s.code),
            "end": url_for("web.end_negotiation", nid="NID"),
            "path": url_for("console.reports.api_path", nid="NID"),
            "debrief": url_for("console.reports.debrief_page", code=s.code),
            "end_round": url_for("course.end_round", code=s.code),
            "close": url_for("course.close", code=s.code),
            "reopen": url_for("course.reopen", code=s.code),
            "remove": url_for("web.remove_seat", code=s.code, pid="PID"),
            "open_debrief": url_for("web.open_debrief", code=s.code),
            "middle": url_for("console.middle.seat", nid="NID"),
        },
    }
    return render("session.html", boot=boot, **ctx)


# ---------------------------------------------------------------- the session page's forms


def _negotiations(count: int) -> str:
    return f"{count} negotiation{'s' * (count != 1)}"


def _refusal(e: ApiError) -> str:
    """The API's refusal in plain words: its problems without their places."""
    return "; ".join(x.partition(": ")[2] or x for x in e.errors)


def _session_action(code: str, act, message):
    """A console form's action on a session: push the changes and flash what happened, or flash
    the API's refusal in plain words; back to the session page either way."""
    try:
        *result, touched = act()
    except ApiError as e:
        if e.status == 404:
            raise
        flash(_refusal(e), "error")
    else:
        push(touched)
        flash(message(*result))
    return redirect(url_for("console.sessions.show", code=code))


@bp.post("/sessions/<code>/round")
@page
@form_post
def start_round(code: str):
    if hub().ready_count(code) < 2:
        flash(
            "Nobody to pair: at least two participants must be online and not negotiating.", "error"
        )
        return redirect(url_for("console.sessions.show", code=code))
    return _session_action(
        code,
        lambda: hub().start_round(code),
        lambda round_no, count: f"Round {round_no} started: {_negotiations(count)}.",
    )


@bp.post("/sessions/<code>/pair")
@page
@form_post
def pair(code: str):
    return _session_action(
        code, lambda: hub().pair_waiting(code), lambda count: f"Paired {_negotiations(count)}."
    )


@bp.post("/negotiations/<nid>/end")
@page
@form_post
def end(nid: str):
    h = hub()
    n = h.negotiation(nid)
    if n is None:
        abort(404)
    try:
        touched = h.end_negotiation(nid)
    except ApiError as e:
        flash(_refusal(e), "error")
    else:
        push(touched)
        flash("The negotiation was ended as an impasse.")
    return redirect(url_for("console.sessions.show", code=n.code))
