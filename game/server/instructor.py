"""The instructor's console: pages behind the instructor key, and their JSON helpers.

Pages (blueprint ``instructor``, all under ``/instructor``):

- ``GET /instructor``: the login form (the key); ``POST /instructor/login``, ``POST /instructor/logout``
- ``GET /instructor/sessions``: every session; ``GET|POST /instructor/sessions/new``
- ``GET /instructor/sessions/<code>``: the live session page (Socket.IO namespace ``/instructor``)
- ``POST /instructor/sessions/<code>/round``, ``.../pair``, ``POST /instructor/negotiations/<id>/end``:
  the session page's actions as plain forms (the page's script calls the JSON API instead)
- ``GET /instructor/sessions/<code>/debrief``, ``GET /instructor/sessions/<code>/export``
- ``GET /instructor/scenarios``, ``GET /instructor/scenarios/<id>``, ``POST /instructor/scenarios``

JSON (the Bearer key or the console's cookie, like the API of PROTOCOL.md section 3):

- ``GET /instructor/api/sessions/<code>/debrief``: :func:`game.debrief.summary` and the outcome
  space it is drawn on
- ``GET /instructor/api/negotiations/<id>/path``: one negotiation's offers with both roles' points
- ``GET /instructor/api/sessions/<code>/export.zip``: every export table, the scenario, the
  session's settings and docs/data-dictionary.md

Logging in puts ``instructor = True`` and a fresh CSRF token in the signed session cookie. Every
page redirects to the login form without it; every form posts the token in a hidden field and is
refused with 403 without the right one (the login form too: its token is made when the form is
shown). Scripts send the token in the ``X-CSRF-Token`` header (see ``web.instructor_api``).
"""

from __future__ import annotations

import functools
import io
import ipaddress
import json
import re
import zipfile
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from game.core import debrief
from game.core.scenario import lone_surrogate
from game.paths import ROOT
from game.server import export, web
from game.server.hub import ApiError, Hub

bp = Blueprint("instructor", __name__, url_prefix="/instructor")

DATA_DICTIONARY = ROOT / "docs" / "data-dictionary.md"
CONDITION_NAMES = {
    "single": "Single offers",
    "meso": "MESO first offers",
    "any": "Free choice",
}
CONDITION_HELP = {
    "single": "every offer is exactly one package",
    "meso": "the first offer is 2 or more packages of equal value to its proposer",
    "any": "every offer may have 1 or more equivalent packages",
}
UPLOAD_MAX = 1024 * 1024

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Register the console's routes on the app."""
    app.register_blueprint(bp)


def hub() -> Hub:
    return current_app.extensions["parley"]["hub"]


def realtime():
    return current_app.extensions["parley"]["realtime"]


# ---------------------------------------------------------------- guards


def logged_in() -> bool:
    return web.instructor_logged_in()


def _safe_next(target: str | None) -> str:
    """Only a path inside the console (no scheme, no host) is a safe place to go after login."""
    if not target or not isinstance(target, str):
        return url_for("instructor.sessions")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/instructor")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for("instructor.sessions")
    return target


def page(view):
    """A console page: redirects to the login form without the console's cookie."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not logged_in():
            return redirect(url_for("instructor.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def form_post(view):
    """A form of the console: 403 unless it carries the session's CSRF token."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not web.csrf_ok(request.form.get("csrf_token")):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.after_request
def _headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    if resp.mimetype == "text/html":
        resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.errorhandler(403)
def _forbidden(_e):
    if request.path.startswith("/instructor/api/"):
        return web.error(403, "csrf: missing or wrong token")
    return render_template("instructor/forbidden.html", csrf=web.csrf_token()), 403


@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    if request.path.startswith("/instructor/api/"):
        return web.error(e.status, e.errors)
    if e.status == 404:
        return render_template(
            "instructor/not_found.html", csrf=web.csrf_token(), errors=e.errors
        ), 404
    raise e


def _render(template: str, status: int = 200, **ctx: Any):
    ctx.setdefault("csrf", web.csrf_token())
    ctx.setdefault("condition_names", CONDITION_NAMES)
    return render_template(f"instructor/{template}", **ctx), status


# ---------------------------------------------------------------- login


@bp.get("/")
@bp.get("")
def login():
    if logged_in():
        return redirect(_safe_next(request.args.get("next")))
    return _render("login.html", next=request.args.get("next", ""), error=None)


@bp.post("/login")
@form_post
def login_post():
    key = request.form.get("key", "").strip()
    nxt = request.form.get("next", "")
    if not web.key_ok(key):
        return _render(
            "login.html",
            401,
            next=nxt,
            error="That is not the instructor key. It is printed in the terminal where the "
            "server was started (or set with PARLEY_INSTRUCTOR_KEY).",
        )
    web.start_login()
    return redirect(_safe_next(nxt))


@bp.post("/logout")
@form_post
def logout():
    web.end_login()
    flash("You are logged out.")
    return redirect(url_for("instructor.login"))


# ---------------------------------------------------------------- sessions


def _session_row(h: Hub, s) -> dict[str, Any]:
    parts = [p for p in h.participants.values() if p.code == s.code]
    negs = [n for n in h.negotiations.values() if n.code == s.code]
    return {
        "code": s.code,
        "title": s.scenario.title,
        "scenario_id": s.scenario.id,
        "conditions": s.conditions,
        "pairing": s.pairing,
        "round": s.round,
        "created_at": s.created_at,
        "demo": s.demo,
        "participants": len(parts),
        "connected": sum(1 for p in parts if p.connected),
        "negotiations": len(negs),
        "open": sum(1 for n in negs if n.state.is_open),
    }


@bp.get("/sessions")
@page
def sessions():
    h = hub()
    with h.lock:
        rows = [
            _session_row(h, s)
            for s in sorted(h.sessions.values(), key=lambda s: s.created_at, reverse=True)
        ]
    return _render("sessions.html", rows=rows)


def _scenario_choices(h: Hub) -> list[dict[str, Any]]:
    return [
        {
            "id": sc.id,
            "title": sc.title,
            "max_packages": sc.max_packages,
            "time_limit_s": sc.time_limit_s,
            "max_offers": sc.max_offers,
            "source": h.scenario_source.get(sc.id, "file"),
        }
        for sc in sorted(h.scenarios.values(), key=lambda s: s.title.lower())
    ]


def _field_errors(errors: list[str]) -> dict[str, list[str]]:
    """API errors (``PLACE: problem``) grouped by the form field they belong to."""
    out: dict[str, list[str]] = {}
    for e in errors:
        place, _, problem = e.partition(": ")
        field = re.split(r"[.\[]", place, maxsplit=1)[0] or "form"
        if field not in ("scenario", "conditions", "time_limit_s", "max_offers", "pairing"):
            field = "form"
        out.setdefault(field, []).append(problem or e)
    return out


@bp.get("/sessions/new")
@page
def new_session():
    h = hub()
    form = {
        "scenario": request.args.get("scenario", ""),
        "conditions": {"single": 0, "meso": 0, "any": 1},
        "time_limit_min": "",
        "no_limit": False,
        "max_offers": "",
        "pairing": "rounds",
    }
    return _render("new_session.html", scenarios=_scenario_choices(h), form=form, errors={})


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
def new_session_post():
    h = hub()
    f = request.form
    errors: dict[str, list[str]] = {}
    weights: dict[str, int] = {}
    for c in ("single", "meso", "any"):
        w = 0
        if f.get(f"cond_{c}"):
            w = _form_number(f.get(f"weight_{c}", "1"), "conditions", errors, whole=True)
            w = 1 if w is None else w
            if not 1 <= w <= 10:
                errors.setdefault("conditions", []).append("each weight must be from 1 to 10")
        weights[c] = w
    conditions = [c for c, w in weights.items() for _ in range(w)]
    if not conditions:
        errors.setdefault("conditions", []).append("choose at least one condition")
    body: dict[str, Any] = {"scenario": f.get("scenario", ""), "conditions": conditions}
    body["pairing"] = f.get("pairing", "arrival")
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
    form = {
        "scenario": body["scenario"],
        "conditions": weights,
        "time_limit_min": f.get("time_limit_min", ""),
        "no_limit": no_limit,
        "max_offers": f.get("max_offers", ""),
        "pairing": body["pairing"],
    }
    if not errors:
        try:
            code = h.create_session(body)
        except ApiError as e:
            errors = _field_errors(e.errors)
        else:
            flash(f"Session {code} is ready. Show this page to the class.")
            return redirect(url_for("instructor.session_page", code=code))
    return _render(
        "new_session.html", 400, scenarios=_scenario_choices(h), form=form, errors=errors
    )


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


def _session_context(code: str) -> dict[str, Any]:
    h = hub()
    s = h.session(code)
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
def session_page(code: str):
    ctx = _session_context(code)
    s = ctx["s"]
    h = hub()
    initial = {
        "code": s.code,
        "session": h.session_view(s.code),
        "standings": h.standings(s.code),
    }
    boot = {
        "code": s.code,
        "pairing": s.pairing,
        "roles": ctx["roles"],
        "join_url": ctx["join_url"],
        "conditions": CONDITION_NAMES,
        "initial": initial,
        "urls": {
            "round": url_for("web.start_round", code=s.code),
            "pair": url_for("web.pair_waiting", code=s.code),
            "end": url_for("web.end_negotiation", nid="NID"),
            "path": url_for("instructor.api_path", nid="NID"),
            "debrief": url_for("instructor.debrief_page", code=s.code),
        },
    }
    return _render("session.html", boot=boot, **ctx)


def ready_count(code: str) -> int:
    """Participants a new round would pair: online and not negotiating."""
    h = hub()
    s = h.session(code)
    with h.lock:
        return sum(
            1
            for p in h.participants.values()
            if p.code == s.code and p.connected and not h.is_negotiating(p)
        )


def _push(touched: set[str]) -> None:
    realtime().push(touched)


@bp.post("/sessions/<code>/round")
@page
@form_post
def form_round(code: str):
    if ready_count(code) < 2:
        flash(
            "Nobody to pair: at least two participants must be online and not negotiating.", "error"
        )
        return redirect(url_for("instructor.session_page", code=code))
    return _session_action(
        code,
        lambda: hub().start_round(code),
        lambda round_no, count: f"Round {round_no} started: {_negotiations(count)}.",
    )


@bp.post("/sessions/<code>/pair")
@page
@form_post
def form_pair(code: str):
    return _session_action(
        code, lambda: hub().pair_waiting(code), lambda count: f"Paired {_negotiations(count)}."
    )


def _negotiations(count: int) -> str:
    return f"{count} negotiation{'s' * (count != 1)}"


def _session_action(code: str, act, message):
    """A console form's action on a session: push the changes and flash what happened, or flash
    the API's refusal in plain words; back to the session page either way."""
    try:
        *result, touched = act()
    except ApiError as e:
        if e.status == 404:
            raise
        flash("; ".join(x.partition(": ")[2] or x for x in e.errors), "error")
    else:
        _push(touched)
        flash(message(*result))
    return redirect(url_for("instructor.session_page", code=code))


@bp.post("/negotiations/<nid>/end")
@page
@form_post
def form_end(nid: str):
    h = hub()
    n = h.negotiations.get(nid)
    if n is None:
        abort(404)
    try:
        touched = h.end_negotiation(nid)
    except ApiError as e:
        flash("; ".join(x.partition(": ")[2] or x for x in e.errors), "error")
    else:
        _push(touched)
        flash("The negotiation was ended as an impasse.")
    return redirect(url_for("instructor.session_page", code=n.code))


# ---------------------------------------------------------------- debrief


def debrief_data(code: str) -> dict[str, Any]:
    """What the debrief page draws: the summary, the outcome space and the negotiations."""
    h = hub()
    view = h.session_view(code)
    s = h.session(code)
    sc = s.scenario
    a = h.analysis(sc)
    records = debrief.records_from_view(view)
    names = {p["participant_id"]: p["name"] for p in view["participants"]}
    return {
        "code": s.code,
        "title": sc.title,
        "pairing": s.pairing,
        "round": s.round,
        "roles": [{"id": r.id, "name": r.name, "batna": r.batna} for r in sc.roles],
        "session_conditions": s.conditions,
        "signature": debrief.signature(records),
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
        "negotiations": [
            {
                "negotiation_id": n["negotiation_id"],
                "round": n["round"],
                "condition": n["condition"],
                "status": n["status"],
                "names": [names.get(x, x) for x in n["participants"]],
                "points": n["points"],
                "offers_count": n["offers_count"],
            }
            for n in view["negotiations"]
        ],
    }


@bp.get("/sessions/<code>/debrief")
@page
def debrief_page(code: str):
    ctx = _session_context(code)
    s = ctx["s"]
    boot = {
        "code": s.code,
        "roles": ctx["roles"],
        "conditions": CONDITION_NAMES,
        "initial": debrief_data(s.code),
        "urls": {
            "data": url_for("instructor.api_debrief", code=s.code),
            "path": url_for("instructor.api_path", nid="NID"),
        },
    }
    return _render("debrief.html", boot=boot, **ctx)


@bp.get("/api/sessions/<code>/debrief")
@web.instructor_api
def api_debrief(code: str):
    return jsonify(debrief_data(code))


@bp.get("/api/negotiations/<nid>/path")
@web.instructor_api
def api_path(nid: str):
    h = hub()
    with h.lock:
        n = h.negotiations.get(nid)
        if n is None:
            raise ApiError(404, f"negotiation: no negotiation {nid!r}")
        out = debrief.path_from_state(n.state)
        out["round"] = n.round
        out["session_code"] = n.code
        out["names"] = [h.participants[p].name for p in n.participants]
        out["role_names"] = [r.name for r in n.state.scenario.roles]
    return jsonify(out)


# ---------------------------------------------------------------- export


TABLE_HELP = {
    "negotiations": "one row per negotiation: condition, roles, outcome, points and every metric",
    "offers": "one row per package of every offer, with both roles' points",
    "events": "the event log: every proposal, acceptance, chat message and system event",
    "participants": "who joined: name, label and time",
}


@bp.get("/sessions/<code>/export")
@page
def export_page(code: str):
    ctx = _session_context(code)
    s = ctx["s"]
    h = hub()
    counts = {}
    with h.lock:
        counts["negotiations"] = sum(1 for n in h.negotiations.values() if n.code == s.code)
        counts["offers"] = sum(
            sum(len(o.packages) for o in n.state.offers)
            for n in h.negotiations.values()
            if n.code == s.code
        )
        counts["participants"] = sum(1 for p in h.participants.values() if p.code == s.code)
    counts["events"] = h.store.read(
        "SELECT count(*) AS n FROM events WHERE session_code = ?", [s.code]
    )[0]["n"]
    tables = [
        {
            "name": t,
            "help": TABLE_HELP.get(t, ""),
            "rows": counts.get(t),
            "url": url_for("web.export_table", code=s.code, table=t),
        }
        for t in export.TABLES
    ]
    return _render(
        "export.html",
        tables=tables,
        zip_url=url_for("instructor.api_zip", code=s.code),
        has_dictionary=DATA_DICTIONARY.exists(),
        **ctx,
    )


def zip_bytes(code: str) -> tuple[str, bytes]:
    """The session's zip: every export table, scenario.json, session.json, the dictionary."""
    h = hub()
    s = h.session(code)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    folder = f"parley-{s.code}-{stamp}"
    settings = {
        "code": s.code,
        "scenario_id": s.scenario.id,
        "conditions": s.conditions,
        "pairing": s.pairing,
        "time_limit_s": s.time_limit_s,
        "max_offers": s.max_offers,
        "rounds": s.round,
        "created_at": s.created_at,
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    scenario = s.scenario.to_dict()
    # the tables are a long read: off the event loop, so play goes on meanwhile
    data = web.offload(_zip_build, h.store, s.code, folder, scenario, settings)
    return f"{folder}.zip", data


def _zip_build(store, code: str, folder: str, scenario: dict, settings: dict) -> bytes:
    """The zip's bytes; touches only the store's read-only connections (safe in a thread)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for t in export.TABLES:
            z.writestr(f"{folder}/{t}.csv", export.session_csv(store, t, code))
        z.writestr(f"{folder}/scenario.json", json.dumps(scenario, indent=2, ensure_ascii=False))
        z.writestr(f"{folder}/session.json", json.dumps(settings, indent=2))
        if DATA_DICTIONARY.exists():
            z.writestr(f"{folder}/data-dictionary.md", DATA_DICTIONARY.read_text(encoding="utf-8"))
    return buf.getvalue()


@bp.get("/api/sessions/<code>/export.zip")
@web.instructor_api
def api_zip(code: str):
    name, data = zip_bytes(code)
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ---------------------------------------------------------------- scenarios


def _scenario_detail(sid: str) -> dict[str, Any]:
    h = hub()
    sc = h.scenarios.get(sid)
    if sc is None:
        raise ApiError(404, f"scenario: no scenario {sid!r}")
    a = h.analysis(sc)
    return {
        "scenario": sc.to_dict(),
        "source": h.scenario_source.get(sc.id, "file"),
        "analysis": {
            "outcomes": a["outcomes"],
            "max_joint": a["max_joint"],
            "max_joint_points": a["max_joint_points"],
            "frontier_size": a["frontier_size"],
            "pareto": a["pareto"],
            "cloud": a.get("cloud", []),
            "nash": a.get("nash"),
            "compromise": a.get("compromise"),
            "batnas": a["batnas"],
            "ranges": a["ranges"],
            "issues": a["issues"],
        },
    }


@bp.get("/scenarios")
@page
def scenarios():
    h = hub()
    return _render("scenarios.html", scenarios=_scenario_choices(h), upload=None)


@bp.get("/scenarios/<sid>")
@page
def scenario_page(sid: str):
    d = _scenario_detail(sid)
    kinds = {i["id"]: i["kind"] for i in d["analysis"]["issues"]}
    return _render("scenario.html", d=d, sc=d["scenario"], a=d["analysis"], kinds=kinds)


@bp.get("/scenarios/<sid>.json")
@page
def scenario_file(sid: str):
    sc = hub().scenarios.get(sid)
    if sc is None:
        raise ApiError(404, f"scenario: no scenario {sid!r}")
    return Response(
        json.dumps(sc.to_dict(), indent=2, ensure_ascii=False) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{sc.id}.json"'},
    )


@bp.post("/scenarios")
@page
@form_post
def upload_scenario():
    h = hub()
    text = ""
    filename = None
    f = request.files.get("file")
    if f is not None and f.filename:
        filename = f.filename
        raw = f.read(UPLOAD_MAX + 1)
        if len(raw) > UPLOAD_MAX:
            return _upload_failed(h, filename, "", ["file: larger than 1 MB"], None)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _upload_failed(h, filename, "", ["file: not UTF-8 text"], None)
    else:
        text = request.form.get("text", "")
    if not text.strip():
        return _upload_failed(h, filename, text, ["file: choose a scenario file (JSON)"], None)
    try:
        data = json.loads(text)
    except RecursionError:
        return _upload_failed(h, filename, text, ["file: nested too deeply"], None)
    except json.JSONDecodeError as e:
        return _upload_failed(
            h,
            filename,
            text,
            [f"line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})"],
            None,
            syntax_line=e.lineno,
        )
    where = lone_surrogate(data)
    if where is not None:  # shown as the file's text: the decoded value cannot be encoded
        problem = f"{where}: text with a lone surrogate (not valid Unicode)"
        return _upload_failed(h, filename, text, [problem], None)
    try:
        sid = h.add_scenario(data)
    except ApiError as e:
        return _upload_failed(h, filename, text, e.errors, data, status=e.status)
    flash(f"Scenario {sid!r} was added to the library.")
    return redirect(url_for("instructor.scenario_page", sid=sid))


def _upload_failed(
    h: Hub,
    filename: str | None,
    text: str,
    errors: list[str],
    data: Any,
    *,
    status: int = 400,
    syntax_line: int | None = None,
):
    if data is not None:
        lines, unplaced = annotate(data, errors)
    else:
        lines = [
            {
                "text": t,
                "errors": [errors[0]] if n + 1 == syntax_line else [],
                "id": "problem-1" if n + 1 == syntax_line else None,
            }
            for n, t in enumerate(text.splitlines()[:2000])
        ]
        unplaced = [] if syntax_line else errors
    anchors: dict[str, str] = {}
    for line in lines:
        for e in line["errors"]:
            anchors.setdefault(e, line["id"])
    problems = []
    for e in errors:
        place, sep, problem = e.partition(": ")
        problems.append(
            {
                "place": place if sep else "",
                "problem": problem if sep else e,
                "anchor": anchors.get(e),
            }
        )
    upload = {
        "filename": filename,
        "errors": errors,
        "problems": problems,
        "lines": lines,
        "unplaced": unplaced,
        "text": text if len(text) <= 200_000 else "",
    }
    return _render("scenarios.html", status, scenarios=_scenario_choices(h), upload=upload)


# ---------------------------------------------------------------- errors at their place

_TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def place_path(place: str) -> list[str | int]:
    """``issues[2].options[0].points.candidate`` -> ``["issues", 2, "options", 0, "points",
    "candidate"]``; the empty place and ``scenario`` (the whole document) -> ``[]``."""
    if place in ("", "scenario", "body", "file"):
        return []
    out: list[str | int] = []
    for m in _TOKEN.finditer(place):
        out.append(int(m.group(1)) if m.group(1) is not None else m.group(2))
    return out


def annotate(data: Any, errors: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The document pretty-printed as lines, each problem attached to the line of its place.

    A problem whose place is missing from the document (``roles[0].batna: missing``) goes to
    the nearest enclosing line that exists (``roles[0]``). Returns (lines, problems that had no
    line at all); each line is ``{"text", "errors": [...], "id"}``.
    """
    lines: list[dict[str, Any]] = []
    where: dict[tuple, int] = {}

    def emit(text: str, path: tuple) -> None:
        if path not in where:
            where[path] = len(lines)
        lines.append({"text": text, "errors": [], "id": None})

    def walk(v: Any, path: tuple, indent: int, prefix: str, comma: str) -> None:
        pad = "  " * indent
        if isinstance(v, dict) and v:
            emit(f"{pad}{prefix}{{", path)
            items = list(v.items())
            for n, (k, x) in enumerate(items):
                walk(
                    x,
                    path + (k,),
                    indent + 1,
                    json.dumps(k) + ": ",
                    "," if n < len(items) - 1 else "",
                )
            lines.append({"text": f"{pad}}}{comma}", "errors": [], "id": None})
        elif isinstance(v, list) and v:
            emit(f"{pad}{prefix}[", path)
            for n, x in enumerate(v):
                walk(x, path + (n,), indent + 1, "", "," if n < len(v) - 1 else "")
            lines.append({"text": f"{pad}]{comma}", "errors": [], "id": None})
        else:
            text = json.dumps(v, ensure_ascii=False)
            if len(text) > 100:
                text = text[:97] + '…"'
            emit(f"{pad}{prefix}{text}{comma}", path)

    walk(data, (), 0, "", "")
    unplaced = []
    for e in errors:
        place, sep, _ = e.partition(": ")
        path = tuple(place_path(place)) if sep else ()
        while path not in where and path:
            path = path[:-1]
        if path in where:
            lines[where[path]]["errors"].append(e)
        else:
            unplaced.append(e)
    n = 0
    for line in lines:
        if line["errors"]:
            n += 1
            line["id"] = f"problem-{n}"
    return lines, unplaced


# ---------------------------------------------------------------- template helpers


@bp.app_template_filter("num")
def _num_filter(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if v.is_integer():
            return f"{int(v):,}"
        return f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


@bp.app_template_filter("minutes")
def _minutes_filter(v: Any) -> str:
    if v is None:
        return "no limit"
    m = v / 60
    return f"{m:g} min"
