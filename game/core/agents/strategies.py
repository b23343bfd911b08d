"""The shipped strategies: time-based concession, tit-for-tat, MESO and a scripted counterpart.

Each decides from the view alone (see :mod:`game.core.agents.base`), on its own turn only:
accept the latest offer if its acceptance condition holds, else propose its next offer; when no
offer is left to make, accept an offer worth at least its reservation (its BATNA) or walk away.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from game.core.agents import middle, pss
from game.core.agents.base import ACCEPTANCE, Agent, Param, Step, accepts, time_share
from game.core.agents.model import Model, model

ACCEPT_PARAMS = (
    Param("accept", "choice", "AC_next", choices=ACCEPTANCE, doc="the acceptance condition"),
    Param("accept_level", "number", 0.0, -1e12, 1e12, doc="AC_const: points to accept"),
    Param("accept_time", "number", 0.9, 0, 1, doc="AC_time: share of the time to accept after"),
)
# a party of a mediated negotiation (game.core.agents.middle): which issues it confides
CONFIDE_PARAM = Param(
    "confide", "choice", "all", choices=middle.CONFIDE, doc="mediated: the issues it confides"
)


@dataclass
class Turn:
    """One decision's reading of the view."""

    neg: dict
    m: Model
    t: float  # 0..1: the larger share used of the time limit and of the offer limit
    mine: list[dict]  # my offers so far (each with my points)
    theirs: list[dict]  # theirs, with my points
    latest: dict | None  # their latest offer if it is the one to answer
    lo: int
    hi: int  # how many packages my next offer may hold


def read(view: dict, now: float) -> Turn | None:
    """The turn, or None when the agent has nothing to do (not its turn, ended, past time)."""
    neg = view.get("negotiation") if isinstance(view, dict) else None
    if not neg or neg["status"] != "open" or neg["turn"] != neg["role"]:
        return None
    if neg["deadline"] is not None and now >= neg["deadline"]:
        return None
    role = neg["role"]
    offers = neg["offers"]
    t = time_share(neg, len(offers), now)
    mine = [o for o in offers if o["by"] == role]
    theirs = [o for o in offers if o["by"] != role]
    latest = offers[-1] if offers and offers[-1]["by"] != role else None
    lo, hi = neg["package_bounds"]
    return Turn(neg, model(neg), t, mine, theirs, latest, lo, hi)


def best_of(offer: dict) -> tuple[int, float]:
    """The package of an offer worth most to me: (index, my points)."""
    pts = offer["points"]
    k = max(range(len(pts)), key=pts.__getitem__)
    return k, pts[k]


class Negotiator(Agent):
    """The shared turn: accept, propose, or (with no offer left) accept or walk away."""

    count_param = False  # whether offers hold several equivalent packages (MESO)
    protocols = ("offers", "pss", "mediated", "single_text")  # game.core.agents.seating.plays

    def target(self, turn: Turn) -> float:
        raise NotImplementedError

    def packages(self, turn: Turn, target: float) -> list[dict]:
        """The packages of my next offer for a target value (never above my last offer)."""
        m = turn.m
        cap = min(turn.mine[-1]["points"]) if turn.mine else None
        if cap is not None:
            target = min(target, cap)
        near = turn.theirs[-1]["packages"][best_of(turn.theirs[-1])[0]] if turn.theirs else None
        want = max(turn.lo, min(turn.hi, self.count(turn)))
        if want >= 2:
            # the highest target from ``target`` down that has enough equivalent packages
            step = max(m.tolerance, (m.best - m.reservation) / 50, 1e-9)
            t = target
            while True:
                found = m.equivalent_set(t, want, near=near)
                if len(found) >= want or (len(found) >= turn.lo and t < m.reservation):
                    return found
                if t < m.worst:
                    break
                t -= step
        return [m.at_least(target, cap=cap, near=near)]

    def count(self, turn: Turn) -> int:
        return 1

    def act(self, view: dict, memory: dict, rng: random.Random, now: float) -> Step | None:
        if pss.in_phase(view):  # after a deal: answer a proposal by its worth (agents/pss.py)
            return pss.answer(view, now)
        if middle.in_middle(view):  # a party with a mediator or facilitator (agents/middle.py)
            return middle.act(self, view, now)
        turn = read(view, now)
        if turn is None:
            return None
        return self.decide(turn, memory, rng)

    def decide(self, turn: Turn, memory: dict, rng: random.Random) -> Step:
        m, neg = turn.m, turn.neg
        offered = None
        if turn.latest is not None:
            k, offered = best_of(turn.latest)
            accept_step = Step("accept", {"offer_id": turn.latest["id"], "package": k})
        if neg["offers_left"] == 0:
            if offered is not None and offered >= m.reservation:
                return accept_step
            return Step("walk_away", {})
        if offered is not None and self.walks(turn, offered):
            return Step("walk_away", {})
        target = max(m.reservation, self.target(turn))
        packages = self.packages(turn, target)
        if offered is not None and offered >= m.reservation:
            next_own = min(m.value(p) for p in packages)
            if accepts(self.params["accept"], offered, next_own, turn.t, self.params):
                return accept_step
        return Step("propose", {"packages": packages})

    def walks(self, turn: Turn, offered: float) -> bool:
        return False

    def middle_target(self, r: middle.Reading) -> float:
        """The target for the latest proposal or draft of a protocol with a middle seat."""
        raise NotImplementedError


def curve(t: float, e: float, k: float) -> float:
    """Faratin, Sierra and Jennings (1998): the share of the way from best to reservation
    conceded at time t, ``k + (1 - k) * t ** (1 / e)``; e < 1 Boulware, 1 linear, > 1 Conceder."""
    return k + (1 - k) * (t ** (1 / e) if t > 0 else 0.0)


TIME_PARAMS = (
    Param("e", "number", 1.0, 0.01, 50, doc="the curve's exponent: < 1 Boulware, > 1 Conceder"),
    Param("k", "number", 0.0, 0, 1, doc="share conceded at once (the first offer)"),
)


def _time(default_e: float) -> tuple[Param, ...]:
    e = Param("e", "number", default_e, 0.01, 50, doc=TIME_PARAMS[0].doc)
    return (e, TIME_PARAMS[1], *ACCEPT_PARAMS, CONFIDE_PARAM)


class TimeBased(Negotiator):
    """Time-dependent tactics (Faratin, Sierra and Jennings 1998)."""

    reference = "Faratin, Sierra and Jennings (1998), Robotics and Autonomous Systems 24"

    def target(self, turn: Turn) -> float:
        m = turn.m
        share = curve(turn.t, self.params["e"], self.params["k"])
        return m.best - (m.best - m.reservation) * share

    def middle_target(self, r: middle.Reading) -> float:
        return self.target(r)  # the same curve, at the latest proposal's or draft's time


class Boulware(TimeBased):
    name = "boulware"
    PARAMS = _time(0.2)


class Linear(TimeBased):
    name = "linear"
    PARAMS = _time(1.0)


class Conceder(TimeBased):
    name = "conceder"
    PARAMS = _time(2.0)


class TitForTat(Negotiator):
    """Behaviour-dependent tactics: concede as the other side concedes, measured in the agent's
    own points (Faratin et al. 1998; GENIUS' tit-for-tat agents, Baarslag et al. 2013)."""

    name = "tit_for_tat"
    reference = "Faratin, Sierra and Jennings (1998); Baarslag, Hindriks and Jonker (2013)"
    PARAMS = (
        Param("mode", "choice", "relative", choices=("relative", "absolute"), doc="how to mirror"),
        Param("delta", "int", 1, 1, 10, doc="compare their latest offer with the one delta back"),
        Param("min_step", "number", 0.05, 0, 1, doc="share of the range conceded at least"),
        *ACCEPT_PARAMS,
        CONFIDE_PARAM,
    )

    def target(self, turn: Turn) -> float:
        m = turn.m
        if not turn.mine:
            return m.best
        prev = min(turn.mine[-1]["points"])
        span = m.best - m.reservation
        d = max(0.0, prev - m.reservation)  # what I still ask above my reservation
        n = self.params["delta"]
        if len(turn.theirs) > n:
            now_v = best_of(turn.theirs[-1])[1]
            then_v = best_of(turn.theirs[-1 - n])[1]
            if self.params["mode"] == "absolute":
                d -= now_v - then_v
            else:
                gap_then, gap_now = m.best - then_v, m.best - now_v
                d = d * gap_now / gap_then if gap_then > 0 else 0.0
        d = min(d, max(0.0, prev - m.reservation) - self.params["min_step"] * span)
        return m.reservation + max(0.0, min(span, d))

    def middle_target(self, r: middle.Reading) -> float:
        return middle.mirror(r, self.params)


class Meso(TimeBased):
    """Multiple equivalent simultaneous offers (Leonardelli et al. 2019): every offer 2–3
    packages of equal value to the agent, chosen to differ, conceding on a time curve."""

    name = "meso"
    reference = "Leonardelli, Gu, McRuer, Medvec and Galinsky (2019), OBHDP 152"
    PARAMS = (
        Param("count", "int", 3, 2, 3, doc="packages per offer (at most the scenario's)"),
        *_time(1.0),
    )

    def count(self, turn: Turn) -> int:
        return self.params["count"]


LEVELS = {"extreme": 0.95, "moderate": 0.6}


class Scripted(Negotiator):
    """A counterpart for experiments: a given first offer, a concession schedule, an acceptance
    rule and a walk-away rule, so the condition is the only thing that varies."""

    name = "scripted"
    reference = "Leonardelli et al. (2019); Galinsky and Mussweiler (2001) on first offers"
    PARAMS = (
        Param("opening", "choice", "single", choices=("single", "meso"), doc="first offer"),
        Param("level", "choice", "extreme", choices=tuple(LEVELS), doc="how demanding"),
        Param("count", "int", 3, 2, 3, doc="packages of a MESO opening"),
        Param("schedule", "fractions", None, doc="share of the range kept, offer by offer"),
        Param("step", "number", 0.1, 0, 1, doc="share conceded per offer without a schedule"),
        Param("accept", "choice", "AC_next", choices=("AC_next", "AC_const"), doc="acceptance"),
        Param("accept_level", "number", 0.0, -1e12, 1e12, doc="AC_const: points to accept"),
        Param("walk_away", "choice", "at_end", choices=("at_end", "below"), doc="walk-away rule"),
        Param("walk_level", "number", 0.0, -1e12, 1e12, doc="below: walk from offers under it"),
        Param("greeting", "text", "", doc="a chat line sent before the first offer"),
        CONFIDE_PARAM,
    )

    def keep(self, n: int) -> float:
        """The share of the range above the reservation kept in my n-th offer (from 0)."""
        first = LEVELS[self.params["level"]]
        if n == 0:
            return first
        sched = self.params["schedule"]
        if sched:
            return min(first, sched[min(n - 1, len(sched) - 1)])
        return max(0.0, first - self.params["step"] * n)

    def target(self, turn: Turn) -> float:
        m = turn.m
        return m.reservation + (m.best - m.reservation) * self.keep(len(turn.mine))

    def count(self, turn: Turn) -> int:
        return self.params["count"] if self.params["opening"] == "meso" and not turn.mine else 1

    def middle_target(self, r: middle.Reading) -> float:
        m = r.m  # one step of its schedule per proposal or draft
        return m.reservation + (m.best - m.reservation) * self.keep(max(0, r.seq - 1))

    def walks(self, turn: Turn, offered: float) -> bool:
        return self.params["walk_away"] == "below" and offered < self.params["walk_level"]

    def decide(self, turn: Turn, memory: dict, rng: random.Random) -> Step:
        greeting = self.params["greeting"]
        if greeting and not any(c["by"] == turn.neg["role"] for c in turn.neg["chat"]):
            return Step("chat", {"text": greeting}, wait=0)
        return super().decide(turn, memory, rng)


class PssImprover(TimeBased):
    """Before the deal, the time-based ``linear`` tactic; after it, Raiffa's post-settlement
    settlement: it proposes packages better for both by its own estimate of the other side
    (game.core.agents.improver) and closes the phase when it has nothing better to offer."""

    name = "pss_improver"
    reference = "Raiffa (1985), Negotiation Journal 1(1); van Krimpen et al. (2013), HardHeaded"
    PARAMS = (
        *_time(1.0),
        Param("max_declines", "int", 2, 1, 50, doc="close the phase after this many declines"),
    )

    def act(self, view: dict, memory: dict, rng: random.Random, now: float) -> Step | None:
        if pss.in_phase(view):
            return pss.improve(view, now, self.params["max_declines"])
        return super().act(view, memory, rng, now)


SHIPPED: dict[str, type[Agent]] = {
    c.name: c for c in (Boulware, Linear, Conceder, TitForTat, Meso, Scripted, PssImprover)
}


def describe(cls: type[Agent]) -> dict[str, Any]:
    return {
        "name": cls.name,
        "reference": cls.reference,
        "params": {p.name: p.default for p in cls.PARAMS},
    }
