"""Proposals in the post-settlement phase: Raiffa's post-settlement settlement (issue 14).

The ``pss_improver`` strategy (game.core.agents.strategies) uses this module once a deal is in
force. From its own view only (never the other role's numbers) it estimates the other side's
preferences with a frequency model in the manner of GENIUS' HardHeaded agent (van Krimpen,
Looije and Hajizadeh 2013; Baarslag et al. 2013 on opponent models):

- **option values**: each option the other side asked for scores; its first offer (its ideal)
  weighs most, each later one half as much (``DECAY``); a package of a MESO counts its share;
  the deal the other side accepted counts as its last concession, and each of my proposals it
  declined counts once more for the deal's options on the issues the proposal changed;
- **issue weights**: the issues where the other side conceded least (kept the same option from
  one offer to its next) matter most to it: each issue starts at 1 and gains 1 every time.

The estimate of a package is the weighted sum of its options' values (each issue's values
scaled to 0..1, weights summing to 1). A proposal is chosen among the packages worth more to the
agent than the deal in force and, by the estimate, more to the other side: on that estimated
frontier, the one with the largest product of the two gains (the agent's in its own range, the
other's in the estimate). Packages already proposed in the phase are not proposed again.
"""

from __future__ import annotations

import itertools
from typing import Any

from game.core.agents.model import Model
from game.core.equivalence import equivalent

DECAY = 0.5
NEIGHBOURS_MAX = 2  # large scenarios: candidates change the deal on at most this many issues


def estimate(m: Model, neg: dict) -> tuple[list[list[float]], list[float]]:
    """The other side's estimated (option values per issue, issue weights), from ``neg`` (the
    agent's view of the negotiation): offers, the deal, and answers in the phase."""
    me = neg["role"]
    phase = neg["post_settlement"]
    n = len(m.issue_ids)
    score = [[0.0] * len(opts) for opts in m.option_ids]
    kept = [1.0] * n

    def count(package: dict, w: float, issues: range | list[int] = range(n)) -> None:
        c = m.choice(package)
        for i in issues:
            score[i][c[i]] += w

    theirs = [o for o in neg["offers"] if o["by"] != me]
    theirs += [p for p in phase["proposals"] if p["by"] != me]
    w = 1.0
    previous = None
    for o in theirs:
        for p in o["packages"]:
            count(p, w / len(o["packages"]))
        first = m.choice(o["packages"][0])
        if previous is not None:
            for i in range(n):
                kept[i] += previous[i] == first[i]
        previous = first
        w *= DECAY
    offers = neg["offers"]
    if offers and offers[-1]["by"] == me:  # the other side accepted my offer: the first deal
        count(phase["first_deal"]["package"], w)
    for p in phase["proposals"]:
        if p["by"] != me:
            continue
        if p["answer"] == "accepted":
            count(p["packages"][p["accepted_package"] or 0], w)
        elif p["answer"] == "declined":
            base = m.choice(phase["deal"]["package"])
            changed = {i for q in p["packages"] for i in range(n) if m.choice(q)[i] != base[i]}
            count(phase["deal"]["package"], w, sorted(changed))
    values = []
    for row in score:
        top = max(row)
        values.append([s / top if top > 0 else 0.0 for s in row])
    total = sum(kept)
    return values, [k / total for k in kept]


def their_value(m: Model, values: list[list[float]], weights: list[float], package: dict) -> float:
    c = m.choice(package)
    return sum(w * v[j] for w, v, j in zip(weights, values, c, strict=True))


def candidates(m: Model, deal: dict) -> list[dict]:
    """Every package (small scenarios), or those that change the deal on a few issues."""
    if m.sorted_choices is not None:
        return [m.package(c) for c in m.sorted_choices]
    base = m.choice(deal)
    out = []
    for k in range(1, NEIGHBOURS_MAX + 1):
        for issues in itertools.combinations(range(len(base)), k):
            for opts in itertools.product(*(range(len(m.option_ids[i])) for i in issues)):
                c = list(base)
                for i, j in zip(issues, opts, strict=True):
                    c[i] = j
                if tuple(c) != base:
                    out.append(m.package(tuple(c)))
    return out


def proposal(m: Model, neg: dict) -> list[dict]:
    """The packages to propose (empty: nothing better for both by the estimate)."""
    phase = neg["post_settlement"]
    deal = phase["deal"]["package"]
    mine_deal = phase["deal"]["points"]
    values, weights = estimate(m, neg)
    theirs_deal = their_value(m, values, weights, deal)
    done = {tuple(sorted(p.items())) for o in phase["proposals"] for p in o["packages"]}
    found = []
    for p in candidates(m, deal):
        if tuple(sorted(p.items())) in done or p == deal:
            continue
        a, b = m.value(p), their_value(m, values, weights, p)
        if a > mine_deal + 1e-9 and b > theirs_deal + 1e-9:
            found.append((a, b, p))
    # the estimated frontier: no other candidate at least as good on both and better on one
    front = [
        f for f in found if not any(g[0] >= f[0] and g[1] >= f[1] and g[:2] != f[:2] for g in found)
    ]
    if not front:
        return []
    span = max(m.best - m.reservation, 1e-9)
    front.sort(key=lambda f: (-(f[0] - mine_deal) / span * (f[1] - theirs_deal), -f[0]))
    chosen = [front[0][2]]
    lo, hi = phase["package_bounds"]
    for f in front[1:]:  # a MESO where the condition allows: equivalent to me, all on the front
        if len(chosen) >= min(hi, 3):
            break
        if equivalent([m.value(p) for p in chosen] + [f[0]], m.tolerance):
            chosen.append(f[2])
    return chosen


def declines(neg: dict) -> int:
    """How many of my proposals in the phase the other side has declined."""
    me = neg["role"]
    return sum(
        1
        for p in neg["post_settlement"]["proposals"]
        if p["by"] == me and p["answer"] in ("declined", "countered")
    )


def step_kind(m: Model, neg: dict, max_declines: int) -> tuple[str, Any]:
    """("propose", packages) or ("close_phase", None)."""
    if declines(neg) >= max_declines:
        return "close_phase", None
    packages = proposal(m, neg)
    return ("propose", packages) if packages else ("close_phase", None)
