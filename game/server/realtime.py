"""Socket.IO handlers: authenticate, rate-limit, hand the payload to the hub, send new views.

Participants use the default namespace and each of their connections joins the room
``p:<participant_id>``; a view is only ever sent to that room. Instructors use the
``/instructor`` namespace (its handlers in game.server.watch) and the room ``i:<code>`` of the
session they watch; students are never in it. Nothing is broadcast to everyone.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask_socketio import SocketIO
from socketio.exceptions import ConnectionRefusedError as SioConnectionRefused

from game.core import protocols
from game.core.protocols.common import RuleError
from game.server import reads, watch
from game.server.frames import FrameGuard
from game.server.hub import ApiError, Hub
from game.server.store import Store, StoreUnavailable
from game.server.transport import Bucket, Encoded, LogLimiter, payload_problem

log = logging.getLogger("parley.realtime")

INSTRUCTOR_PUSH_S = 1.0  # at most one live update a second per watched session...
# ...but a session where a negotiation has just ended is sent at the next tick (its End button)
TICK_S = 0.25
CHECKPOINT_S = 1.0
CHECKPOINT_FAILURES = 5  # in a row, before commits take the checkpoints back


def just_ended(hub: Hub, p: Any) -> bool:
    """Whether the participant's negotiation has ended in the last two seconds (a reconnection
    long after does not hurry the instructors' update)."""
    n = hub.current(p)
    at = getattr(n.state, "ended_at", None) if n is not None else None
    return at is not None and not n.state.is_open and hub.clock() - at < 2.0


ACTIONS = tuple(protocols.actions())  # every protocol's student actions


class Realtime:
    def __init__(self, socketio: SocketIO, hub: Hub, store: Store, instructor_key: str):
        self.socketio = socketio
        self.server = socketio.server  # python-socketio's Server
        self.hub = hub
        self.store = store
        self.key = instructor_key
        self.clock = time.monotonic  # the rate limits' clock (a test may set one it moves)
        self.buckets: dict[str, Bucket] = {}  # per connection (sid)
        self.participant_buckets: dict[str, Bucket] = {}  # per participant id
        self.log_limited = LogLimiter(log)
        self.frames = FrameGuard(socketio, self.log_limited)
        self.dirty, self.urgent = set[str](), set[str]()  # changed; a negotiation just ended
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
            if just_ended(self.hub, p):
                self.urgent.add(p.code)
            if text is not None:
                self.server.emit("state", Encoded(text), to=f"p:{p.id}")

        self.hub.send_views(pids, send)

    def drop(self, sids: set[str]) -> None:
        """Close connections whose seat is gone (the instructor removed it)."""
        for sid in sids:
            self.server.disconnect(sid)

    def flush_instructors(self, only: set[str] | None = None) -> None:
        dirty = self.dirty if only is None else self.dirty & only
        self.dirty, self.urgent = self.dirty - dirty, self.urgent - dirty
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
        self.store.offload = self._native_call
        self.store.defer_checkpoints()
        self.socketio.start_background_task(self._loop)
        self.socketio.start_background_task(self._checkpoints)

    def _checkpoints(self) -> None:
        """Checkpoint the WAL every second, in a native thread under eventlet, so no commit of
        play ever waits for the copy into the database file and its fsync.

        Past :data:`game.server.wal.WAL_LIMIT` the checkpoint truncates the WAL, so it stays
        bounded under continuous writes. Should checkpoints keep failing, the commits get them
        back (SQLite's default), so the WAL cannot grow without bound; they are taken back at
        the next success. A failing checkpoint is logged at most once a minute, with a count.
        """
        store = self.store
        failures = 0
        while not store.closed:
            self.socketio.sleep(CHECKPOINT_S)
            try:
                self._native(store.checkpoint_bounded)
            except Exception as e:  # keep trying: the next one may succeed
                failures += 1
                store.checkpoint_failed_at = time.monotonic()
                self.log_limited(
                    "checkpoint failures",
                    "checkpoint failed (%d in a row): %s: %s",
                    failures,
                    type(e).__name__,
                    e,
                    level=logging.ERROR,
                )
                if failures == CHECKPOINT_FAILURES and not store.closed:
                    log.error("checkpoints keep failing: commits checkpoint again meanwhile")
                    store.defer_checkpoints(False)
                continue
            if failures >= CHECKPOINT_FAILURES and not store.closed:
                store.defer_checkpoints()
            failures = 0

    def _native(self, fn):
        return self._native_call(fn)

    def _native_call(self, fn, *args):
        """Call ``fn(*args)`` in a native thread under eventlet (the loop goes on meanwhile)."""
        if self.socketio.async_mode == "eventlet":
            from eventlet import tpool

            return tpool.execute(fn, *args)
        return fn(*args)

    def _loop(self) -> None:
        last_push = 0.0
        while True:
            self.socketio.sleep(TICK_S)
            try:
                nd = self.hub.next_deadline()
                if nd is not None and self.hub.clock() >= nd:
                    self.push(self.hub.tick())
                self.push(self.hub.release_due())
                self.push(self.hub.pair_due())  # arrivals who waited for a third (issue 15)
                now = time.monotonic()
                if now - last_push >= INSTRUCTOR_PUSH_S:
                    last_push = now
                    self.flush_instructors()
                    self.frames.sweep_pending()
                    self.log_limited.flush()
                elif self.urgent:
                    self.flush_instructors(set(self.urgent))
            except Exception as e:  # the loop must outlive any one failure
                self.log_limited(
                    "background loop",
                    "background loop failed: %s: %s",
                    type(e).__name__,
                    e,
                    level=logging.ERROR,
                )
                log.debug("background loop", exc_info=True)

    # ------------------------------------------------------------ frames
    # ------------------------------------------------------------ handlers
    def _register(self) -> None:
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

        def unknown_event(event: str) -> dict:
            return RuleError(
                "bad_request", f"unknown event {event[:40]!r}: not an event of this server"
            ).as_answer()

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
            self.buckets[sid] = Bucket(self.clock)
            self.participant_buckets.setdefault(p.id, Bucket(self.clock))
            self.push({p.id} | touched)

        def on_disconnect(sid: str, *_args):
            if sent_by_client(sid):
                return not_an_event()
            self.buckets.pop(sid, None)
            self.push(hub.disconnect(sid))

        def refusal(sid: str, args: tuple) -> dict | None:
            """The answer refusing an event before any work, or None to go on.

            Two token buckets: the connection's and its participant's (shared by all of the
            participant's connections), so more connections never buy more events.
            """
            bucket = self.buckets.get(sid)
            if bucket is not None:
                pid = hub.owner(sid)
                shared = self.participant_buckets.get(pid) if pid else None
                if not bucket.allow() or (shared is not None and not shared.allow()):
                    return RuleError("rate_limited", "too many events: slow down").as_answer()
            if len(args) > 1:
                return RuleError("bad_request", "send one payload object").as_answer()
            problem = payload_problem(args[0]) if args else None
            return None if problem is None else RuleError("bad_request", problem).as_answer()

        def failed(kind: str, e: Exception) -> dict:
            if isinstance(e, StoreUnavailable):
                self.log_limited("unavailable", "%s refused: %s", kind, e)
                return RuleError("unavailable", f"{e}; nothing was changed").as_answer()
            self.log_limited("internal errors", "%s failed: %s: %s", kind, type(e).__name__, e)
            log.debug("%s failed", kind, exc_info=True)
            return {"ok": False, "error": {"code": "internal", "message": "server error"}}

        def action(kind: str):
            def handler(sid: str, *args: Any):
                refused = refusal(sid, args)
                if refused:
                    return refused
                try:
                    answer, touched = hub.act(sid, kind, args[0] if args else None)
                except Exception as e:
                    return failed(kind, e)
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
            except Exception as e:
                return failed("suggest", e)

        def on_unknown(event: str, sid: str, *args: Any):
            """Any other event name: answered (when the client asks for an answer) with
            ``bad_request`` naming it; it counts against the rate limit like any event."""
            refused = refusal(sid, args[:1])
            if refused and refused["error"]["code"] == "rate_limited":
                return refused
            return unknown_event(event)

        srv.on("connect", on_connect)
        srv.on("disconnect", on_disconnect)
        # the contract's four, then those of the protocols with a middle seat (docs/protocol.md)
        for kind in ACTIONS:
            srv.on(kind, action(kind))
        srv.on("suggest", on_suggest)
        srv.on("*", on_unknown)

        def study_command(kind: str):
            def handler(sid: str, *args: Any):
                refused = refusal(sid, args)
                if refused:
                    return refused
                try:
                    answer, touched = hub.study_act(sid, kind, args[0] if args else {})
                except Exception as e:
                    return failed(kind, e)
                self.push(touched)
                return answer

            return handler

        for kind in ("consent", "respond", "submit", "continue"):
            srv.on(kind, study_command(kind))

        # instructors: the /instructor namespace (game/server/watch.py)
        watch.register(self, sent_by_client, unknown_event, not_an_event)
