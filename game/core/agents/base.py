"""What every agent shares: its step, its parameters and the acceptance conditions.

An agent is an object with a ``name`` and a method ``act(view, memory, rng, now)``:

- ``view`` is exactly the ``state`` a human of its role is sent (``views.student_view``): its own
  table, brief and BATNA, the offers so far with its own points, the deadline; never the other
  role's numbers;
- ``memory`` a dict of its own, kept by the runner between calls (an agent may also keep
  nothing: the shipped ones decide from the view alone, so a restart loses nothing);
- ``rng`` a ``random.Random`` seeded from the session's seed, so a session replays the same;
- ``now`` the time (epoch seconds); an agent never reads the clock.

It returns a :class:`Step` (an action and its payload as a client sends it, or none yet, and
when to look again) or None (nothing to do until the negotiation changes).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

KINDS = ("propose", "accept", "walk_away", "chat")
ACCEPTANCE = ("AC_next", "AC_const", "AC_time")


class AgentError(ValueError):
    """A strategy or parameter that cannot be used; the message names it."""


@dataclass(frozen=True)
class Step:
    kind: str | None  # propose | accept | walk_away | chat, or None: nothing yet
    payload: dict | None = None  # as a client sends it (PROTOCOL.md section 4)
    wait: float | None = None  # seconds before looking again; None: at the next change


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # number | int | choice | fractions | text
    default: Any
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    doc: str = ""

    def check(self, strategy: str, value: Any) -> Any:
        where = f"{strategy}: parameter {self.name!r}"
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if self.kind in ("number", "int"):
            if not number or (self.kind == "int" and not float(value).is_integer()):
                what = "a whole number" if self.kind == "int" else "a number"
                raise AgentError(f"{where} must be {what}, not {value!r}")
            if (
                value != value
                or (self.lo is not None and value < self.lo)
                or (self.hi is not None and value > self.hi)
            ):
                raise AgentError(f"{where} must be from {self.lo:g} to {self.hi:g}, not {value!r}")
            return int(value) if self.kind == "int" else float(value)
        if self.kind == "choice":
            if value not in self.choices:
                raise AgentError(f"{where} must be one of {', '.join(self.choices)}, not {value!r}")
            return value
        if self.kind == "fractions":
            if value is None:
                return None
            if (
                not isinstance(value, list)
                or not 1 <= len(value) <= 100
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value)
                or not all(0 <= x <= 1 for x in value)
            ):
                raise AgentError(f"{where} must be a list of 1 to 100 numbers from 0 to 1")
            return [float(x) for x in value]
        if self.kind == "text":
            if not isinstance(value, str) or len(value) > 500:
                raise AgentError(f"{where} must be text of at most 500 characters")
            return value
        raise AssertionError(self.kind)


def check_params(strategy: str, spec: tuple[Param, ...], given: Any) -> dict[str, Any]:
    """The parameters, defaults filled in; AgentError naming the first one wrong."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise AgentError(f"{strategy}: parameters must be an object of name to value")
    known = {p.name: p for p in spec}
    for k in given:
        if k not in known:
            names = ", ".join(known) or "none"
            raise AgentError(f"{strategy}: unknown parameter {k!r} (known: {names})")
    return {
        p.name: p.check(strategy, given[p.name]) if p.name in given else p.default for p in spec
    }


class Agent:
    """The interface (a class with ``name`` and ``act``); subclasses set PARAMS."""

    name = "agent"
    reference = ""
    PARAMS: tuple[Param, ...] = ()

    def __init__(self, **params: Any):
        self.params = check_params(self.name, self.PARAMS, params)

    def act(self, view: dict, memory: dict, rng: random.Random, now: float) -> Step | None:
        raise NotImplementedError


def think_time(rng: random.Random, lo: float, hi: float) -> float:
    """Seconds an agent waits before acting, drawn from [lo, hi]."""
    return lo if hi <= lo else rng.uniform(lo, hi)


def decision_rng(seed: Any, index: int, role: str, seen: int) -> random.Random:
    """The generator for one decision: the session's seed, the negotiation's index in the
    session, the role, and how many offers and chat lines it has seen (so a restart draws the
    same)."""
    key = f"{seed}:{index}:{role}:{seen}".encode()
    return random.Random(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big"))


# ---------------------------------------------------------------- acceptance conditions


def accepts(rule: str, offered: float, next_own: float, t: float, params: dict) -> bool:
    """The named acceptance condition (Baarslag, Hindriks and Jonker 2014):

    - ``AC_next``: the offer is worth at least what the agent's own next offer would be;
    - ``AC_const``: the offer is worth at least the fixed level ``accept_level``;
    - ``AC_time``: the time (share of the deadline or offer limit used) is at least
      ``accept_time`` (and the offer is worth at least the reservation, checked by the caller).
    """
    if rule == "AC_next":
        return offered >= next_own - 1e-9 * max(1.0, abs(next_own))
    if rule == "AC_const":
        return offered >= params["accept_level"]
    if rule == "AC_time":
        return t >= params["accept_time"]
    raise AgentError(f"unknown acceptance condition {rule!r}")


def time_share(neg: dict, steps: int, now: float) -> float:
    """How far along the negotiation is, 0..1: the larger of ``steps`` of the ``max_offers - 1``
    its offer limit allows and the share of its time limit used (the agents' time ``t``)."""
    t = steps / max(1, neg["max_offers"] - 1)
    if neg["deadline"] is not None:
        span = neg["deadline"] - neg["started_at"]
        if span > 0:
            t = max(t, (now - neg["started_at"]) / span)
    return min(1.0, max(0.0, t))
