"""Mediated negotiation: the parties never offer to each other; a mediator proposes to both.

Seats: the scenario's two roles (the parties) and ``mediator``. Each party has a private
channel with the mediator (chat) and may *confide* its priorities, its own points on issues it
chooses, to the mediator alone. The mediator proposes one package at a time to both parties at
once, as its own; each party answers accept or reject, with a reason if it wishes; a proposal
both accept is the deal. Either party may walk away; the deadline and the instructor end it as
in the offers protocol. The interface is in :mod:`game.core.protocols`.

Events (JSON-able dicts with ``type`` and ``at``; ``role`` is the acting seat):

- ``message``     {role, channel, text}: channel is the party's role id (its channel)
- ``confided``    {role, issues: [issue id]}: the issues newly confided
- ``proposal``    {role: "mediator", proposal_id, package, note}
- ``answered``    {role, proposal_id, accept: bool, reason}; the second acceptance of a
  proposal makes the deal (reason ``accepted``, ``by`` the party that accepted last)
- ``walked_away`` {role}, ``deadline`` {}, ``ended`` {by: "instructor"}

Error codes, in this order: bad_request, not_negotiating, not_your_seat (an action this seat
may not take), offer_limit (all ``max_offers`` proposals made), invalid_package (a proposal
outside the scenario), unknown_issue (confiding an issue the scenario has not), unknown_offer
(answering anything but the latest proposal), already_answered.

Views are built by :func:`view`, one per seat: a party sees its own table, its channel, what it
confided, and the proposals with its own points and its own answers (a proposal's status says
whether it was rejected, not by whom). The mediator sees both channels, the parties' names, the
issues without anyone's points, the points each party confided (and nothing else of their
tables), and the proposals with both answers and reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from game.core.protocols import middle
from game.core.protocols.common import Ending, RuleError, opening, replayer
from game.core.protocols.middle import Outcome, bad_request
from game.core.scenario import Scenario

NAME = "mediated"
CONDITIONS = ("mediated",)
ACTIONS = (
    "chat",
    "confide",
    "propose",
    "answer",
    "walk_away",
)  # the Socket.IO events its seats may send
MIDDLE = "mediator"
MAX_ISSUES = 100


@dataclass(frozen=True)
class Proposal:
    id: str
    seq: int  # from 1
    package: dict
    points: tuple[float, float]
    note: str
    at: float
    answers: dict = field(default_factory=dict)  # role -> {"accept", "reason", "at"}

    @property
    def status(self) -> str:
        """open | rejected | accepted (both accepted)."""
        if any(not a["accept"] for a in self.answers.values()):
            return "rejected"
        if len(self.answers) == 2:
            return "accepted"
        return "open"


@dataclass(frozen=True)
class State(Ending):
    id: str
    scenario: Scenario
    condition: str
    max_offers: int  # how many proposals the mediator may make
    deadline: float | None
    started_at: float
    messages: tuple[dict, ...] = ()  # {"channel", "by", "text", "at"}
    confided: dict = field(default_factory=dict)  # role -> tuple of issue ids, in order
    proposals: tuple[Proposal, ...] = ()
    outcome: Outcome | None = None
    ended_at: float | None = None
    events: int = 0
    extra: dict = field(default_factory=dict, compare=False)

    offers = ()  # no offers between the parties (for code that reads any protocol's state)

    @property
    def seats(self) -> tuple[str, str, str]:
        return (*self.scenario.role_ids, MIDDLE)

    @property
    def latest(self) -> Proposal | None:
        return self.proposals[-1] if self.proposals else None

    @property
    def turn(self) -> str | None:
        """The mediator while no proposal awaits an answer; None while the parties answer."""
        if not self.is_open:
            return None
        latest = self.latest
        if latest is not None and latest.status == "open":
            return None
        return MIDDLE

    @property
    def offers_left(self) -> int:
        return max(0, self.max_offers - len(self.proposals))


def new_state(
    negotiation_id: str,
    scenario: Scenario,
    condition: str,
    *,
    started_at: float,
    max_offers: int | None = None,
    time_limit_s: float | None = None,
    deadline: float | None = None,
) -> State:
    state = opening(
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
    middle.seats(scenario, MIDDLE)  # refuses a scenario with a role named "mediator"
    return state


def condition_rule(state: State, seat: str | None = None) -> str:
    if seat == MIDDLE:
        return (
            "You are the mediator: talk with each party in private, and propose packages to "
            "both as your own. A package both accept is the deal."
        )
    return (
        "A mediator proposes packages to both parties. Talk with the mediator in private; "
        "confide your points on issues you choose to the mediator alone; accept or reject "
        "each proposal. A proposal both parties accept is the deal."
    )


# ---------------------------------------------------------------- fold


def fold(state: State, event: dict) -> State:
    t = event["type"]
    at = event.get("at", state.started_at)
    n = state.events + 1
    if t == "message":
        msg = {"channel": event["channel"], "by": event["role"], "text": event["text"], "at": at}
        return replace(state, messages=state.messages + (msg,), events=n)
    if t == "confided":
        confided = dict(state.confided)
        confided[event["role"]] = tuple(confided.get(event["role"], ())) + tuple(event["issues"])
        return replace(state, confided=confided, events=n)
    if t == "proposal":
        sc = state.scenario
        package = sc.normalize(event["package"])
        p = Proposal(
            id=event["proposal_id"],
            seq=len(state.proposals) + 1,
            package=package,
            points=sc.points(package),
            note=event.get("note", ""),
            at=at,
        )
        return replace(state, proposals=state.proposals + (p,), events=n)
    if t == "answered":
        idx = next(i for i, p in enumerate(state.proposals) if p.id == event["proposal_id"])
        p = state.proposals[idx]
        answers = dict(p.answers)
        answers[event["role"]] = {"accept": event["accept"], "reason": event["reason"], "at": at}
        p = replace(p, answers=answers)
        proposals = state.proposals[:idx] + (p,) + state.proposals[idx + 1 :]
        if p.status == "accepted":
            outcome = Outcome("accepted", p.package, p.points, event["role"])
            return replace(state, proposals=proposals, outcome=outcome, ended_at=at, events=n)
        return replace(state, proposals=proposals, events=n)
    return middle.settle(state, event, n, at)


replay = replayer(fold)  # the fold of ``events`` from ``state``


due = middle.due
end_by_instructor = middle.end_by_instructor


# ---------------------------------------------------------------- actions


def parse_action(kind: str, payload: Any) -> dict:
    """Check a payload's shape; knows nothing of the state or the seat."""
    if kind == "chat":
        p = middle.check_fields(payload, {"text", "to"})
        to = p.get("to")
        return {
            "type": "chat",
            "text": middle.check_text(p.get("text"), "text", middle.MAX_CHAT),
            "to": None if to is None else middle.check_id(to, "to"),
        }
    if kind == "confide":
        p = middle.check_fields(payload, {"issues"})
        issues = p.get("issues")
        if not isinstance(issues, list) or not 1 <= len(issues) <= MAX_ISSUES:
            raise bad_request(f"issues must be a list of 1 to {MAX_ISSUES} issue ids")
        ids = [middle.check_id(x, f"issues[{n}]") for n, x in enumerate(issues)]
        return {"type": "confide", "issues": list(dict.fromkeys(ids))}
    if kind == "propose":
        p = middle.check_fields(payload, {"package", "note"})
        return {
            "type": "propose",
            "package": middle.check_package(p.get("package"), "package"),
            "note": middle.check_text(p.get("note"), "note", middle.MAX_REASON, optional=True),
        }
    if kind == "answer":
        p = middle.check_fields(payload, {"proposal_id", "accept", "reason"})
        if not isinstance(p.get("accept"), bool):
            raise bad_request("accept must be true or false")
        return {
            "type": "answer",
            "proposal_id": middle.check_id(p.get("proposal_id"), "proposal_id"),
            "accept": p["accept"],
            "reason": middle.check_text(
                p.get("reason"), "reason", middle.MAX_REASON, optional=True
            ),
        }
    if kind == "walk_away":
        middle.check_fields(payload, set())
        return {"type": "walk_away"}
    raise bad_request(f"unknown action {kind!r}")


PARTIES_ONLY = ("confide", "answer", "walk_away")


def apply(state: State, seat: str, action: dict, now: float) -> list[dict]:
    """The events that ``action`` by ``seat`` causes, or RuleError."""
    kind = action["type"]
    sc = state.scenario
    parties = sc.role_ids
    allowed = parties if kind in PARTIES_ONLY else (MIDDLE,) if kind == "propose" else None
    middle.seat_check(state, seat, now, allowed)

    if kind == "chat":
        if seat == MIDDLE:
            if action["to"] not in parties:
                raise bad_request(f"to must name a party: {' or '.join(parties)}")
            channel = action["to"]
        else:
            if action["to"] not in (None, MIDDLE):
                raise RuleError("not_your_seat", "a party talks with the mediator only")
            channel = seat
        return [
            {"type": "message", "role": seat, "channel": channel, "text": action["text"], "at": now}
        ]
    if kind == "walk_away":
        return [{"type": "walked_away", "role": seat, "at": now}]
    if kind == "confide":
        unknown = [i for i in action["issues"] if sc.issue(i) is None]
        if unknown:
            raise RuleError("unknown_issue", f"the scenario has no issue {unknown[0]!r}")
        new = [i for i in action["issues"] if i not in state.confided.get(seat, ())]
        if not new:
            raise bad_request("you have already confided these issues")
        return [{"type": "confided", "role": seat, "issues": new, "at": now}]
    if kind == "propose":
        if len(state.proposals) >= state.max_offers:
            raise RuleError("offer_limit", f"all {state.max_offers} proposals have been made")
        problem = sc.package_problem(action["package"])
        if problem:
            raise RuleError("invalid_package", problem)
        return [
            {
                "type": "proposal",
                "role": seat,
                "proposal_id": f"{state.id}-m{len(state.proposals) + 1}",
                "package": sc.normalize(action["package"]),
                "note": action["note"],
                "at": now,
            }
        ]
    if kind == "answer":
        latest = state.latest
        if latest is None or latest.id != action["proposal_id"]:
            raise RuleError("unknown_offer", "only the latest proposal can be answered")
        if seat in latest.answers:
            raise RuleError("already_answered", "you have answered this proposal")
        return [
            {
                "type": "answered",
                "role": seat,
                "proposal_id": latest.id,
                "accept": action["accept"],
                "reason": action["reason"],
                "at": now,
            }
        ]
    raise bad_request(f"unknown action {kind!r}")


def suggest(state: State, role: str, payload: Any) -> dict:
    return bad_request("this protocol has no suggestions").as_answer()


# ---------------------------------------------------------------- views


def confided_points(state: State, role: str) -> dict[str, dict[str, float]]:
    """What ``role`` confided: its own points for each option of each confided issue."""
    sc = state.scenario
    k = sc.role_index(role)
    out: dict[str, dict[str, float]] = {}
    for issue_id in state.confided.get(role, ()):
        issue = sc.issue(issue_id)
        out[issue_id] = {o.id: o.points[k] for o in issue.options}
    return out


def view(
    state: State,
    seat: str,
    *,
    partner: dict | None = None,
    others: dict[str, dict] | None = None,
    analysis: dict | None = None,
) -> dict:
    """What ``seat`` is shown. ``others`` maps the other seats to ``{name, connected}``."""
    sc = state.scenario
    others = others or {}
    base = middle.base_view(state, seat, NAME, condition_rule(state, seat))
    if seat == MIDDLE:
        base.update(
            seat="mediator",
            scenario={
                "id": sc.id,
                "title": sc.title,
                "description": sc.description,
                "parties": middle.party_names(sc),
                "issues": middle.issues_without_points(sc),
            },
            channels={
                r: [_msg(m) for m in state.messages if m["channel"] == r] for r in sc.role_ids
            },
            confided={r: confided_points(state, r) for r in sc.role_ids},
            proposals=[
                {
                    "id": p.id,
                    "seq": p.seq,
                    "package": p.package,
                    "note": p.note,
                    "at": p.at,
                    "status": p.status,
                    "answers": {r: dict(a) for r, a in p.answers.items()},
                }
                for p in state.proposals
            ],
            parties=[middle.seat_info(others.get(r), r, sc.role(r).name) for r in sc.role_ids],
        )
    else:
        k = sc.role_index(seat)
        base.update(
            seat="party",
            scenario=sc.role_view(seat),
            channel=[_msg(m) for m in state.messages if m["channel"] == seat],
            confided=list(state.confided.get(seat, ())),
            proposals=[
                {
                    "id": p.id,
                    "seq": p.seq,
                    "package": p.package,
                    "points": p.points[k],
                    "note": p.note,
                    "at": p.at,
                    "status": p.status,
                    "your_answer": dict(p.answers[seat]) if seat in p.answers else None,
                }
                for p in state.proposals
            ],
            middle=middle.seat_info(others.get(MIDDLE), MIDDLE, "Mediator"),
        )
    if not state.is_open and analysis is not None:
        from game.core import middle_scoring

        base["debrief"] = middle_scoring.debrief(state, seat, analysis)
    return base


def _msg(m: dict) -> dict:
    return {"by": m["by"], "text": m["text"], "at": m["at"]}


def path(state: State) -> list[dict]:
    """Every proposal's package and both parties' points, in order (for measures and debrief)."""
    return [{"seq": p.seq, "package": p.package, "points": list(p.points)} for p in state.proposals]
