"""The bare Flask-SocketIO relay: the baseline that bench/load.py compares Parley against.

Flask-SocketIO on eventlet, monkey-patched in this process only, with the same Socket.IO
settings as Parley's server (``max_http_buffer_size``, ping interval and timeout, the WSGI
server's ``max_size``). A client connects with ``auth={"room": NAME}`` and joins that room (the
benchmark puts two clients in each); every ``offer`` it sends is relayed as an ``offer`` event to
the rest of its room, the sender skipped. No acknowledgement, no storage, no view: the least a
server can do to carry one player's move to the other.

With ``--state-like`` (a diagnostic, not the baseline) the relay sends what Parley sends per
offer, minus the rules and the database: a dict shaped like a Parley ``state`` (a scenario view
and a list of offers, about 6.4 kB of JSON, the mean size of a state in bench/load.py's
negotiations) to the partner first, a copy to the sender, then an acknowledgement.

With ``--tuned`` (a diagnostic too) the relay takes the two transport settings Parley's server
takes for its students (game/realtime.py): handlers registered on python-socketio's server
itself, without Flask-SocketIO's per-event request context, and packets that skip the scan of
each outgoing payload for bytes. Parley against the tuned relay shows what Parley's rules,
database and views cost above the same transport.

    python bench/relay.py --port 5001 [--state-like] [--tuned]
"""

from __future__ import annotations

import argparse
import sys


def _state_like() -> dict:
    """A dict shaped like a Parley state in mid-negotiation: about 6.4 kB of JSON."""
    issues = [
        {
            "id": f"issue{i}",
            "name": f"Issue {i}",
            "options": [
                {"id": f"issue{i}-{k}", "label": f"Issue {i} level {k}", "points": 100 * k}
                for k in range(4)
            ],
        }
        for i in range(5)
    ]
    offers = [
        {
            "id": f"n_0123456789ab-{n}",
            "by": "seller" if n % 2 else "buyer",
            "packages": [{f"issue{i}": f"issue{i}-{(n + i) % 4}" for i in range(5)}],
            "points": [100 * n],
            "based_on": None,
        }
        for n in range(1, 17)
    ]
    return {
        "phase": "negotiating",
        "negotiation": {
            "id": "n_0123456789ab",
            "role": "seller",
            "turn": "buyer",
            "status": "open",
            "offers_left": 10,
            "scenario": {
                "id": "bench-load",
                "title": "Benchmark supply deal",
                "description": "A scenario made by bench/load.py.",
                "role_name": "Seller",
                "brief": "Seller. " + "A brief of the length of the shipped scenarios'. " * 36,
                "batna": 1000,
                "issues": issues,
            },
            "offers": offers,
            "chat": [],
            "outcome": None,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bare Flask-SocketIO relay (rooms of two)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument(
        "--state-like",
        action="store_true",
        help="send a state-sized dict to both sides and acknowledge each offer",
    )
    parser.add_argument(
        "--tuned",
        action="store_true",
        help="handlers on python-socketio's server and no binary scan, as Parley's students get",
    )
    args = parser.parse_args(argv)
    state = _state_like() if args.state_like else None

    import eventlet

    eventlet.monkey_patch()

    import socketio.packet
    from flask import Flask, request
    from flask_socketio import SocketIO, join_room

    class Packet(socketio.packet.Packet):
        uses_binary_events = False

    app = Flask(__name__)
    socketio = SocketIO(
        app,
        async_mode="eventlet",
        max_http_buffer_size=64 * 1024,
        ping_interval=10,
        ping_timeout=20,
        **({"serializer": Packet} if args.tuned else {}),
    )
    rooms: dict[str, str] = {}
    emit = socketio.server.emit if args.tuned else socketio.emit

    def relay(sid: str, data):
        room = rooms.get(sid)
        if room is None:
            return None
        if state is None:
            emit("offer", data, to=room, skip_sid=sid)
            return None
        out = dict(data, state=state)
        emit("offer", out, to=room, skip_sid=sid)
        emit("offer", dict(out, echo=True), to=sid)
        return {"ok": True}

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    if args.tuned:

        def tuned_connect(sid, _environ, auth=None):
            room = auth.get("room") if isinstance(auth, dict) else None
            if not isinstance(room, str) or not room:
                raise ConnectionRefusedError("auth.room required")
            rooms[sid] = room
            socketio.server.enter_room(sid, room)

        socketio.server.on("connect", tuned_connect)
        socketio.server.on("disconnect", lambda sid, *_args: rooms.pop(sid, None))
        socketio.server.on("offer", lambda sid, data=None: relay(sid, data))
    else:

        @socketio.on("connect")
        def on_connect(auth=None):
            room = auth.get("room") if isinstance(auth, dict) else None
            if not isinstance(room, str) or not room:
                raise ConnectionRefusedError("auth.room required")
            rooms[request.sid] = room
            join_room(room)

        @socketio.on("disconnect")
        def on_disconnect(*_args):
            rooms.pop(request.sid, None)

        @socketio.on("offer")
        def on_offer(data=None):
            return relay(request.sid, data)

    print(f"relay listening on http://{args.host}:{args.port}", flush=True)
    socketio.run(app, host=args.host, port=args.port, max_size=5000, log_output=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
