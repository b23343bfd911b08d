"""The instructor's credentials: the key, the console's login cookie and its CSRF token.

A console login lasts :data:`LOGIN_TTL_S` and ends for every browser at a logout (a login
generation kept in the database); the cookie is ``Secure`` when the request came over HTTPS.
"""

from __future__ import annotations

import hmac
import secrets
import time

from flask import current_app, request, session
from flask.sessions import SecureCookieSessionInterface

LOGIN_TTL_S = 12 * 3600  # a console login lasts this long


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


def _login_generation() -> str:
    ext = current_app.extensions["parley"]
    gen = ext.get("login_generation")
    if gen is None:
        gen = ext["login_generation"] = ext["store"].get_meta("login_generation") or "0"
    return gen


def start_login() -> None:
    """Log the console in (the key was checked): a fresh cookie for :data:`LOGIN_TTL_S`."""
    session.clear()
    session["instructor"] = True
    session["login_gen"] = _login_generation()
    session["login_at"] = time.time()
    csrf_token()


def end_login() -> None:
    """Log out: this cookie is cleared and every console login so far ends (server-side, so a
    copy of the cookie no longer works either)."""
    ext = current_app.extensions["parley"]
    gen = str(int(_login_generation()) + 1)
    ext["store"].set_meta("login_generation", gen)
    ext["login_generation"] = gen
    session.clear()
    csrf_token()


def instructor_logged_in() -> bool:
    """Whether this request carries a console login that has not expired or been ended."""
    if not session.get("instructor"):
        return False
    at = session.get("login_at")
    return (
        session.get("login_gen") == _login_generation()
        and isinstance(at, (int, float))
        and 0 <= time.time() - at < LOGIN_TTL_S
    )


def served_over_https() -> bool:
    return request.is_secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked ``Secure`` when the request came over HTTPS (directly or
    through a proxy that says so in ``X-Forwarded-Proto``)."""

    def get_cookie_secure(self, app) -> bool:
        try:
            return served_over_https() or super().get_cookie_secure(app)
        except RuntimeError:  # outside a request
            return super().get_cookie_secure(app)
