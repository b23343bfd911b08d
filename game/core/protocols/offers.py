"""The offers protocol: alternating offers of one package or of several equivalent ones (MESO).

The session's conditions ``single``, ``meso`` and ``any`` (PROTOCOL.md section 3) are this
protocol's; the interface it implements is in :mod:`game.core.protocols`.

A negotiation's state is a fold of its events: ``state = replay(setup, events)``. An action is
checked against the state by :func:`apply`, which returns the new events it causes or raises
:class:`RuleError` with one of the contract's error codes. The rules never read the clock: every
call that can depend on time takes ``now`` (epoch seconds).

Events are plain JSON-able dicts with a ``type`` and ``at``; those made by a participant carry
their ``role``:

- ``proposed``     {role, offer_id, packages, based_on: null | {offer_id, package}}
- ``accepted``     {role, offer_id, package}
- ``walked_away``  {role}
- ``deadline``     {}                      (made by the server itself)
- ``chat``         {role, text}
- ``ended``        {by: "instructor"} (the instructor ends it: an impasse, reason ``instructor``)

Error codes, checked in this order when several apply (PROTOCOL.md section 4):
rate_limited (the shell's), bad_request, not_negotiating, chat_limit (chat only), not_your_turn,
offer_limit,
too_many_packages / too_few_packages, invalid_package, not_equivalent, unknown_offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from game.core import analysis
from game.core.equivalence import equivalent
from game.core.protocols.common import Ending, RuleError, opening, replayer
from game.core.protocols.offers_payloads import CHAT_SHOWN as CHAT_SHOWN
from game.core.protocols.offers_payloads import MAX_CHAT as MAX_CHAT
from game.core.protocols.offers_payloads import (
    MAX_CHAT_CHARS,
    MAX_CHAT_MESSAGES,
    MAX_PAYLOAD_PACKAGES,
    bad_request,
)
from game.core.protocols.offers_payloads import parse_action as parse_action  # the interface's
from game.core.scenario import Scenario

NAME = "offers"
CONDITIONS = ("single", "meso", "any")
ACTIONS = ("propose", "accept", "walk_away", "chat")


@dataclass(frozen=True)
class Offer:
    id: str
    seq: int  # from 1
    by: str  # role id
    packages: tuple[dict, ...]
    points: tuple[tuple[float, float], ...]  # both roles' points per package
    based_on: dict | None
    at: float


@dataclass(frozen=True)
class Outcome:
    reason: str  # accepted | walked_away | deadline | instructor (PROTOCOL.md sections 4, 6)
    package: dict | None
    points: tuple[float, float]  # by role index; the BATNAs on impasse
    by: str | None = None  # the role that accepted or walked away; "instructor" if it ended it


@dataclass(frozen=True)
class State(Ending):
    """Everything the rules know of one negotiation."""

    id: str
    scenario: Scenario
    condition: str
    max_offers: int
    deadline: float | None  # epoch seconds or None
    started_at: float
    offers: tuple[Offer, ...] = ()
    chat: tuple[dict, ...] = ()
    outcome: Outcome | None = None
    ended_at: float | None = None
    events: int = 0  # how many events were folded in
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def latest(self) -> Offer | None:
        return self.offers[-1] if self.offers else None

    @property
    def turn(self) -> str | None:
        """The role that may act now (propose, or accept the latest offer); None once ended."""
        if not self.is_open:
            return None
        if not self.offers:
            return self.scenario.first_mover
        return self.scenario.other(self.offers[-1].by)

    @property
    def offers_left(self) -> int:
        return max(0, self.max_offers - len(self.offers))

    def offer(self, offer_id: str) -> Offer | None:
        for o in self.offers:
            if o.id == offer_id:
                return o
        return None

    def package_bounds(self, role: str) -> tuple[int, int]:
        """How many packages ``role``'s next offer may hold, (fewest, most)."""
        hi = 1 if self.condition == "single" else self.scenario.max_packages
        lo = 1
        # meso: the negotiation's first offer (the first mover's) must hold 2 or more
        if self.condition == "meso" and not self.offers and role == self.scenario.first_mover:
            lo = min(2, hi)
        return lo, hi


def new_state(
    negotiation_id: str,
    scenario: Scenario,
    condition: str,
    *,
    started_at: float,
    max_offers: int | None = None,
    time_limit_s: float | None = None,
    deadline: float | None = None,
    options: dict | None = None,
) -> State:
    """The state of a negotiation that has just been paired (no events yet); this protocol
    has no ``options``."""
    return opening(
        State,
        CONDITIONS,
        negotiation_id,
        scenario,
        condition,
        started_at=started_at,
        max_offers=max_offers,
        time_limit_s=time_limit_s,
        deadline=deadline,
    )


def condition_rule(state: State, role: str | None = None) -> str:
    """The condition's rule in plain words, for ``role`` when given."""
    hi = state.scenario.max_packages
    first = role is not None and role == state.scenario.first_mover
    if state.condition == "single":
        return "Every offer is exactly one package."
    if state.condition == "meso":
        if role is None:
            return (
                f"The first offer must be 2–{hi} packages of equal value to its proposer; "
                f"later offers may have 1–{hi}."
            )
        if first:
            return (
                f"Your first offer must be 2–{hi} packages of equal value to you; "
                f"after that, offers may have 1–{hi} packages."
            )
        return (
            f"The other side opens with 2–{hi} packages of equal value to them. Your offers may "
            f"have 1–{hi} packages; two or more must be of equal value to you."
        )
    return (
        f"Every offer may have 1–{hi} packages; two or more must be of equal value to the proposer."
    )


# ---------------------------------------------------------------- fold


def fold(state: State, event: dict) -> State:
    """The state after one event. Events come from :func:`apply`, so they are trusted here."""
    t = event["type"]
    at = event.get("at", state.started_at)
    n = state.events + 1
    if t == "proposed":
        sc = state.scenario
        packages = tuple(sc.normalize(p) for p in event["packages"])
        offer = Offer(
            id=event["offer_id"],
            seq=len(state.offers) + 1,
            by=event["role"],
            packages=packages,
            points=tuple(sc.points(p) for p in packages),
            based_on=event.get("based_on"),
            at=at,
        )
        return replace(state, offers=state.offers + (offer,), events=n)
    if t == "accepted":
        offer = state.offer(event["offer_id"])
        package = offer.packages[event["package"]]
        outcome = Outcome("accepted", package, offer.points[event["package"]], event["role"])
        return replace(state, outcome=outcome, ended_at=at, events=n)
    if t in ("walked_away", "deadline"):
        outcome = Outcome(t, None, state.scenario.batnas, event.get("role"))
        return replace(state, outcome=outcome, ended_at=at, events=n)
    if t == "ended":
        # The instructor ends it: an impasse at the BATNAs with reason ``instructor``
        # (PROTOCOL.md section 6); older databases recorded the same event, so they read alike.
        outcome = Outcome("instructor", None, state.scenario.batnas, event.get("by", "instructor"))
        return replace(state, outcome=outcome, ended_at=at, events=n)
    if t == "chat":
        msg = {"by": event["role"], "text": event["text"], "at": at}
        return replace(state, chat=state.chat + (msg,), events=n)
    # events of other kinds (presence, notes) do not change the negotiation
    return replace(state, events=n)


replay = replayer(fold)  # the fold of ``events`` from ``state``


# ---------------------------------------------------------------- the rules


def due(state: State, now: float) -> list[dict]:
    """Events the server must make by itself at ``now``: the deadline, once it has passed."""
    if state.is_open and state.deadline is not None and now >= state.deadline:
        return [{"type": "deadline", "at": state.deadline}]
    return []


def next_offer_id(state: State) -> str:
    return f"{state.id}-{len(state.offers) + 1}"


def apply(state: State, role: str, action: dict, now: float) -> list[dict]:
    """The events that ``action`` by ``role`` causes, or RuleError.

    ``action`` is what :func:`parse_action` returns. A deadline that has passed is the shell's
    to record first (see :func:`due`); here a passed deadline simply means the negotiation is
    no longer open.
    """
    kind = action["type"]
    sc = state.scenario
    open_now = state.is_open and (state.deadline is None or now < state.deadline)

    # bad_request that needs the state: a package index out of range
    if kind == "accept":
        latest = state.latest
        if latest is not None and action["package"] >= len(latest.packages):
            raise bad_request(
                f"package {action['package']} is out of range: the latest offer has "
                f"{len(latest.packages)} package(s)"
            )
    if kind == "propose" and action.get("based_on"):
        base = state.offer(action["based_on"]["offer_id"])
        if base is not None and action["based_on"]["package"] >= len(base.packages):
            raise bad_request(
                f"based_on.package {action['based_on']['package']} is out of range: that offer "
                f"has {len(base.packages)} package(s)"
            )

    if role not in sc.role_ids:
        raise RuleError("not_negotiating", f"{role!r} is not a role of this negotiation")
    if not open_now:
        raise RuleError("not_negotiating", "this negotiation has ended")

    if kind == "chat":
        chars = sum(len(c["text"]) for c in state.chat)
        if len(state.chat) >= MAX_CHAT_MESSAGES or chars + len(action["text"]) > MAX_CHAT_CHARS:
            raise RuleError(
                "chat_limit",
                f"this negotiation's chat is full (at most {MAX_CHAT_MESSAGES} messages and "
                f"{MAX_CHAT_CHARS:,} characters): go on with offers",
            )
        return [{"type": "chat", "role": role, "text": action["text"], "at": now}]
    if kind == "walk_away":
        return [{"type": "walked_away", "role": role, "at": now}]

    if state.turn != role:
        raise RuleError("not_your_turn", "it is the other side's turn")

    if kind == "accept":
        latest = state.latest
        if latest is None:
            raise RuleError("unknown_offer", "there is no offer to accept yet")
        if action["offer_id"] != latest.id:
            raise RuleError("unknown_offer", "only the latest offer can be accepted")
        return [
            {
                "type": "accepted",
                "role": role,
                "offer_id": latest.id,
                "package": action["package"],
                "at": now,
            }
        ]

    if kind != "propose":
        raise bad_request(f"unknown action {kind!r}")

    if len(state.offers) >= state.max_offers:
        raise RuleError(
            "offer_limit",
            f"all {state.max_offers} offers have been made; the last one can only be accepted "
            "or the negotiation walked away from",
        )
    packages = action["packages"]
    lo, hi = state.package_bounds(role)
    if len(packages) > hi:
        why = " in a single-offer negotiation" if state.condition == "single" else ""
        raise RuleError("too_many_packages", f"an offer may have at most {hi} package(s){why}")
    if len(packages) < lo:
        why = " (the first offer must be a MESO)" if state.condition == "meso" else ""
        raise RuleError("too_few_packages", f"this offer needs at least {lo} packages{why}")
    normal = checked_packages(sc, role, packages)
    based_on = action.get("based_on")
    if based_on is not None and state.offer(based_on["offer_id"]) is None:
        raise RuleError("unknown_offer", "based_on names an offer that is not in this negotiation")
    return [
        {
            "type": "proposed",
            "role": role,
            "offer_id": next_offer_id(state),
            "packages": normal,
            "based_on": based_on,
            "at": now,
        }
    ]


def checked_packages(
    sc: Scenario, role: str, packages: list[dict], *, not_this: dict | None = None
) -> list[dict]:
    """An offer's packages, normalised, or RuleError: ``invalid_package`` (outside the scenario,
    twice the same, or ``not_this``: the post-settlement phase's deal in force), then
    ``not_equivalent`` (worth more than the tolerance apart to ``role``)."""
    for n, p in enumerate(packages):
        problem = sc.package_problem(p)
        if problem:
            raise RuleError("invalid_package", f"package {n + 1}: {problem}")
    normal = [sc.normalize(p) for p in packages]
    for a in range(len(normal)):
        if not_this is not None and normal[a] == not_this:
            raise RuleError("invalid_package", f"package {a + 1} is the deal in force")
        for b in range(a):
            if normal[a] == normal[b]:
                raise RuleError(
                    "invalid_package", f"packages {b + 1} and {a + 1} are the same package"
                )
    if len(normal) > 1:
        values = [sc.value(p, role) for p in normal]
        if not equivalent(values, sc.meso_tolerance):
            raise RuleError(
                "not_equivalent",
                f"the packages are worth {_fmt(min(values))} to {_fmt(max(values))} points to you; "
                f"equivalent packages may differ by at most {_fmt(sc.meso_tolerance)}",
            )
    return normal


def answer(events: list[dict]) -> dict:
    """The acknowledgement of an action that made ``events``: a proposal's answer names it."""
    if events and events[0]["type"] == "proposed":
        return {"ok": True, "offer_id": events[0]["offer_id"]}
    return {"ok": True}


def end_by_instructor(state: State, now: float) -> list[dict]:
    if not state.is_open:
        raise RuleError("not_negotiating", "this negotiation has ended")
    return [{"type": "ended", "by": "instructor", "at": now}]


def _fmt(x: float) -> str:
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.2f}"
    return f"{int(x):,}"


# ---------------------------------------------------------------- views


def view(state: State, role: str, *, partner: dict[str, Any], analysis: dict | None = None) -> dict:
    """What ``role`` is shown of the negotiation (game.core.views builds it)."""
    from game.core.views import negotiation_view  # views builds on offer_view above

    return negotiation_view(state, role, partner=partner, analysis=analysis)


# ---------------------------------------------------------------- suggestions


def suggest(state: State, role: str, payload: Any) -> dict:
    """The answer to ``suggest``: packages equivalent (to ``role``) to the packages given, for
    the MESO builder (PROTOCOL.md section 4). The maths are :func:`analysis.suggest`."""
    sc = state.scenario
    if not state.is_open:
        return RuleError("not_negotiating", "you are not in an open negotiation").as_answer()
    if not isinstance(payload, dict) or not isinstance(payload.get("packages"), list):
        return bad_request("packages must be a list of packages").as_answer()
    packages = payload["packages"][:MAX_PAYLOAD_PACKAGES]
    if not packages:
        return bad_request("give at least one package to match").as_answer()
    for i, pk in enumerate(packages):
        problem = sc.package_problem(pk)
        if problem:
            return RuleError("invalid_package", f"package {i + 1}: {problem}").as_answer()
    given = [sc.normalize(x) for x in packages]
    count = payload.get("count", sc.max_packages)
    if not isinstance(count, int) or isinstance(count, bool):
        return bad_request("count must be a whole number").as_answer()
    extra = analysis.suggest(sc, role, given, count)
    if extra is None:
        return RuleError(
            "not_equivalent", "the packages given already differ by more than the tolerance"
        ).as_answer()
    return {
        "ok": True,
        "packages": extra,
        "points": [sc.value(x, role) for x in extra],
        "target": sc.value(given[0], role),
    }
