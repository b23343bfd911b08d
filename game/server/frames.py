"""Frames that do not decode, and connections that never connect: counted and closed.

python-socketio decodes each Engine.IO message in ``_handle_eio_message``; a frame that does
not decode (``42["x",``) raises there, and Engine.IO would log a traceback per frame.
:class:`FrameGuard` wraps those handlers so that a bad frame costs one count, a connection that
sends more than :data:`MALFORMED_LIMIT` is closed, and an Engine.IO connection that does not
complete a Socket.IO connect within :data:`CONNECT_TIMEOUT_S` is closed by
:meth:`FrameGuard.sweep_pending` (called from the server's background loop).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import engineio.exceptions

MALFORMED_LIMIT = 3  # undecodable frames a connection may send; the next one closes it
CONNECT_TIMEOUT_S = 5.0  # an Engine.IO connection must complete a Socket.IO connect by then
NAMESPACES = ("/", "/instructor")


class FrameGuard:
    def __init__(self, socketio: Any, log_limited: Any):
        self.socketio = socketio
        self.server = socketio.server  # python-socketio's Server
        self.log_limited = log_limited
        self.pending: dict[str, float] = {}  # Engine.IO sid -> when it opened, until it connects
        self.strikes: dict[str, int] = {}  # Engine.IO sid -> undecodable frames sent
        self.closing: set[str] = set()  # Engine.IO sids being closed: their frames are dropped
        self.install()

    def install(self) -> None:
        """Wrap python-socketio's Engine.IO handlers so that a bad frame costs one count.

        python-socketio decodes each Engine.IO message in ``_handle_eio_message``; a frame that
        does not decode (``42["x",``) raises there, and Engine.IO logs a traceback per frame. Here
        it is counted instead: a connection that sends more than :data:`MALFORMED_LIMIT` is
        closed, and the log gets at most a line a minute about them. Engine.IO connections are
        also remembered until they complete a Socket.IO connect: :meth:`sweep_pending` closes
        those that did not within :data:`CONNECT_TIMEOUT_S`.
        """
        srv = self.server
        handle_connect = srv._handle_eio_connect
        handle_message = srv._handle_eio_message
        handle_disconnect = srv._handle_eio_disconnect

        def on_eio_connect(eio_sid: str, environ: Any):
            self.pending[eio_sid] = time.monotonic()
            sock = srv.eio.sockets.get(eio_sid)
            if sock is not None:
                sock.receive = guarded_receive(eio_sid, sock.receive)
            return handle_connect(eio_sid, environ)

        def guarded_receive(eio_sid: str, receive):
            """Engine.IO's per-packet entry: yields to the other connections after each packet
            (a client sending as fast as it can never holds eventlet's one thread), counts
            packets of unknown types, and ends the connection's reader once it is closing."""

            def wrapped(pkt):
                if eio_sid in self.closing:
                    raise engineio.exceptions.SocketIsClosedError()
                self.socketio.sleep(0)
                try:
                    receive(pkt)
                except engineio.exceptions.UnknownPacketError as e:
                    self.malformed(eio_sid, e)
                if eio_sid in self.closing:
                    raise engineio.exceptions.SocketIsClosedError()

            return wrapped

        def on_eio_message(eio_sid: str, data: Any):
            if eio_sid in self.closing:
                return None
            try:
                return handle_message(eio_sid, data)
            except Exception as e:  # a frame that does not decode: count it, log none of it
                self.malformed(eio_sid, e)
                return None

        def on_eio_disconnect(eio_sid: str, *reason: Any):
            self.pending.pop(eio_sid, None)
            self.strikes.pop(eio_sid, None)
            self.closing.discard(eio_sid)
            return handle_disconnect(eio_sid, *reason)

        srv.eio.on("connect", on_eio_connect)
        srv.eio.on("message", on_eio_message)
        srv.eio.on("disconnect", on_eio_disconnect)

    def malformed(self, eio_sid: str, error: Exception) -> None:
        n = self.strikes.get(eio_sid, 0) + 1
        self.strikes[eio_sid] = n
        self.log_limited(
            "malformed frames",
            "malformed Socket.IO frame (%s: %.80s)",
            type(error).__name__,
            str(error),
        )
        if n > MALFORMED_LIMIT:
            self.close_eio(eio_sid, "too many malformed frames")

    def close_eio(self, eio_sid: str, why: str) -> None:
        """Close an Engine.IO connection (in a task of its own: never inside its reader)."""
        if eio_sid in self.closing:
            return
        self.closing.add(eio_sid)
        self.log_limited("closed connections", "closed a connection: %s", why, level=logging.INFO)
        self.socketio.start_background_task(self._close_now, eio_sid)

    def _close_now(self, eio_sid: str) -> None:
        # Not eio.disconnect(): it waits for the socket's queue to be drained, which for a
        # polling client that never polls again is forever (a greenlet and a socket leaked).
        eio = self.server.eio
        try:
            sock = eio.sockets.get(eio_sid)
            if sock is not None:
                sock.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
                eio.sockets.pop(eio_sid, None)
        except Exception as e:  # already gone
            self.log_limited("close failures", "closing a connection failed: %s", e)
        finally:
            self.pending.pop(eio_sid, None)

    def sweep_pending(self) -> None:
        """Close the Engine.IO connections that never completed a Socket.IO connect."""
        if not self.pending:
            return
        now = time.monotonic()
        manager = self.server.manager
        for eio_sid, opened in list(self.pending.items()):
            if now - opened < CONNECT_TIMEOUT_S:
                continue
            self.pending.pop(eio_sid, None)
            if not any(manager.sid_from_eio_sid(eio_sid, ns) for ns in NAMESPACES):
                self.close_eio(eio_sid, f"no Socket.IO connect within {CONNECT_TIMEOUT_S:.0f} s")
