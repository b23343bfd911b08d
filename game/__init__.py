"""Parley: a two-player online negotiation game with multiple equivalent simultaneous offers."""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING, Any

from game.paths import ROOT, SCENARIOS

if TYPE_CHECKING:  # the web stack is imported by create_app only, so game.core needs none of it
    from flask import Flask

DEFAULT_SCENARIOS = SCENARIOS
MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # bytes of an HTTP request body; a larger one answers 413
MAX_HTTP_BUFFER_SIZE = 64 * 1024  # bytes of one Socket.IO message; the transport refuses more
__all__ = ["ROOT", "DEFAULT_SCENARIOS", "create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application factory. Config keys (all optional):

    PARLEY_DB (path of the SQLite file, default parley.db), PARLEY_SCENARIOS (folder),
    PARLEY_INSTRUCTOR_KEY (else the environment's, else one kept in the database),
    ASYNC_MODE ("threading" unless the serving process says "eventlet"), PARLEY_BACKGROUND
    (start the deadline loop; default True), PARLEY_DEMO (create a demo session when there is
    none; default False).

    It never imports eventlet: the process that serves monkey-patches and passes
    ASYNC_MODE="eventlet"; tests use threading.
    """
    from flask import Flask
    from flask_socketio import SocketIO

    from game.server import collector, console, course_api, practice, realtime, transport, web
    from game.server.agents import Runner as AgentRunner
    from game.server.hub import Hub
    from game.server.store import Store

    config = dict(config or {})
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["JSON_SORT_KEYS"] = False
    app.config.update(config)

    store = Store(config.get("PARLEY_DB", "parley.db"))
    key = (
        config.get("PARLEY_INSTRUCTOR_KEY")
        or os.environ.get("PARLEY_INSTRUCTOR_KEY")
        or store.get_meta("instructor_key")
    )
    if not key:
        key = secrets.token_urlsafe(16)  # 128 bits
        store.set_meta("instructor_key", key)
    secret = store.get_meta("secret_key")
    if not secret:
        secret = secrets.token_hex(32)
        store.set_meta("secret_key", secret)
    app.secret_key = config.get("SECRET_KEY", secret)

    hub = Hub(store, config.get("PARLEY_SCENARIOS", DEFAULT_SCENARIOS))
    socketio = SocketIO(
        app,
        async_mode=config.get("ASYNC_MODE", "threading"),
        max_http_buffer_size=MAX_HTTP_BUFFER_SIZE,
        ping_interval=10,
        ping_timeout=20,
        serializer=transport.Packet,
    )
    rt = realtime.Realtime(socketio, hub, store, key)
    app.extensions["parley"] = {"hub": hub, "store": store, "key": key, "realtime": rt}
    app.register_blueprint(web.bp)
    app.register_blueprint(course_api.bp)
    app.register_blueprint(practice.bp)
    console.init_app(app)

    if config.get("PARLEY_DEMO") and not hub.list_sessions() and hub.scenario("job-offer"):
        hub.create_session({"scenario": "job-offer", "conditions": ["meso"]}, demo=True)
    runner = AgentRunner(hub, rt.push)
    app.extensions["parley"]["agents"] = runner
    if config.get("PARLEY_BACKGROUND", True):
        rt.start()
        socketio.start_background_task(runner.loop, socketio.sleep)
        if config.get("PARLEY_GC_POLICY", False) and collector.enabled():  # serve: short pauses
            gc_policy = collector.Collector(hub.any_open)
            app.extensions["parley"]["collector"] = gc_policy
            socketio.start_background_task(gc_policy.run, socketio.sleep)
    return app
