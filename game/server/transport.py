"""Parley's Socket.IO transport pieces: packets sent as JSON text without a binary scan, token
buckets for rate limits, and logging limited per kind of trouble.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import socketio.packet

from game.core.scenario import lone_surrogate

RATE = 20.0  # events a second, sustained, per connection and per participant (the contract
BURST = 40.0  # asks for at least 10 per participant, whatever its number of connections)
LOG_PERIOD_S = 60.0  # at most one log line per kind of trouble a minute, then a count


class LogLimiter:
    """Rate-limited logging per kind: the first occurrence in a period is logged (one line, no
    traceback), the others are counted and the count is logged when the period is over.

    A flood of bad frames or a checkpoint failing every second must never grow the log by a
    line (or a traceback) per occurrence: at most two lines a minute per kind.
    """

    def __init__(self, logger: logging.Logger, period: float = LOG_PERIOD_S, clock=time.monotonic):
        self.logger = logger
        self.period = period
        self.clock = clock  # a test may pass a clock it moves itself
        self.kinds: dict[str, list] = {}  # kind -> [period start, count not logged]

    def __call__(self, kind: str, message: str, *args: Any, level: int = logging.WARNING) -> None:
        now = self.clock()
        entry = self.kinds.get(kind)
        if entry is not None and now - entry[0] < self.period:
            entry[1] += 1
            return
        self._report(kind, entry, level)
        self.kinds[kind] = [now, 0, level]
        self.logger.log(level, message, *args)

    def flush(self) -> None:
        """Log the counts of the periods that are over (called from the background loop)."""
        now = self.clock()
        for kind, entry in list(self.kinds.items()):
            if now - entry[0] >= self.period:
                self._report(kind, entry, entry[2])
                del self.kinds[kind]

    def _report(self, kind: str, entry: list | None, level: int) -> None:
        if entry and entry[1]:
            self.logger.log(
                level,
                "%s: %d more in the last %g s (not logged one by one)",
                kind,
                entry[1],
                self.period,
            )
            entry[1] = 0


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

    def decode(self, encoded_packet):
        """Decode, refusing an event with no name: ``42[]``, ``42{}`` or ``42[[1]]`` would
        otherwise raise inside python-socketio (an unhashable name in a background task).

        An event that asks for an answer (it has an id) and names itself, but whose payload is
        nested too deeply for the JSON decoder, is decoded as that event with the payload
        :data:`TOO_DEEP`, so the handler answers ``bad_request`` naming the problem; any other
        frame too deep to decode is malformed (counted and closed by game.server.frames)."""
        try:
            count = super().decode(encoded_packet)
        except RecursionError:
            name = EVENT_NAME.match(encoded_packet, encoded_packet.find("["))
            if self.packet_type != socketio.packet.EVENT or self.id is None or name is None:
                raise ValueError("a frame nested too deeply to decode") from None
            self.data, count = [name[1], TOO_DEEP], 0
        if self.packet_type in (socketio.packet.EVENT, socketio.packet.BINARY_EVENT) and not (
            isinstance(self.data, list) and self.data and isinstance(self.data[0], str)
        ):
            raise ValueError("an event must be a list starting with the event's name")
        return count


EVENT_NAME = re.compile(r'\[\s*"([A-Za-z0-9_:-]{1,64})"')


class TooDeep:
    """The payload of an event nested too deeply to decode (:meth:`Packet.decode`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "TOO_DEEP"


TOO_DEEP = TooDeep()


def payload_problem(payload: Any) -> str | None:
    """What makes an event's payload unreadable before any rule looks at it: nested too deeply
    to decode, or text with a lone surrogate; None when it is readable."""
    if payload is TOO_DEEP:
        return "payload: JSON nested too deeply to read"
    where = lone_surrogate(payload)
    return None if where is None else f"{where}: text with a lone surrogate (not valid Unicode)"


class Encoded(str):
    """A payload that is JSON text already (``Hub.view_json``): :class:`Packet` sends it as is."""


class Bucket:
    """A token bucket: ``allow()`` spends one token if there is one."""

    __slots__ = ("tokens", "stamp", "clock")

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock  # a test may pass a clock it moves itself
        self.tokens = BURST
        self.stamp = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(BURST, self.tokens + (now - self.stamp) * RATE)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
