"""Flask routes: the student pages and the JSON API of PROTOCOL.md section 3.

Instructor calls carry ``Authorization: Bearer <key>``; the instructor console's pages may
instead use the signed session cookie set at login, and then every call that changes something
must carry the session's CSRF token in the ``X-CSRF-Token`` header. A console login lasts
:data:`LOGIN_TTL_S` and ends for every browser at a logout (a login generation kept in the
database); the cookie is ``Secure`` when the request came over HTTPS.

Limits (docs/security.md): joins per client address and per session (:data:`JOIN_LIMITS`),
wrong instructor keys and unknown session codes per address with a growing wait
(:class:`FailureThrottle`), all answered 429 with ``Retry-After``; text with lone surrogates is
refused with 400 wherever a JSON body comes in.
"""

from __future__ import annotations

import functools
import re
import secrets

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from game.core import seats
from game.core.lobby import normalize_code
from game.core.scenario import lone_surrogate
from game.server import export, reads
from game.server.guards import JOIN_LIMITS, Limits, client_address, limits, too_many
from game.server.hub import ApiError, Hub
from game.server.login import (
    LOGIN_TTL_S,
    SessionInterface,
    csrf_ok,
    csrf_token,
    end_login,
    instructor_key,
    instructor_logged_in,
    key_ok,
    start_login,
)
from game.server.store import Store, StoreUnavailable

__all__ = [  # the console and the handlers use these through web
    "JOIN_LIMITS",
    "LOGIN_TTL_S",
    "Limits",
    "client_address",
    "csrf_ok",
    "csrf_token",
    "end_login",
    "instructor_key",
    "instructor_logged_in",
    "key_ok",
    "limits",
    "start_login",
]

CODE_PATH = re.compile(r"^/api/sessions/[^/]+/(join|info)$")

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


def instructor_api(view):
    """Instructor API: a valid Bearer key, or the console's cookie (plus CSRF for changes)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            if key_ok(auth[7:].strip()):
                return view(*args, **kwargs)
            return error(401, "authorization: wrong instructor key")
        if instructor_logged_in():
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
    refuse_lone_surrogates(data)
    return data


def refuse_lone_surrogates(data, place: str = "") -> None:
    """400 when a text of ``data`` holds a lone surrogate (``\\ud800``): not Unicode text, it
    could be stored but never shown or exported."""
    where = lone_surrogate(data, place)
    if where is not None:
        raise ApiError(400, f"{where}: text with a lone surrogate (not valid Unicode)")


def _guess_kind() -> str | None:
    """Which throttle a request belongs to: ``key`` (an instructor key is checked), ``code``
    (a session code is looked up by someone who may not know one), or None."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return "key"
    if request.method == "POST" and request.path == "/instructor/login":
        return "key"
    if CODE_PATH.match(request.path):
        return "code"
    return None


@bp.before_app_request
def _throttle_guesses():
    kind = _guess_kind()
    if kind is None:
        return None
    wait = limits().blocked(kind, client_address())
    if wait > 0:
        what = "wrong instructor keys" if kind == "key" else "unknown session codes"
        return too_many(wait, f"too many {what} from your address")
    return None


@bp.after_app_request
def _count_failures(resp: Response) -> Response:
    kind = _guess_kind()
    if kind == "key" and resp.status_code == 401 or kind == "code" and resp.status_code == 404:
        limits().fail(kind, client_address())
    return resp


@bp.record_once
def _install_session_interface(state) -> None:
    state.app.session_interface = SessionInterface()


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


@bp.app_errorhandler(StoreUnavailable)
def on_unavailable(e: StoreUnavailable):
    resp, status = error(503, f"unavailable: {e}; nothing was changed")
    resp.headers["Retry-After"] = "2"
    return resp, status


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
    return with_device(Response(render_template("join.html", code=normalize_code(code))))


DEVICE_MAX_AGE = 400 * 86400  # the longest a browser keeps a cookie


def device_cookie() -> str | None:
    """The browser's device cookie (game.core.seats), if it has a well-formed one."""
    c = request.cookies.get(seats.DEVICE_COOKIE)
    return c if seats.device_hash(c) else None


def with_device(resp: Response, cookie: str | None = None) -> Response:
    """Give the browser a device cookie if it has none: HttpOnly, so no script reads it."""
    if device_cookie() is None:
        resp.set_cookie(
            seats.DEVICE_COOKIE,
            cookie or secrets.token_urlsafe(18),
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return resp


@bp.get("/play")
def play_page():
    return render_template("play.html")


@bp.get("/study/<code>")
def study_page(code: str):
    """The online study's entry: consent, questionnaires, the completion code; the link a panel
    sends carries the participant's id in the session's ``entry_param``."""
    return render_template("study.html", code=normalize_code(code))


@bp.get("/healthz")
def healthz():
    """``{"ok": true, "status": "ok"}``; while the database is locked or checkpoints fail
    (and :data:`game.server.store.DEGRADED_S` after), ``{"ok": false, "status": "degraded",
    "reason": ...}``, still with 200: the server answers, but writes may be refused."""
    store = current_app.extensions["parley"]["store"]
    reason = store.degraded
    if reason:
        return jsonify({"ok": False, "status": "degraded", "reason": reason})
    return jsonify({"ok": True, "status": "ok"})


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


@bp.post("/api/sessions/<code>/enter")
def enter(code: str):
    """An online study's entry with a panel's participant id: one seat per external id."""
    token, pid, resumed = hub().enter(code, body())
    return jsonify({"token": token, "participant_id": pid, "resumed": resumed}), (
        200 if resumed else 201
    )


@bp.post("/api/sessions/<code>/join")
def join(code: str):
    s = hub().session(code)
    wait, what = limits().join_wait(client_address(), s.code)
    if wait > 0:
        where = "from your address" if what == "address" else "into this session"
        return too_many(wait, f"join: too many joins {where}")
    cookie = device_cookie() or secrets.token_urlsafe(18)
    token, pid, again = hub().take_seat(code, body(), seats.device_hash(cookie))
    name = hub().participant(pid).name
    realtime().dirty.add(normalize_code(code))  # the instructor sees every seat as it is taken
    out = {"token": token, "participant_id": pid, "name": name, "returning": again}
    return with_device(jsonify(out), cookie), 200 if again else 201


@bp.delete("/api/sessions/<code>/participants/<pid>")
@instructor_api
def remove_seat(code: str, pid: str):
    """Remove a seat nobody is paired with (a squatter, a second seat): its token stops working."""
    s = hub().session(code)
    realtime().drop(hub().remove_seat(s.code, pid))
    realtime().dirty.add(s.code)
    return jsonify({"ok": True, "removed": pid})


@bp.post("/api/sessions/<code>/debrief")
@instructor_api
def open_debrief(code: str):
    """Open a round's debrief before all its negotiations have ended."""
    round_no, touched = hub().open_debrief(code, request.get_json(silent=True))
    realtime().push(touched)
    return jsonify({"ok": True, "round": round_no, "participants": len(touched)})


@bp.get("/api/sessions/<code>/info")
def session_info(code: str):
    """What anyone with the code may know before joining: the scenario's public title."""
    s = hub().session(code)
    out = {
        "code": s.code,
        "title": s.scenario.title,
        "pairing": s.pairing,
        "closed": s.closed,
        "student_id": s.student_id,
        "multiple_seats": s.multiple_seats,
    }
    if s.study:
        out["study"] = {"entry_param": s.study.get("entry_param")}
    return jsonify(out)


# the instructor in the middle seat and the library (scenarios, questionnaires): their routes
# on this blueprint, in modules of their own
from game.server import library_api, middle_api  # noqa: E402, F401
