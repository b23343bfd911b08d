"""The instructor's console: pages behind the instructor key, and their JSON helpers, all under
``/instructor``. One blueprint per concern, nested in the blueprint ``console`` so that its
headers, guards and error pages cover every page:

- :mod:`.auth` (``console``): the login form, the logout, the guards ``page`` and ``form_post``
  (the cookie and the CSRF token), the Content-Security-Policy and the error pages;
- :mod:`.sessions` (``console.sessions``): the sessions, the new session form, the live session
  page and its forms;
- :mod:`.library` (``console.library``): the scenario library and the upload;
- :mod:`.forms` (``console.forms``): the questionnaires and their upload;
- :mod:`.reports` (``console.reports``): the debrief and the export, and their JSON;
- :mod:`.middle` (``console.middle``): the instructor's screen in a negotiation's middle seat.

The console reads the hub through its public methods and ``game.server.reads`` only, and the
store from ``app.extensions["parley"]["store"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from game.server.console import auth, course, forms, library, middle, reports, sessions

if TYPE_CHECKING:
    from flask import Flask

for _part in (sessions.bp, course.bp, library.bp, forms.bp, reports.bp, middle.bp):
    auth.bp.register_blueprint(_part)


def init_app(app: Flask) -> None:
    """Register the console's blueprints and its template filters on the app."""
    app.register_blueprint(auth.bp)
    app.add_template_filter(num, "num")
    app.add_template_filter(minutes, "minutes")


def num(v: Any) -> str:
    """A number for a table: thousands separated, one decimal at most; a dash for none."""
    if v is None:
        return "–"
    if isinstance(v, float):
        if v.is_integer():
            return f"{int(v):,}"
        return f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def minutes(v: Any) -> str:
    """A time limit in seconds as minutes, or ``no limit``."""
    if v is None:
        return "no limit"
    return f"{v / 60:g} min"
