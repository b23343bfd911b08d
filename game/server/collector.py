"""Short garbage-collection pauses while a class plays (docs/scaling.md).

CPython's full (generation 2) collection walks every object the collector tracks: about 175 per
connected student (their Engine.IO and Socket.IO state, greenlet, participant, negotiation and
views), so with 1,000 students one collection stops the server's one thread for ~130 ms, and
every offer in flight waits for it. These objects live as long as the class: scanning them again
and again finds nothing to free.

So, while serving, :class:`Collector` *freezes* the heap every second (:data:`FREEZE_S`;
``gc.freeze()``: what is tracked now moves to the permanent generation, which no automatic
collection walks; a cheap list move): automatic collections then only walk what came since, and
stay short however large the class. Every second, because a class connecting at once brings
tens of thousands of objects a second (bench/gc_server.py measured 70,000 a second as 1,600
students connected): freezing every 10 s let full collections of 200,000 objects through.
Objects freed by reference counting (most of the garbage: a view, a message, an offer's dict)
are freed as always. Only garbage in reference *cycles* among frozen objects waits, and it is
collected at a quiet moment: when no negotiation is open at a check, at most every
:data:`QUIET_S` seconds, the heap is unfrozen, fully collected and frozen again (``thaw``);
should the class never pause, that happens anyway after :data:`THAW_S` seconds, so memory
stays bounded.

``PARLEY_GC=default`` in the environment turns it off (CPython's own collection: the baseline
``bench/ceiling.py`` compares against).
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from typing import Any

FREEZE_S = 1.0  # seconds between freezes while serving (a freeze is a list move: cheap)
QUIET_S = 60.0  # at most one full collection a minute at quiet moments
THAW_S = 900.0  # a full collection at least every 15 minutes, quiet or not


class Collector:
    """The policy, over an injectable ``gc`` module and clock (tests give fakes)."""

    def __init__(
        self,
        busy: Callable[[], bool],
        *,
        collector: Any = gc,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.busy = busy
        self.gc = collector
        self.clock = clock
        now = clock()
        self.last_thaw = now
        self.thaws = 0
        self.freezes = 0

    def step(self) -> str:
        """One check (every :data:`FREEZE_S` seconds): ``thaw`` (a full collection, at a quiet
        moment or past :data:`THAW_S`) or ``freeze``; what it did."""
        now = self.clock()
        since = now - self.last_thaw
        if since >= THAW_S or (since >= QUIET_S and not self.busy()):
            self.gc.unfreeze()
            self.gc.collect()
            self.gc.freeze()
            self.last_thaw = now
            self.thaws += 1
            return "thaw"
        self.gc.freeze()
        self.freezes += 1
        return "freeze"

    def run(self, sleep: Callable[[float], Any]) -> None:
        """The background task: a step every :data:`FREEZE_S` seconds, for the server's life."""
        while True:
            sleep(FREEZE_S)
            self.step()


def enabled(environ: Any = os.environ) -> bool:
    """Whether the policy runs: unless ``PARLEY_GC=default`` asks for CPython's own."""
    return environ.get("PARLEY_GC", "").strip().lower() != "default"
