"""Single negotiating text: a facilitator circulates a draft; the parties mark it; it is revised.

Seats: the scenario's two roles (the parties) and ``facilitator``. The facilitator posts a draft
(a full package); each party marks every issue of the latest draft acceptable, or to be changed
with the option it proposes instead and a comment; the facilitator sees the marks (never the
parties' tables) and posts a revised draft; a party may endorse the latest draft, and a draft
both parties endorse is the deal. ``max_offers`` limits the drafts (the rounds); the deadline
and the instructor end it as in the offers protocol; either party may walk away. Chat is one
plenary channel that all three seats read.

Events (``role`` is the acting seat):

- ``drafted``  {role: "facilitator", draft_id, package, note}
- ``marked``   {role, draft_id, marks: {issue id: {"ok": true} | {"ok": false, "option", "comment"}}}
  (a party's later marks of the same draft replace its earlier ones)
- ``endorsed`` {role, draft_id}; the second endorsement of a draft makes the deal
- ``chat`` {role, text}, ``walked_away`` {role}, ``deadline`` {}, ``ended`` {by: "instructor"}

Error codes, in this order: bad_request, not_negotiating, not_your_seat, offer_limit (all
drafts posted), invalid_package (a draft outside the scenario), unknown_offer (marking or
endorsing anything but the latest draft), already_answered (marking or endorsing a draft one
has endorsed), unknown_issue (a mark for an issue the scenario has not), invalid_mark (an
issue left unmarked, a change to an unknown option or to the draft's own option).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from game.core.protocols import middle
from game.core.protocols.common import Ending, RuleError, opening, replayer
from game.core.protocols.middle import Outcome, bad_request
from game.core.scenario import Scenario

NAME = "single_text"
CONDITIONS = ("single_text",)
ACTIONS = (
    "chat",
    "draft",
    "mark",
    "endorse",
    "walk_away",
)  # the Socket.IO events its seats may send
MIDDLE = "facilitator"
MAX_COMMENT = 300


@dataclass(frozen=True)
class Draft:
    id: str
    seq: int
    package: dict
    points: tuple[float, float]
    note: str
    at: float
    marks: dict = field(default_factory=dict)  # role -> {issue id: mark}
    endorsed: dict = field(default_factory=dict)  # role -> at


@dataclass(frozen=True)
class State(Ending):
    id: str
    scenario: Scenario
    condition: str
    max_offers: int  # how many drafts the facilitator may post
    deadline: float | None
    started_at: float
    drafts: tuple[Draft, ...] = ()
    chat: tuple[dict, ...] = ()
    outcome: Outcome | None = None
    ended_at: float | None = None
    events: int = 0
    extra: dict = field(default_factory=dict, compare=False)

    offers = ()

    @property
    def seats(self) -> tuple[str, str, str]:
        return (*self.scenario.role_ids, MIDDLE)

    @property
    def latest(self) -> Draft | None:
        return self.drafts[-1] if self.drafts else None

    @property
    def turn(self) -> str | None:
        """The facilitator until a draft is posted and again once both parties have responded
        to the latest draft; None while a party's response is awaited."""
        if not self.is_open:
            return None
        d = self.latest
        if d is None:
            return MIDDLE
        responded = set(d.marks) | set(d.endorsed)
        return MIDDLE if len(responded) == 2 else None

    @property
    def offers_left(self) -> int:
        return max(0, self.max_offers - len(self.drafts))


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
    middle.seats(scenario, MIDDLE)  # refuses a scenario with a role named "facilitator"
    return state


def condition_rule(state: State, seat: str | None = None) -> str:
    if seat == MIDDLE:
        return (
            "You are the facilitator: post a draft agreement, read the parties' marks, and "
            "revise it until both parties endorse the same draft."
        )
    return (
        "A facilitator posts a draft agreement. Mark each issue acceptable or to be changed "
        "(with the option you want instead), or endorse the draft. A draft both parties "
        "endorse is the deal."
    )


# ---------------------------------------------------------------- fold


def _replace_draft(state: State, draft_id: str, **changes: Any) -> tuple[tuple, Draft]:
    idx = next(i for i, d in enumerate(state.drafts) if d.id == draft_id)
    d = replace(state.drafts[idx], **changes)
    return state.drafts[:idx] + (d,) + state.drafts[idx + 1 :], d


def fold(state: State, event: dict) -> State:
    t = event["type"]
    at = event.get("at", state.started_at)
    n = state.events + 1
    sc = state.scenario
    if t == "drafted":
        package = sc.normalize(event["package"])
        d = Draft(
            id=event["draft_id"],
            seq=len(state.drafts) + 1,
            package=package,
            points=sc.points(package),
            note=event.get("note", ""),
            at=at,
        )
        return replace(state, drafts=state.drafts + (d,), events=n)
    if t == "marked":
        d = next(d for d in state.drafts if d.id == event["draft_id"])
        marks = {**d.marks, event["role"]: {k: dict(v) for k, v in event["marks"].items()}}
        drafts, _ = _replace_draft(state, d.id, marks=marks)
        return replace(state, drafts=drafts, events=n)
    if t == "endorsed":
        d = next(d for d in state.drafts if d.id == event["draft_id"])
        drafts, d = _replace_draft(state, d.id, endorsed={**d.endorsed, event["role"]: at})
        if len(d.endorsed) == 2:
            outcome = Outcome("accepted", d.package, d.points, event["role"])
            return replace(state, drafts=drafts, outcome=outcome, ended_at=at, events=n)
        return replace(state, drafts=drafts, events=n)
    if t == "chat":
        msg = {"by": event["role"], "text": event["text"], "at": at}
        return replace(state, chat=state.chat + (msg,), events=n)
    return middle.settle(state, event, n, at)


replay = replayer(fold)  # the fold of ``events`` from ``state``


due = middle.due
end_by_instructor = middle.end_by_instructor


# ---------------------------------------------------------------- actions


def _parse_mark(x: Any, where: str) -> dict:
    if not isinstance(x, dict) or set(x) - {"ok", "option", "comment"}:
        raise bad_request(f"{where} must be an object with ok, and option and comment")
    if not isinstance(x.get("ok"), bool):
        raise bad_request(f"{where}.ok must be true or false")
    comment = middle.check_text(x.get("comment"), f"{where}.comment", MAX_COMMENT, optional=True)
    if x["ok"]:
        if x.get("option") is not None:
            raise bad_request(f"{where}: an acceptable issue proposes no option")
        return {"ok": True, "comment": comment}
    return {
        "ok": False,
        "option": middle.check_id(x.get("option"), f"{where}.option"),
        "comment": comment,
    }


def parse_action(kind: str, payload: Any) -> dict:
    """Check a payload's shape; knows nothing of the state or the seat."""
    if kind == "chat":
        p = middle.check_fields(payload, {"text"})
        return {"type": "chat", "text": middle.check_text(p.get("text"), "text", middle.MAX_CHAT)}
    if kind == "draft":
        p = middle.check_fields(payload, {"package", "note"})
        return {
            "type": "draft",
            "package": middle.check_package(p.get("package"), "package"),
            "note": middle.check_text(p.get("note"), "note", middle.MAX_REASON, optional=True),
        }
    if kind == "mark":
        p = middle.check_fields(payload, {"draft_id", "marks"})
        marks = p.get("marks")
        if not isinstance(marks, dict) or not 1 <= len(marks) <= 100:
            raise bad_request("marks must be an object of issue id to mark")
        parsed = {}
        for k, v in marks.items():
            middle.check_id(k, "marks: an issue id")
            parsed[k] = _parse_mark(v, f"marks.{k}")
        return {
            "type": "mark",
            "draft_id": middle.check_id(p.get("draft_id"), "draft_id"),
            "marks": parsed,
        }
    if kind == "endorse":
        p = middle.check_fields(payload, {"draft_id"})
        return {"type": "endorse", "draft_id": middle.check_id(p.get("draft_id"), "draft_id")}
    if kind == "walk_away":
        middle.check_fields(payload, set())
        return {"type": "walk_away"}
    raise bad_request(f"unknown action {kind!r}")


PARTIES_ONLY = ("mark", "endorse", "walk_away")


def apply(state: State, seat: str, action: dict, now: float) -> list[dict]:
    """The events that ``action`` by ``seat`` causes, or RuleError."""
    kind = action["type"]
    sc = state.scenario
    allowed = sc.role_ids if kind in PARTIES_ONLY else (MIDDLE,) if kind == "draft" else None
    middle.seat_check(state, seat, now, allowed)

    if kind == "chat":
        return [{"type": "chat", "role": seat, "text": action["text"], "at": now}]
    if kind == "walk_away":
        return [{"type": "walked_away", "role": seat, "at": now}]
    if kind == "draft":
        if len(state.drafts) >= state.max_offers:
            raise RuleError("offer_limit", f"all {state.max_offers} drafts have been posted")
        problem = sc.package_problem(action["package"])
        if problem:
            raise RuleError("invalid_package", problem)
        return [
            {
                "type": "drafted",
                "role": seat,
                "draft_id": f"{state.id}-d{len(state.drafts) + 1}",
                "package": sc.normalize(action["package"]),
                "note": action["note"],
                "at": now,
            }
        ]
    latest = state.latest
    if latest is None or latest.id != action["draft_id"]:
        raise RuleError("unknown_offer", "only the latest draft can be marked or endorsed")
    if seat in latest.endorsed:
        raise RuleError("already_answered", "you have endorsed this draft")
    if kind == "endorse":
        return [{"type": "endorsed", "role": seat, "draft_id": latest.id, "at": now}]
    # mark
    marks = action["marks"]
    unknown = [i for i in marks if sc.issue(i) is None]
    if unknown:
        raise RuleError("unknown_issue", f"the scenario has no issue {unknown[0]!r}")
    missing = [i.id for i in sc.issues if i.id not in marks]
    if missing:
        raise RuleError("invalid_mark", "mark every issue; missing " + ", ".join(missing))
    for issue in sc.issues:
        m = marks[issue.id]
        if m["ok"]:
            continue
        if issue.option(m["option"]) is None:
            raise RuleError("invalid_mark", f"{issue.id}: unknown option {m['option']!r}")
        if m["option"] == latest.package[issue.id]:
            raise RuleError("invalid_mark", f"{issue.id}: propose an option other than the draft's")
    ordered = {i.id: marks[i.id] for i in sc.issues}
    return [{"type": "marked", "role": seat, "draft_id": latest.id, "marks": ordered, "at": now}]


def suggest(state: State, role: str, payload: Any) -> dict:
    return bad_request("this protocol has no suggestions").as_answer()


# ---------------------------------------------------------------- views


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
    latest = state.latest
    base = middle.base_view(state, seat, NAME, condition_rule(state, seat))
    base["chat"] = [dict(c) for c in state.chat]  # one plenary channel
    if seat == MIDDLE:
        base.update(
            seat="facilitator",
            scenario={
                "id": sc.id,
                "title": sc.title,
                "description": sc.description,
                "parties": middle.party_names(sc),
                "issues": middle.issues_without_points(sc),
            },
            drafts=[
                {
                    "id": d.id,
                    "seq": d.seq,
                    "package": d.package,
                    "note": d.note,
                    "at": d.at,
                    "latest": d is latest,
                    "marks": {r: {i: dict(m) for i, m in ms.items()} for r, ms in d.marks.items()},
                    "endorsed": sorted(d.endorsed),
                }
                for d in state.drafts
            ],
            parties=[middle.seat_info(others.get(r), r, sc.role(r).name) for r in sc.role_ids],
        )
    else:
        k = sc.role_index(seat)
        base.update(
            seat="party",
            scenario=sc.role_view(seat),
            drafts=[
                {
                    "id": d.id,
                    "seq": d.seq,
                    "package": d.package,
                    "points": d.points[k],
                    "note": d.note,
                    "at": d.at,
                    "latest": d is latest,
                    "your_marks": (
                        {i: dict(m) for i, m in d.marks[seat].items()} if seat in d.marks else None
                    ),
                    "you_endorsed": seat in d.endorsed,
                }
                for d in state.drafts
            ],
            middle=middle.seat_info(others.get(MIDDLE), MIDDLE, "Facilitator"),
        )
    if not state.is_open and analysis is not None:
        from game.core import middle_scoring

        base["debrief"] = middle_scoring.debrief(state, seat, analysis)
    return base


def path(state: State) -> list[dict]:
    """Every draft's package and both parties' points, in order (for measures and debrief)."""
    return [{"seq": d.seq, "package": d.package, "points": list(d.points)} for d in state.drafts]
