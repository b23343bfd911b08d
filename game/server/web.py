"""Flask routes: the student pages and the JSON API of PROTOCOL.md section 3.

Instructor calls carry ``Authorization: Bearer <key>``; the instructor console's pages may
instead use the signed session cookie set at login, and then every call that changes something
must carry the session's CSRF token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import functools
import hmac
import secrets

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException

from game.core.lobby import normalize_code
from game.server import export, reads
from game.server.hub import ApiError, Hub
from game.server.store import Store

bp = Blueprint("web", __name__)


def hub() -> Hub:
    return current_app.extensions["parley"]["hub"]


def store() -> Store:
    return current_app.extensions["parley"]["store"]


def realtime():
    return current_app.extensions["parley"]["realtime"]


def offload(fn, *args):
    """Run a long read off the event loop: under eventlet in a native thread (tpool), so play
    goes on meanwhile; SQLite releases the GIL while it reads."""
    if current_app.extensions["socketio"].async_mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args)
    return fn(*args)


def instructor_key() -> str:
    return current_app.extensions["parley"]["key"]


def key_ok(key: str | None) -> bool:
    return isinstance(key, str) and hmac.compare_digest(key.encode(), instructor_key().encode())


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def csrf_ok(token: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected) and isinstance(token, str) and hmac.compare_digest(token, expected)


def instructor_api(view):
    """Instructor API: a valid Bearer key, or the console's cookie (plus CSRF for changes)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            if key_ok(auth[7:].strip()):
                return view(*args, **kwargs)
            return error(401, "authorization: wrong instructor key")
        if session.get("instructor"):
            if request.method in ("GET", "HEAD", "OPTIONS") or csrf_ok(
                request.headers.get("X-CSRF-Token")
            ):
                return view(*args, **kwargs)
            return error(403, "csrf: missing or wrong X-CSRF-Token header")
        return error(401, "authorization: instructor key required (Authorization: Bearer <key>)")

    return wrapped


def error(status: int, errors: list[str] | str) -> tuple[Response, int]:
    errors = [errors] if isinstance(errors, str) else errors
    return jsonify({"errors": errors}), status


def body():
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, "body: JSON nested too deeply") from None
    if data is None:
        raise ApiError(400, "body: must be JSON (Content-Type: application/json)")
    return data


PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@bp.after_request
def _headers(resp: Response) -> Response:
    """The student pages: a strict Content-Security-Policy, no sniffing, no framing."""
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp


@bp.app_errorhandler(ApiError)
def on_api_error(e: ApiError):
    return error(e.status, e.errors)


@bp.app_errorhandler(HTTPException)
def on_http_error(e: HTTPException):
    if request.path.startswith("/api/"):
        return error(e.code or 500, f"{request.path}: {e.description or e.name}")
    return e


# ---------------------------------------------------------------- pages


@bp.get("/")
def index():
    return render_template("join.html", code="")


@bp.get("/join/<code>")
def join_page(code: str):
    return render_template("join.html", code=normalize_code(code))


@bp.get("/play")
def play_page():
    return render_template("play.html")


@bp.get("/healthz")
def healthz():
    return jsonify({"ok": True})


# ---------------------------------------------------------------- API: scenarios


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


# ---------------------------------------------------------------- API: sessions


@bp.post("/api/sessions")
@instructor_api
def create_session():
    code = hub().create_session(body())
    return jsonify(
        {"code": code, "join_url": url_for("web.join_page", code=code, _external=True)}
    ), 201


@bp.get("/api/sessions")
@instructor_api
def list_sessions():
    h = hub()
    out = []
    for s in h.list_sessions():
        out.append(
            {
                "code": s.code,
                "scenario": {"id": s.scenario.id, "title": s.scenario.title},
                "conditions": s.conditions,
                "pairing": s.pairing,
                "round": s.round,
                "created_at": s.created_at,
                "demo": s.demo,
                "participants": len(h.members(s.code)[0]),
            }
        )
    return jsonify(out)


@bp.get("/api/sessions/<code>")
@instructor_api
def get_session(code: str):
    return jsonify(reads.session_view(hub(), code))


@bp.post("/api/sessions/<code>/rounds")
@instructor_api
def start_round(code: str):
    round_no, count, touched = hub().start_round(code)
    realtime().push(touched)
    return jsonify({"round": round_no, "negotiations": count}), 201


@bp.post("/api/sessions/<code>/pair")
@instructor_api
def pair_waiting(code: str):
    count, touched = hub().pair_waiting(code)
    realtime().push(touched)
    return jsonify({"negotiations": count}), 201


@bp.post("/api/negotiations/<nid>/end")
@instructor_api
def end_negotiation(nid: str):
    touched = hub().end_negotiation(nid)
    realtime().push(touched)
    return jsonify({"ok": True})


@bp.get("/api/sessions/<code>/standings")
@instructor_api
def standings(code: str):
    from game.server.course_api import include_instructor  # ?instructor_ended=count|leave

    return jsonify(reads.standings(hub(), code, include_instructor()))


@bp.get("/api/sessions/<code>/export/<table>.csv")
@instructor_api
def export_table(code: str, table: str):
    s = hub().session(code)
    if table not in export.TABLES:
        raise ApiError(404, f"table: no table {table!r} (one of {', '.join(export.TABLES)})")
    text = offload(export.session_csv, store(), table, s.code)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{s.code}-{table}.csv"'},
    )


@bp.post("/api/sessions/<code>/join")
def join(code: str):
    token, pid = hub().join(code, body())
    return jsonify({"token": token, "participant_id": pid}), 201


@bp.get("/api/sessions/<code>/info")
def session_info(code: str):
    """What anyone with the code may know before joining: the scenario's public title."""
    s = hub().session(code)
    return jsonify(
        {
            "code": s.code,
            "title": s.scenario.title,
            "pairing": s.pairing,
            "closed": s.closed,
            "student_id": s.student_id,
        }
    )
