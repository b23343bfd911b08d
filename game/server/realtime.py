"""Socket.IO handlers: authenticate, rate-limit, hand the payload to the hub, send new views.

Participants use the default namespace and each of their connections joins the room
``p:<participant_id>``; a view is only ever sent to that room. Instructors use the
``/instructor`` namespace and the room ``i:<code>`` of the session they watch; students are never
in it. Nothing is broadcast to everyone.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any

import socketio.packet
from flask import request, session
from flask_socketio import SocketIO, join_room, leave_room
from socketio.exceptions import ConnectionRefusedError as SioConnectionRefused

from game.core import protocols
from game.core.protocols.common import RuleError
from game.server import reads
from game.server.hub import ApiError, Hub
from game.server.store import Store

log = logging.getLogger("parley.realtime")

RATE = 20.0  # events a second, sustained, per connection (the contract asks for at least 10)
BURST = 40.0
INSTRUCTOR_PUSH_S = 1.0  # at most one live update a second per watched session
TICK_S = 0.25
CHECKPOINT_S = 1.0
CHECKPOINT_FAILURES = 5  # in a row, before commits take the checkpoints back


class Packet(socketio.packet.Packet):
    """Socket.IO packets for a server that never sends bytes.

    python-socketio scans every outgoing payload for bytes to decide on a binary packet: a walk
    of each 6 kB state, 15 % of the server's busy time under load (docs/performance.md). Parley
    sends JSON only, so the scan is off (as in python-socketio's own msgpack packets); binary
    packets a client sends are still decoded. An :class:`Encoded` argument is JSON text
    already and goes out as it is.
    """

    uses_binary_events = False

    def encode(self):
        data = self.data
        if self.packet_type in (socketio.packet.EVENT, socketio.packet.ACK) and any(
            isinstance(x, Encoded) for x in data or ()
        ):
            head = str(self.packet_type)
            if self.namespace not in (None, "/"):
                head += self.namespace + ","
            if self.id is not None:
                head += str(self.id)
            args = (
                x if isinstance(x, Encoded) else json.dumps(x, separators=(",", ":")) for x in data
            )
            return f"{head}[{','.join(args)}]"
        return super().encode()


class Encoded(str):
    """A payload that is JSON text already (``Hub.view_json``): :class:`Packet` sends it as is."""


class Bucket:
    """A token bucket: ``allow()`` spends one token if there is one."""

    __slots__ = ("tokens", "stamp")

    def __init__(self) -> None:
        self.tokens = BURST
        self.stamp = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.stamp) * RATE)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Realtime:
    def __init__(self, socketio: SocketIO, hub: Hub, store: Store, instructor_key: str):
        self.socketio = socketio
        self.server = socketio.server  # python-socketio's Server
        self.hub = hub
        self.store = store
        self.key = instructor_key
        self.buckets: dict[str, Bucket] = {}
        self.dirty: set[str] = set()
        self.watchers: dict[str, int] = {}
        self.watching: dict[str, set[str]] = {}  # instructor sid -> codes
        self.started = False
        self._register()

    # ------------------------------------------------------------ sending
    def push(self, pids: set[str]) -> None:
        """Send each participant's view to all of its connections; mark their sessions dirty."""

        # Under the hub's lock, so views leave in the order of the changes they show: a state
        # built after a later change can never be sent before one built earlier.
        def send(p, text: str | None) -> None:
            self.dirty.add(p.code)
            if text is not None:
                self.server.emit("state", Encoded(text), to=f"p:{p.id}")

        self.hub.send_views(pids, send)

    def flush_instructors(self) -> None:
        dirty, self.dirty = self.dirty, set()
        for code in dirty:
            if self.watchers.get(code):
                self.send_session(code)

    def send_session(self, code: str, to: str | None = None) -> None:
        try:
            data = {
                "code": code,
                "session": reads.session_view(self.hub, code, metrics=False),
                "standings": reads.standings(self.hub, code),
            }
        except ApiError:
            return
        self.socketio.emit("session", data, to=to or f"i:{code}", namespace="/instructor")

    def start(self) -> None:
        """The background loop: deadlines and throttled instructor updates."""
        if self.started:
            return
        self.started = True
        self.store.defer_checkpoints()
        self.socketio.start_background_task(self._loop)
        self.socketio.start_background_task(self._checkpoints)

    def _checkpoints(self) -> None:
        """Checkpoint the WAL every second, in a native thread under eventlet, so no commit of
        play ever waits for the copy into the database file and its fsync.

        Should checkpoints keep failing, the commits get them back (SQLite's default), so the
        WAL cannot grow without bound; they are taken back at the next success.
        """
        store = self.store
        failures = 0
        while not store.closed:
            self.socketio.sleep(CHECKPOINT_S)
            try:
                self._native(store.checkpoint)
            except Exception:  # keep trying: the next one may succeed
                failures += 1
                log.exception("checkpoint failed (%d in a row)", failures)
                if failures == CHECKPOINT_FAILURES and not store.closed:
                    log.error("checkpoints keep failing: commits checkpoint again meanwhile")
                    store.defer_checkpoints(False)
                continue
            if failures >= CHECKPOINT_FAILURES and not store.closed:
                store.defer_checkpoints()
            failures = 0

    def _native(self, fn):
        if self.socketio.async_mode == "eventlet":
            from eventlet import tpool

            return tpool.execute(fn)
        return fn()

    def _loop(self) -> None:
        last_push = 0.0
        while True:
            self.socketio.sleep(TICK_S)
            try:
                nd = self.hub.next_deadline()
                if nd is not None and self.hub.clock() >= nd:
                    self.push(self.hub.tick())
                now = time.monotonic()
                if now - last_push >= INSTRUCTOR_PUSH_S:
                    last_push = now
                    self.flush_instructors()
            except Exception:  # the loop must outlive any one failure
                log.exception("background loop")

    # ------------------------------------------------------------ handlers
    def _register(self) -> None:
        sio = self.socketio
        hub = self.hub

        # Students: registered on python-socketio's server itself, not through Flask-SocketIO,
        # so the hot path of play (an offer every second per pair) skips the Flask request and
        # session context that no student handler uses (docs/performance.md).
        srv = self.server

        def sent_by_client(sid: str, namespace: str = "/") -> bool:
            """Whether a ``connect`` or ``disconnect`` is an event a client sent.

            python-socketio calls these handlers while the connection is pending (not yet or no
            longer connected); a client may also send events of those names, which must never
            reset a rate limit or mark a connected participant away.
            """
            return srv.manager.is_connected(sid, namespace)

        def not_an_event() -> dict:
            return RuleError(
                "bad_request", "connect and disconnect are not events to send"
            ).as_answer()

        def on_connect(sid: str, _environ: Any = None, auth: Any = None):
            if sent_by_client(sid):
                return not_an_event()
            token = auth.get("token") if isinstance(auth, dict) else None
            p, touched = hub.connect(token, sid)
            if p is None:
                raise SioConnectionRefused("unknown or missing token: join the session first")
            srv.enter_room(sid, f"p:{p.id}")
            self.buckets[sid] = Bucket()
            self.push({p.id} | touched)

        def on_disconnect(sid: str, *_args):
            if sent_by_client(sid):
                return not_an_event()
            self.buckets.pop(sid, None)
            self.push(hub.disconnect(sid))

        def refusal(sid: str, args: tuple) -> dict | None:
            """The answer refusing an event before any work, or None to go on."""
            if len(args) > 1:
                return RuleError("bad_request", "send one payload object").as_answer()
            bucket = self.buckets.get(sid)
            if bucket is not None and not bucket.allow():
                return RuleError("rate_limited", "too many events: slow down").as_answer()
            return None

        def action(kind: str):
            def handler(sid: str, *args: Any):
                refused = refusal(sid, args)
                if refused:
                    return refused
                try:
                    answer, touched = hub.act(sid, kind, args[0] if args else None)
                except Exception:
                    log.exception("%s failed", kind)
                    return {"ok": False, "error": {"code": "internal", "message": "server error"}}
                me = hub.owner(sid)
                self.push(touched - {me})  # the partner first: the one waiting for the news
                self.push(touched & {me})
                return answer

            return handler

        def on_suggest(sid: str, *args: Any):
            refused = refusal(sid, args)
            if refused:
                return refused
            try:
                return hub.suggest(sid, args[0] if args else None)
            except Exception:
                log.exception("suggest failed")
                return {"ok": False, "error": {"code": "internal", "message": "server error"}}

        srv.on("connect", on_connect)
        srv.on("disconnect", on_disconnect)
        for kind in protocols.actions():  # every protocol's student actions
            srv.on(kind, action(kind))
        srv.on("suggest", on_suggest)

        @sio.on("connect", namespace="/instructor")
        def on_instructor_connect(auth: Any = None):
            if sent_by_client(request.sid, "/instructor"):
                return not_an_event()
            key = auth.get("key") if isinstance(auth, dict) else None
            ok = (isinstance(key, str) and hmac.compare_digest(key, self.key)) or bool(
                session.get("instructor")
            )
            if not ok:
                raise SioConnectionRefused("instructor key required")

        @sio.on("watch", namespace="/instructor")
        def on_watch(payload: Any = None):
            code = payload.get("code") if isinstance(payload, dict) else None
            try:
                s = hub.session(code if isinstance(code, str) else "")
            except ApiError as e:
                return {"ok": False, "error": {"code": "unknown_session", "message": e.errors[0]}}
            join_room(f"i:{s.code}", namespace="/instructor")
            codes = self.watching.setdefault(request.sid, set())
            if s.code not in codes:
                codes.add(s.code)
                self.watchers[s.code] = self.watchers.get(s.code, 0) + 1
            self.send_session(s.code, to=request.sid)
            return {"ok": True, "code": s.code}

        @sio.on("unwatch", namespace="/instructor")
        def on_unwatch(payload: Any = None):
            code = payload.get("code") if isinstance(payload, dict) else None
            codes = self.watching.get(request.sid, set())
            if isinstance(code, str) and code in codes:
                leave_room(f"i:{code}", namespace="/instructor")
                codes.discard(code)
                self.watchers[code] = max(0, self.watchers.get(code, 0) - 1)
            return {"ok": True}

        @sio.on("disconnect", namespace="/instructor")
        def on_instructor_disconnect(*_args):
            if sent_by_client(request.sid, "/instructor"):
                return not_an_event()
            for code in self.watching.pop(request.sid, set()):
                self.watchers[code] = max(0, self.watchers.get(code, 0) - 1)
