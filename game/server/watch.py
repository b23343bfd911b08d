"""The instructors' Socket.IO namespace ``/instructor``: connect with the instructor key (or the
console's login cookie), ``watch`` a session to be sent its live view (the room ``i:<code>``),
``unwatch`` it. Registered by :class:`game.server.realtime.Realtime`, whose ``watchers`` and
``watching`` it keeps; students are never in these rooms."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from flask import request
from flask_socketio import join_room, leave_room
from socketio.exceptions import ConnectionRefusedError as SioConnectionRefused

from game.core.protocols.common import RuleError
from game.server import web
from game.server.hub import ApiError
from game.server.transport import TOO_DEEP, payload_problem


def register(
    rt: Any,
    sent_by_client: Callable[..., bool],
    unknown_event: Callable[[str], dict],
    not_an_event: Callable[[], dict],
) -> None:
    """Register the namespace's handlers on ``rt.socketio`` (a Realtime)."""
    sio = rt.socketio

    @sio.on("connect", namespace="/instructor")
    def on_instructor_connect(auth: Any = None):
        if sent_by_client(request.sid, "/instructor"):
            return not_an_event()
        key = auth.get("key") if isinstance(auth, dict) else None
        if key is not None:
            limits, address = web.limits(), web.client_address()
            wait = limits.blocked("key", address)
            if wait > 0:
                raise SioConnectionRefused(
                    f"too many wrong instructor keys from your address: try again in "
                    f"{max(1, round(wait))} s"
                )
            if isinstance(key, str) and hmac.compare_digest(key, rt.key):
                return None
            limits.fail("key", address)
            raise SioConnectionRefused("instructor key required")
        if not web.instructor_logged_in():
            raise SioConnectionRefused("instructor key required")
        return None

    @sio.on("watch", namespace="/instructor")
    def on_watch(payload: Any = None):
        if payload is TOO_DEEP:
            return RuleError("bad_request", payload_problem(payload)).as_answer()
        code = payload.get("code") if isinstance(payload, dict) else None
        try:
            s = rt.hub.session(code if isinstance(code, str) else "")
        except ApiError as e:
            return {"ok": False, "error": {"code": "unknown_session", "message": e.errors[0]}}
        join_room(f"i:{s.code}", namespace="/instructor")
        codes = rt.watching.setdefault(request.sid, set())
        if s.code not in codes:
            codes.add(s.code)
            rt.watchers[s.code] = rt.watchers.get(s.code, 0) + 1
        rt.send_session(s.code, to=request.sid)
        return {"ok": True, "code": s.code}

    @sio.on("unwatch", namespace="/instructor")
    def on_unwatch(payload: Any = None):
        code = payload.get("code") if isinstance(payload, dict) else None
        codes = rt.watching.get(request.sid, set())
        if isinstance(code, str) and code in codes:
            leave_room(f"i:{code}", namespace="/instructor")
            codes.discard(code)
            rt.watchers[code] = max(0, rt.watchers.get(code, 0) - 1)
        return {"ok": True}

    @sio.on("*", namespace="/instructor")
    def on_instructor_unknown(event: str, *_args):
        return unknown_event(event)

    @sio.on("disconnect", namespace="/instructor")
    def on_instructor_disconnect(*_args):
        if sent_by_client(request.sid, "/instructor"):
            return not_an_event()
        for code in rt.watching.pop(request.sid, set()):
            rt.watchers[code] = max(0, rt.watchers.get(code, 0) - 1)
