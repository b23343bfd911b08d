"""The post-settlement protocol (``pss``): the offers protocol, then Raiffa's post-settlement phase.

Until a deal, a negotiation plays exactly as :mod:`game.core.protocols.offers` (same events, same
rules, same conditions). The ``accepted`` event that makes the first deal does not end it: it
opens the post-settlement phase, with its own time limit and proposal limit (the session's
``post_settlement`` setting, :func:`parse_options`). In the phase:

- the deal in force stands and is always shown to both;
- either side may propose one package, or several equivalent ones where the condition allows
  MESOs (``single``: one package), while no proposal waits for an answer;
- the recipient of the waiting proposal may accept one of its packages (it becomes the deal in
  force), counter (propose in its turn: the waiting one is then countered) or decline it;
- either side may close the phase at any time (``close_phase``; ``walk_away`` closes it too:
  the deal stands); the phase's time limit closes it, and so does the answer to its last
  allowed proposal;
- the negotiation ends when the phase closes, agreed on the deal in force then.

Events of the phase (distinct from the proposals before the deal):

- ``pss_proposed`` {role, offer_id ("<negotiation id>-p<n>"), packages, based_on}
- ``pss_accepted`` {role, offer_id, package}
- ``pss_declined`` {role, offer_id}
- ``pss_closed``   {role?, by?, reason: closed | time | offer_limit | instructor}

A countered proposal gets no event of its own: the counter's ``pss_proposed`` follows it.
Error codes are the contract's, in its order; in the phase: ``not_your_turn`` (answering one's
own proposal, or proposing while one's own waits), ``offer_limit``, the package codes,
``unknown_offer`` (answering a proposal that is not the waiting one, or none waits).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from game.core.protocols import offers
from game.core.protocols.common import RuleError, replayer
from game.core.protocols.offers import CONDITIONS as CONDITIONS
from game.core.protocols.offers import Offer, Outcome
from game.core.protocols.offers_payloads import _check_offer_id, bad_request

NAME = "pss"
ACTIONS = ("propose", "accept", "walk_away", "chat", "decline", "close_phase")
DEFAULTS = {"time_limit_s": 300, "max_offers": 6}
MAX_TIME_LIMIT_S = 3600
MAX_PROPOSALS = 50
CLOSE_REASONS = ("closed", "time", "offer_limit", "instructor")


@dataclass(frozen=True)
class Phase:
    """The post-settlement phase of one negotiation, from its first deal on."""

    first: tuple[dict, tuple[float, float], str, float]  # package, points, accepted by, at
    deal: dict  # the deal in force
    points: tuple[float, float]  # its points by role index
    deal_by: str  # the role that accepted the deal in force
    proposals: tuple[Offer, ...] = ()
    answers: tuple[dict, ...] = ()  # {offer_id, answer: accepted|declined|countered, ...}
    pending: str | None = None  # the proposal waiting for an answer
    deals: tuple[tuple[dict, tuple[float, float], str | None], ...] = ()  # each deal in force
    closed: dict | None = None  # {reason, by, at}

    def proposal(self, offer_id: str) -> Offer | None:
        return next((o for o in self.proposals if o.id == offer_id), None)


@dataclass(frozen=True)
class State(offers.State):
    phase_time_limit_s: float | None = DEFAULTS["time_limit_s"]
    phase_max_offers: int = DEFAULTS["max_offers"]
    phase: Phase | None = None

    @property
    def in_phase(self) -> bool:
        return self.phase is not None and self.phase.closed is None

    @property
    def turn(self) -> str | None:
        """Before the deal, the offers protocol's; in the phase, the recipient of the waiting
        proposal, or None while either side may propose."""
        if not self.in_phase:
            return super().turn
        p = self.phase
        if p.pending is None:
            return None
        return self.scenario.other(p.proposal(p.pending).by)

    @property
    def phase_left(self) -> int:
        n = len(self.phase.proposals) if self.phase else 0
        return max(0, self.phase_max_offers - n)


# ---------------------------------------------------------------- settings


def parse_options(value: Any) -> tuple[dict, list[str]]:
    """The session's ``post_settlement`` setting: ``{time_limit_s, max_offers}``, each optional
    (defaults :data:`DEFAULTS`); (options, errors as ``PLACE: problem``)."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        return dict(DEFAULTS), ["post_settlement: must be an object with time_limit_s, max_offers"]
    errors = [f"post_settlement.{k}: unknown key" for k in value if k not in DEFAULTS]
    out = dict(DEFAULTS)
    if "time_limit_s" in value:
        t = value["time_limit_s"]
        ok = t is None or (
            isinstance(t, (int, float)) and not isinstance(t, bool) and 0 < t <= MAX_TIME_LIMIT_S
        )
        if not ok:
            errors.append(
                f"post_settlement.time_limit_s: must be a positive number of seconds up to "
                f"{MAX_TIME_LIMIT_S}, or null"
            )
        out["time_limit_s"] = t
    if "max_offers" in value:
        m = value["max_offers"]
        if not isinstance(m, int) or isinstance(m, bool) or not 1 <= m <= MAX_PROPOSALS:
            errors.append(
                f"post_settlement.max_offers: must be a whole number from 1 to {MAX_PROPOSALS}"
            )
        out["max_offers"] = m
    return out, errors


def new_state(
    negotiation_id: str,
    scenario: Any,
    condition: str,
    *,
    started_at: float,
    max_offers: int | None = None,
    time_limit_s: float | None = None,
    deadline: float | None = None,
    options: dict | None = None,
) -> State:
    base = offers.new_state(
        negotiation_id, scenario, condition, started_at=started_at, max_offers=max_offers,
        time_limit_s=time_limit_s, deadline=deadline,
    )  # fmt: skip
    opts = {**DEFAULTS, **(options or {})}
    return State(
        **{f: getattr(base, f) for f in base.__dataclass_fields__},
        phase_time_limit_s=opts["time_limit_s"],
        phase_max_offers=opts["max_offers"],
    )


# ---------------------------------------------------------------- fold


def fold(state: State, event: dict) -> State:
    t = event["type"]
    at = event.get("at", state.started_at)
    n = state.events + 1
    ph = state.phase
    if t == "accepted" and ph is None:
        offer = state.offer(event["offer_id"])
        j = event["package"]
        pk, pts, by = offer.packages[j], offer.points[j], event["role"]
        limit = state.phase_time_limit_s
        phase = Phase(
            first=(pk, pts, by, at), deal=pk, points=pts, deal_by=by, deals=((pk, pts, None),)
        )
        return replace(state, phase=phase, deadline=at + limit if limit else None, events=n)
    if ph is None:
        return offers.fold(state, event)
    sc = state.scenario
    if t == "pss_proposed":
        packages = tuple(sc.normalize(p) for p in event["packages"])
        answers = ph.answers
        if ph.pending is not None:
            answers += ({"offer_id": ph.pending, "answer": "countered", "role": event["role"]},)
        offer = Offer(
            id=event["offer_id"], seq=len(ph.proposals) + 1, by=event["role"], packages=packages,
            points=tuple(sc.points(p) for p in packages), based_on=event.get("based_on"), at=at,
        )  # fmt: skip
        ph = replace(ph, proposals=ph.proposals + (offer,), pending=offer.id, answers=answers)
        return replace(state, phase=ph, events=n)
    if t == "pss_accepted":
        offer = ph.proposal(event["offer_id"])
        j = event["package"]
        answer = {"offer_id": offer.id, "answer": "accepted", "role": event["role"], "package": j}
        ph = replace(
            ph, deal=offer.packages[j], points=offer.points[j], deal_by=event["role"],
            pending=None, answers=ph.answers + (answer,),
            deals=ph.deals + ((offer.packages[j], offer.points[j], offer.id),),
        )  # fmt: skip
        return replace(state, phase=ph, events=n)
    if t == "pss_declined":
        answer = {"offer_id": event["offer_id"], "answer": "declined", "role": event["role"]}
        ph = replace(ph, pending=None, answers=ph.answers + (answer,))
        return replace(state, phase=ph, events=n)
    if t == "pss_closed":
        by = event.get("role") or event.get("by")
        ph = replace(ph, closed={"reason": event["reason"], "by": by, "at": at}, pending=None)
        outcome = Outcome("accepted", ph.deal, ph.points, ph.deal_by)
        return replace(state, phase=ph, outcome=outcome, ended_at=at, events=n)
    return offers.fold(state, event)


replay = replayer(fold)  # the fold of ``events`` from ``state``


# ---------------------------------------------------------------- the rules


def parse_action(kind: str, payload: Any) -> dict:
    """The offers protocol's actions, and the phase's ``decline`` {offer_id} and
    ``close_phase`` {}."""
    if kind == "close_phase":
        if payload is None:
            payload = {}
        if not isinstance(payload, dict) or payload:
            raise bad_request("close_phase takes an empty object")
        return {"type": "close_phase"}
    if kind == "decline":
        if not isinstance(payload, dict):
            raise bad_request("the payload must be a JSON object")
        unknown = set(payload) - {"offer_id"}
        if unknown:
            raise bad_request(f"unknown field {sorted(unknown)[0]!r}")
        return {"type": "decline", "offer_id": _check_offer_id(payload.get("offer_id"), "offer_id")}
    return offers.parse_action(kind, payload)


def due(state: State, now: float) -> list[dict]:
    if state.in_phase:
        if state.deadline is not None and now >= state.deadline:
            return [{"type": "pss_closed", "reason": "time", "at": state.deadline}]
        return []
    return offers.due(state, now)


def end_by_instructor(state: State, now: float) -> list[dict]:
    """The instructor calls time; in the phase the deal in force stands."""
    if state.in_phase:
        return [{"type": "pss_closed", "by": "instructor", "reason": "instructor", "at": now}]
    return offers.end_by_instructor(state, now)


def answer(events: list[dict]) -> dict:
    """The acknowledgement of an action that made ``events``: a proposal's answer names it."""
    out: dict[str, Any] = {"ok": True}
    if events and events[0]["type"] in ("proposed", "pss_proposed"):
        out["offer_id"] = events[0]["offer_id"]
    return out


def apply(state: State, role: str, action: dict, now: float) -> list[dict]:
    kind = action["type"]
    if state.phase is None:
        if kind in ("decline", "close_phase"):
            if role in state.scenario.role_ids and not state.is_open:
                raise RuleError("not_negotiating", "this negotiation has ended")
            raise bad_request(f"{kind} is only for the post-settlement phase, after a deal")
        return offers.apply(state, role, action, now)
    return _apply_phase(state, role, action, now)


def _apply_phase(state: State, role: str, action: dict, now: float) -> list[dict]:
    sc, ph, kind = state.scenario, state.phase, action["type"]
    pending = ph.proposal(ph.pending) if ph.pending else None
    answering = kind == "accept" and pending is not None and action["offer_id"] == pending.id
    if answering and action["package"] >= len(pending.packages):
        raise bad_request(
            f"package {action['package']} is out of range: that proposal has "
            f"{len(pending.packages)} package(s)"
        )
    if role not in sc.role_ids:
        raise RuleError("not_negotiating", f"{role!r} is not a role of this negotiation")
    if not state.in_phase or (state.deadline is not None and now >= state.deadline):
        raise RuleError("not_negotiating", "the post-settlement phase has closed")
    if kind == "chat":
        return [{"type": "chat", "role": role, "text": action["text"], "at": now}]
    if kind in ("close_phase", "walk_away"):
        return [{"type": "pss_closed", "role": role, "reason": "closed", "at": now}]
    if pending is not None and pending.by == role:
        raise RuleError("not_your_turn", "your proposal waits for the other side's answer")
    if kind in ("accept", "decline"):
        if pending is None:
            raise RuleError("unknown_offer", "no proposal waits for an answer")
        if action["offer_id"] != pending.id:
            raise RuleError("unknown_offer", "only the waiting proposal can be answered")
        if kind == "accept":
            e = {"type": "pss_accepted", "role": role, "offer_id": pending.id,
                 "package": action["package"], "at": now}  # fmt: skip
        else:
            e = {"type": "pss_declined", "role": role, "offer_id": pending.id, "at": now}
        if len(ph.proposals) >= state.phase_max_offers:
            return [e, {"type": "pss_closed", "reason": "offer_limit", "at": now}]
        return [e]
    if kind != "propose":
        raise bad_request(f"unknown action {kind!r}")
    return [_proposal(state, role, action, now)]


def _proposal(state: State, role: str, action: dict, now: float) -> dict:
    sc, ph = state.scenario, state.phase
    if len(ph.proposals) >= state.phase_max_offers:
        raise RuleError(
            "offer_limit",
            f"all {state.phase_max_offers} proposals of the phase have been made; the last one "
            "can only be answered",
        )
    packages = action["packages"]
    hi = 1 if state.condition == "single" else sc.max_packages
    if len(packages) > hi:
        raise RuleError("too_many_packages", f"a proposal may have at most {hi} package(s)")
    if not packages:
        raise RuleError("too_few_packages", "a proposal needs at least 1 package")
    normal = offers.checked_packages(sc, role, packages, not_this=ph.deal)
    based_on = action.get("based_on")
    if based_on is not None:
        base = ph.proposal(based_on["offer_id"]) or state.offer(based_on["offer_id"])
        if base is None:
            raise RuleError(
                "unknown_offer", "based_on names an offer that is not in this negotiation"
            )
        if based_on["package"] >= len(base.packages):
            raise bad_request("based_on.package is out of range for that offer")
    return {
        "type": "pss_proposed",
        "role": role,
        "offer_id": f"{state.id}-p{len(ph.proposals) + 1}",
        "packages": normal,
        "based_on": based_on,
        "at": now,
    }


# ---------------------------------------------------------------- views and suggestions


def view(state: State, role: str, *, partner: dict[str, Any], analysis: dict | None = None) -> dict:
    from game.core.protocols.pss_views import view as pss_view

    return pss_view(state, role, partner=partner, analysis=analysis)


def suggest(state: State, role: str, payload: Any) -> dict:
    return offers.suggest(state, role, payload)
