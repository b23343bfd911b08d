"""The HTTP API's limits: joins per client address and per session, and a growing wait for
addresses that send wrong instructor keys or unknown session codes (docs/security.md).

Answers past a limit are 429 with ``Retry-After``. The buckets live in the app's extensions.
"""

from __future__ import annotations

import math
import time

from flask import Response, current_app, jsonify, request

# Joins: (burst, per second) per client address and per session. A whole class may share one
# address (campus NAT): 400 students joining in the same few seconds from one address all get in
# (bench/load.py's burst: 400 in 5 s); a flood gets 450 seats, then 5 a second (300 a minute).
JOIN_LIMITS = {"address": (450.0, 5.0), "session": (500.0, 10.0)}
FREE_FAILURES = 100  # wrong keys / unknown codes an address may send per window, free
FAILURE_WINDOW_S = 600.0  # failures are forgotten after this long without one
MAX_FAILURE_WAIT_S = 60.0  # the longest wait (Retry-After) after repeated failures


class RateBucket:
    """A token bucket of ``burst`` tokens refilled at ``rate`` a second."""

    __slots__ = ("tokens", "stamp", "burst", "rate", "clock")

    def __init__(self, burst: float, rate: float, clock=time.monotonic):
        self.tokens = burst
        self.burst = burst
        self.rate = rate
        self.clock = clock
        self.stamp = clock()

    def wait(self) -> float:
        """0 after spending a token; else how long until one is there (nothing spent)."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Limits:
    """The app's HTTP limits: join buckets and failure throttles, keyed by address/session."""

    MAX_KEYS = 50_000  # forget idle entries past this many keys

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock  # a test may pass a clock it moves itself
        self.joins: dict[tuple[str, str], RateBucket] = {}
        self.failures: dict[tuple[str, str], list[float]] = {}  # [count, last, blocked until]

    def join_wait(self, address: str, code: str) -> tuple[float, str]:
        """0 when a join may go on; else the wait and what is limited."""
        if len(self.joins) > self.MAX_KEYS:
            now = self.clock()
            self.joins = {k: b for k, b in self.joins.items() if now - b.stamp < 600}
        worst, what = 0.0, ""
        for kind, key in (("address", address), ("session", code)):
            b = self.joins.get((kind, key))
            if b is None:
                b = self.joins[(kind, key)] = RateBucket(*JOIN_LIMITS[kind], self.clock)
            w = b.wait()
            if w > worst:
                worst, what = w, kind
        return worst, what

    def blocked(self, kind: str, address: str) -> float:
        entry = self.failures.get((kind, address))
        if entry is None:
            return 0.0
        return max(0.0, entry[2] - self.clock())

    def fail(self, kind: str, address: str) -> None:
        """Count a failure (a wrong key, an unknown code); past :data:`FREE_FAILURES` each one
        makes the address wait twice as long as the last (up to :data:`MAX_FAILURE_WAIT_S`)."""
        now = self.clock()
        if len(self.failures) > self.MAX_KEYS:
            self.failures = {
                k: e for k, e in self.failures.items() if now - e[1] < FAILURE_WINDOW_S
            }
        entry = self.failures.get((kind, address))
        if entry is None or now - entry[1] > FAILURE_WINDOW_S:
            entry = self.failures[(kind, address)] = [0, now, 0.0]
        entry[0] += 1
        entry[1] = now
        over = entry[0] - FREE_FAILURES
        if over > 0:
            entry[2] = now + min(MAX_FAILURE_WAIT_S, 2.0 ** min(over - 1, 16))


def limits() -> Limits:
    return current_app.extensions["parley"].setdefault("limits", Limits())


def client_address() -> str:
    return request.remote_addr or "?"


def too_many(wait: float, message: str):
    seconds = max(1, math.ceil(wait))
    if request.path.startswith("/api/") or request.path.startswith("/instructor/api/"):
        resp, status = jsonify({"errors": [f"{message}: try again in {seconds} s"]}), 429
    else:
        resp, status = (
            Response(f"{message}: try again in {seconds} s.\n", mimetype="text/plain"),
            429,
        )
    resp.headers["Retry-After"] = str(seconds)
    return resp, status
