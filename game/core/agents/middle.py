"""Computer counterparts as parties in the protocols with a middle seat (``mediated``,
``single_text``), as :mod:`game.core.agents.pss` is for the post-settlement phase.

Every shipped strategy decides from exactly what a human party is sent: the ``negotiation``
part of its view is ``mediated.view(state, role)`` or ``single_text.view(state, role)`` (its
own table, brief and BATNA, the proposals or drafts with its own points, its own answers,
marks and channel; never the other party's). docs/agents.md states the rules in words:

- **Its target** for the proposal or draft ``seq`` (from 1) of at most ``max_offers``: the
  strategy's own concession curve, with time ``t`` the larger of ``(seq - 1) / (max_offers -
  1)`` and the share of the time limit used (:func:`reading`); the strategy's
  ``middle_target`` maps it (time-based and MESO: their curve; scripted: its schedule, one
  step per proposal or draft; tit-for-tat: it mirrors how the proposals or drafts moved in
  its favour, :func:`mirror`). Never below its reservation (its BATNA, or its worst package
  if that is better).
- **Acceptance**: a proposal or draft worth at least its reservation and passing the
  strategy's acceptance condition (``AC_next``: worth at least its target; ``AC_const``,
  ``AC_time`` as in the offers protocol). The last one that can come (no proposal or draft
  left) is accepted when worth at least its reservation; otherwise the agent walks away.
- **Mediated**: first, a ``scripted`` greeting if it has one (to the mediator); then it
  confides (parameter ``confide``: ``all`` its issues, ``half`` the top half by its own spread
  of points, ``none``); then it answers each open proposal once, with a short reason naming
  the issue it needs more on when it rejects. It walks away when the last proposal that can
  come was rejected (by either party) or is below its reservation.
- **Single text**: it endorses a draft it accepts; otherwise it marks every issue, asking for
  the fewest changes that reach its target (the issues where the draft costs it most, its best
  option on each, the last one only as far as the target needs) and ``ok`` on the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from game.core.agents.base import Step, accepts, time_share
from game.core.agents.model import Model, model

PROTOCOLS = ("mediated", "single_text")
CONFIDE = ("all", "half", "none")


def in_middle(view: Any) -> bool:
    """Whether ``view`` is a party's view of a negotiation with a middle seat."""
    neg = view.get("negotiation") if isinstance(view, dict) else None
    return bool(neg) and neg.get("protocol") in PROTOCOLS and neg.get("seat") == "party"


@dataclass
class Reading:
    """One decision's reading of a party's view."""

    neg: dict
    m: Model
    items: list[dict]  # the proposals or drafts so far, each with the agent's own points
    latest: dict | None
    t: float  # 0..1 for the latest item (0 with none yet)

    @property
    def seq(self) -> int:
        return self.latest["seq"] if self.latest else 0

    @property
    def last(self) -> bool:
        """Whether no proposal or draft can come after the latest."""
        return self.neg["offers_left"] == 0


def reading(view: dict, now: float) -> Reading | None:
    neg = view["negotiation"]
    if neg["status"] != "open" or (neg["deadline"] is not None and now >= neg["deadline"]):
        return None
    items = neg["proposals"] if neg["protocol"] == "mediated" else neg["drafts"]
    latest = items[-1] if items else None
    t = time_share(neg, latest["seq"] - 1 if latest else 0, now)
    return Reading(neg, model(neg), items, latest, t)


def mirror(r: Reading, params: dict) -> float:
    """Tit-for-tat without a visible opponent: the proposals or drafts stand for the other side's
    offers (the middle seat moves as the other party's answers or marks push it). It starts at
    its best and, from item to item, shrinks what it asks above its reservation as the items
    moved in its favour (``relative``: in the proportion the gap to its best shrank over
    ``delta`` items; ``absolute``: by the points gained), conceding ``min_step`` of its range
    each item anyway; the target for the latest item."""
    m = r.m
    span = m.best - m.reservation
    d = span
    pts = [x["points"] for x in r.items]
    n = params["delta"]
    for j in range(1, len(pts)):
        if j >= n:
            now_v, then_v = pts[j], pts[j - n]
            if params["mode"] == "absolute":
                d -= max(0.0, now_v - then_v)
            else:
                gap_then, gap_now = m.best - then_v, m.best - now_v
                if gap_then > 0 and gap_now < gap_then:
                    d = d * max(0.0, gap_now) / gap_then
        d = max(0.0, d - params["min_step"] * span)
    return m.reservation + max(0.0, min(span, d))


def worth(agent: Any, r: Reading, value: float) -> bool:
    """Whether the agent accepts something worth ``value`` to it now."""
    m = r.m
    if value < m.reservation:
        return False
    if r.last:
        return True
    return accepts(agent.params["accept"], value, target(agent, r), r.t, agent.params)


def target(agent: Any, r: Reading) -> float:
    """What the agent asks for the latest item: its strategy's target, never below its
    reservation."""
    return max(r.m.reservation, agent.middle_target(r))


def confided_issues(m: Model, how: str) -> list[str]:
    """The issues the agent confides: all, or the top half by its own spread (largest first)."""
    if how == "none":
        return []
    spread = [(-(max(v) - min(v)), k, i) for k, (i, v) in enumerate(zip(m.issue_ids, m.values))]  # noqa: B905
    ranked = [i for _, _, i in sorted(spread)]
    return ranked if how == "all" else ranked[: (len(ranked) + 1) // 2]


def needs(m: Model, package: dict) -> list[tuple[float, int]]:
    """Per issue the agent could gain on: (the most it gains there, issue position), largest
    gain first."""
    out = []
    for k, (issue_id, opts, vals) in enumerate(zip(m.issue_ids, m.option_ids, m.values)):  # noqa: B905
        gain = max(vals) - vals[opts.index(package[issue_id])]
        if gain > 0:
            out.append((gain, k))
    return sorted(out, key=lambda x: (-x[0], x[1]))


def marks(m: Model, package: dict, target: float) -> dict:
    """Every issue marked: the fewest changes that reach ``target`` (largest gains first; the
    last change asks only as much as the target needs), ``ok`` on the rest."""
    out: dict[str, dict] = {i: {"ok": True} for i in m.issue_ids}
    value = m.value(package)
    for _gain, k in needs(m, package):
        if value >= target:
            break
        issue_id, opts, vals = m.issue_ids[k], m.option_ids[k], m.values[k]
        here = vals[opts.index(package[issue_id])]
        short = target - value
        enough = [j for j, v in enumerate(vals) if v - here >= short - 1e-9]
        j = (
            min(enough, key=lambda j: vals[j])
            if enough
            else max(range(len(vals)), key=vals.__getitem__)
        )
        out[issue_id] = {"ok": False, "option": opts[j], "comment": "We need more on this issue."}
        value += vals[j] - here
    return out


def _greeting(agent: Any, neg: dict) -> Step | None:
    text = agent.params.get("greeting") or ""
    said = neg["channel"] if neg["protocol"] == "mediated" else neg["chat"]
    if text and not any(c["by"] == neg["role"] for c in said):
        return Step("chat", {"text": text}, wait=0)
    return None


def act(agent: Any, view: dict, now: float) -> Step | None:
    """A shipped strategy's next action as a party of a mediated or single-text negotiation."""
    r = reading(view, now)
    if r is None:
        return None
    hello = _greeting(agent, r.neg)
    if hello is not None:
        return hello
    if r.m.best < r.m.batna:
        return Step("walk_away", {})  # nothing in the scenario is worth its BATNA
    if r.neg["protocol"] == "mediated":
        return _mediated(agent, r)
    return _single_text(agent, r)


def _mediated(agent: Any, r: Reading) -> Step | None:
    neg, m = r.neg, r.m
    if not neg["confided"]:
        issues = confided_issues(m, agent.params.get("confide", "all"))
        if issues:
            return Step("confide", {"issues": issues})
    p = r.latest
    if p is None:
        return None
    if p["status"] == "open" and p["your_answer"] is None:
        if agent.walks(r, p["points"]):
            return Step("walk_away", {})
        if worth(agent, r, p["points"]):
            return Step(
                "answer", {"proposal_id": p["id"], "accept": True, "reason": "This works for us."}
            )
        if r.last:
            return Step("walk_away", {})
        gains = needs(m, p["package"])
        name = neg["scenario"]["issues"][gains[0][1]]["name"] if gains else "this package"
        reason = f"Not enough for us yet: we need more on {name}."
        return Step("answer", {"proposal_id": p["id"], "accept": False, "reason": reason})
    if r.last and p["status"] == "rejected":
        return Step("walk_away", {})  # no proposal can come any more
    return None


def _single_text(agent: Any, r: Reading) -> Step | None:
    d = r.latest
    if d is None or d["you_endorsed"] or d["your_marks"] is not None:
        return None
    if agent.walks(r, d["points"]):
        return Step("walk_away", {})
    if worth(agent, r, d["points"]):
        return Step("endorse", {"draft_id": d["id"]})
    if r.last:
        return Step("walk_away", {})
    return Step("mark", {"draft_id": d["id"], "marks": marks(r.m, d["package"], target(agent, r))})
