"""Who may use the console, and what every console page gets.

The blueprint ``console`` (``/instructor``) holds the login form and the logout; the other parts
of the console are blueprints nested in it (``console.sessions``, ``console.library``,
``console.reports``), so its headers and error pages cover them all.

Logging in puts ``instructor = True`` and a fresh CSRF token in the signed session cookie. Every
page (:func:`page`) redirects to the login form without it; every form (:func:`form_post`) posts
the token in a hidden field and is refused with 403 without the right one (the login form too:
its token is made when the form is shown). Scripts send the token in the ``X-CSRF-Token`` header
(see ``web.instructor_api``).
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from game.server import web
from game.server.hub import ApiError, Hub

bp = Blueprint("console", __name__, url_prefix="/instructor")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CONDITION_NAMES = {
    "single": "Single offers",
    "meso": "MESO first offers",
    "any": "Free choice",
    "mediated": "Mediated",
    "single_text": "Single text",
}
HOME = "console.sessions.index"  # where a login leads by default


def hub() -> Hub:
    return current_app.extensions["parley"]["hub"]


def store():
    return current_app.extensions["parley"]["store"]


def push(touched: set[str]) -> None:
    """Send the new views of the participants a console action changed."""
    current_app.extensions["parley"]["realtime"].push(touched)


def render(template: str, status: int = 200, **ctx: Any):
    """A console page: ``templates/instructor/<template>`` with the CSRF token and the
    conditions' names."""
    ctx.setdefault("csrf", web.csrf_token())
    ctx.setdefault("condition_names", CONDITION_NAMES)
    return render_template(f"instructor/{template}", **ctx), status


# ---------------------------------------------------------------- guards


def logged_in() -> bool:
    return web.instructor_logged_in()


def page(view):
    """A console page: redirects to the login form without the console's cookie."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not logged_in():
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
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


def safe_next(target: str | None) -> str:
    """Only a path inside the console (no scheme, no host) is a safe place to go after login."""
    if not target or not isinstance(target, str):
        return url_for(HOME)
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/instructor")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for(HOME)
    return target


# ---------------------------------------------------------------- headers and errors


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


# ---------------------------------------------------------------- login and logout


@bp.get("/")
@bp.get("")
def login():
    if logged_in():
        return redirect(safe_next(request.args.get("next")))
    return render("login.html", next=request.args.get("next", ""), error=None)


@bp.post("/login")
@form_post
def login_post():
    key = request.form.get("key", "").strip()
    nxt = request.form.get("next", "")
    if not web.key_ok(key):
        return render(
            "login.html",
            401,
            next=nxt,
            error="That is not the instructor key. It is printed in the terminal where the "
            "server was started (or set with PARLEY_INSTRUCTOR_KEY).",
        )
    web.start_login()
    return redirect(safe_next(nxt))


@bp.post("/logout")
@form_post
def logout():
    web.end_login()
    flash("You are logged out.")
    return redirect(url_for("console.login"))
