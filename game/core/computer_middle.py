"""The computer in the middle seat: a computer facilitator and a computer mediator.

Each rule is a pure function of the middle seat's *view* (``single_text.view(state,
"facilitator")`` or ``mediated.view(state, "mediator")``), so it uses only what a human in that
seat would see: never a party's table, brief or BATNA, only the parties' marks (facilitator) or
what they confided and how they answered (mediator). Each returns the next action's payload, or
None while it should wait. docs/protocols.md states both rules in words.
"""

from __future__ import annotations

from typing import Any


def _middle(issue: dict) -> str:
    """The issue's middle option (the lower middle of an even count)."""
    return issue["options"][(len(issue["options"]) - 1) // 2]["id"]


def _index(issue: dict, option_id: str) -> int:
    return [o["id"] for o in issue["options"]].index(option_id)


# ---------------------------------------------------------------- facilitator


def facilitator_draft(view: dict[str, Any]) -> dict | None:
    """The facilitator's next draft, ``{"package", "note"}``, or None (wait).

    1. The first draft is the middle option of every issue.
    2. A revision waits until both parties have marked or endorsed the latest draft.
    3. An issue both parties marked acceptable stays.
    4. Issues only one party asked to change are *traded*: the first such issue of one party
       (in the scenario's order) goes with the first of the other's, the second with the
       second, and so on; both changes of a pair are granted, as each party asked.
    5. A request left without a counterpart moves its issue one option towards what was asked
       (only the first such request in a draft: a party that asks for everything gains a step).
    6. An issue both parties asked to change takes the option midway between their two
       proposals (by position in the issue's list; the lower middle).
    """
    if view.get("status") != "open" or view.get("seat") != "facilitator":
        return None
    issues = view["scenario"]["issues"]
    drafts = view["drafts"]
    if not drafts:
        return {
            "package": {i["id"]: _middle(i) for i in issues},
            "note": "A first draft: the middle option of every issue.",
        }
    latest = drafts[-1]
    parties = [p["id"] for p in view["scenario"]["parties"]]
    responded = set(latest["marks"]) | set(latest["endorsed"])
    if not all(r in responded for r in parties):
        return None
    asked: dict[str, dict[str, str]] = {r: {} for r in parties}
    for r in parties:
        if r in latest["endorsed"]:
            continue
        for issue_id, m in latest["marks"].get(r, {}).items():
            if not m["ok"]:
                asked[r][issue_id] = m["option"]
    package = dict(latest["package"])
    by_id = {i["id"]: i for i in issues}
    a, b = parties
    both = [i["id"] for i in issues if i["id"] in asked[a] and i["id"] in asked[b]]
    for issue_id in both:
        issue = by_id[issue_id]
        mid = (_index(issue, asked[a][issue_id]) + _index(issue, asked[b][issue_id])) // 2
        package[issue_id] = issue["options"][mid]["id"]
    only = {
        r: [i["id"] for i in issues if i["id"] in asked[r] and i["id"] not in both] for r in parties
    }
    traded = min(len(only[a]), len(only[b]))
    for n in range(traded):
        for r in parties:
            package[only[r][n]] = asked[r][only[r][n]]
    for r in parties:
        if len(only[r]) > traded:
            issue_id = only[r][traded]
            issue = by_id[issue_id]
            here, there = _index(issue, package[issue_id]), _index(issue, asked[r][issue_id])
            step = here + (1 if there > here else -1)
            package[issue_id] = issue["options"][step]["id"]
    note = f"Revision {len(drafts) + 1}: {traded} trade(s), {len(both)} issue(s) split."
    return {"package": package, "note": note}


# ---------------------------------------------------------------- mediator

REJECTION_WEIGHT = 1.5


def mediator_proposal(view: dict[str, Any]) -> dict | None:
    """The mediator's next proposal, ``{"package", "note"}``, or None (wait).

    1. Wait while the latest proposal awaits an answer from a party that has not rejected it.
    2. Each party's confided points are scaled by the spread of everything it confided (the sum
       over its confided issues of best minus worst), so both parties weigh the same.
    3. Each party has a weight: 1.5 to the power of how many proposals it has rejected.
    4. Each issue takes the option with the most weighted, scaled confided points, summed over
       the parties that confided it; an issue nobody confided takes its middle option; ties
       go to the option nearest the middle.
    5. A package already proposed is not proposed again: the next best package differs from
       it on the one issue where changing the option loses least weighted points (an issue
       nobody confided, where nothing is lost, first).
    """
    if view.get("status") != "open" or view.get("seat") != "mediator":
        return None
    issues = view["scenario"]["issues"]
    parties = [p["id"] for p in view["scenario"]["parties"]]
    proposals = view["proposals"]
    if proposals and proposals[-1]["status"] == "open":
        return None
    confided = view["confided"]
    weight = {
        r: REJECTION_WEIGHT
        ** sum(1 for p in proposals if r in p["answers"] and not p["answers"][r]["accept"])
        for r in parties
    }
    spread = {
        r: sum(max(pts.values()) - min(pts.values()) for pts in confided.get(r, {}).values())
        for r in parties
    }

    def score(issue: dict, option_id: str) -> float:
        total = 0.0
        for r in parties:
            pts = confided.get(r, {}).get(issue["id"])
            if pts and spread[r] > 0:
                total += weight[r] * pts[option_id] / spread[r]
        return total

    def ranked(issue: dict) -> list[tuple[float, str]]:
        mid = (len(issue["options"]) - 1) / 2
        return sorted(
            ((score(issue, o["id"]), o["id"]) for o in issue["options"]),
            key=lambda x: (-x[0], abs(_index(issue, x[1]) - mid)),
        )

    best = {i["id"]: ranked(i) for i in issues}
    package = {i["id"]: best[i["id"]][0][1] for i in issues}
    seen = [p["package"] for p in proposals]
    tries = 0
    while package in seen and tries < 50:
        tries += 1
        choices = []
        for i in issues:
            top = best[i["id"]][0][0]
            for s, option_id in best[i["id"]]:
                if option_id != package[i["id"]]:
                    candidate = {**package, i["id"]: option_id}
                    if candidate not in seen:
                        choices.append((top - s, i["id"], option_id))
        if not choices:
            return None
        _, issue_id, option_id = min(choices)
        package = {**package, issue_id: option_id}
    if package in seen:
        return None
    told = sum(len(confided.get(r, {})) for r in parties)
    return {
        "package": package,
        "note": f"Proposal {len(proposals) + 1} ({told} issue(s) confided).",
    }


def events(rules: Any, state: Any, now: float) -> list[dict]:
    """The events of the computer's next action in the middle seat of ``state`` (a negotiation
    of ``rules``, a protocol with a middle seat), through the protocol's own rules; [] while it
    waits or when the rules refuse (the proposal or draft limit reached)."""
    from game.core.protocols.common import RuleError

    seat = rules.MIDDLE
    v = rules.view(state, seat)
    if seat == "facilitator":
        payload, kind = facilitator_draft(v), "draft"
    else:
        payload, kind = mediator_proposal(v), "propose"
    if payload is None:
        return []
    try:
        return rules.apply(state, seat, rules.parse_action(kind, payload), now)
    except RuleError:
        return []
