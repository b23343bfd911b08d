"""The Pareto frontier of a scenario, exact and cached: the machinery behind game.core.analysis.

The frontier never enumerates the outcome space. A package's value is a sum over issues, so the
frontier is built issue by issue: the Pareto set of the partial sums of the first ``i`` issues,
combined with every option of issue ``i + 1`` and pruned of dominated points, is a superset of
the frontier's restriction to those issues (a partial sum that is dominated stays dominated, or
at best ties, whatever the remaining issues add). Back-pointers turn every frontier point into a
package. See docs/analysis.md for the argument, the complexity and the figures.

Floating-point points are summed in issue order starting from 0, exactly as
:meth:`Scenario.points` does, so a frontier point is bit-for-bit the value of its package.
Rounding is monotone (``a <= b`` implies ``a + c <= b + c``), which is all the pruning needs.
"""

from __future__ import annotations

import threading
import weakref
from array import array
from dataclasses import dataclass

from game.core.scenario import Issue, Scenario

Number = int | float
Point = tuple[Number, Number]


@dataclass(frozen=True)
class Frontier:
    points: list[Point]  # sorted by p0 ascending (so p1 strictly descending)
    p0s: list[Number]  # points' p0, for bisection
    # per issue: the option indices tried, and per kept point a code: parent * len(tried) + pos
    levels: list[tuple[list[int], array]]

    def choice(self, k: int) -> list[int]:
        """Option index per issue of the package behind frontier point ``k``."""
        out = [0] * len(self.levels)
        for i in range(len(self.levels) - 1, -1, -1):
            tried, codes = self.levels[i]
            k, pos = divmod(codes[k], len(tried))
            out[i] = tried[pos]
        return out


# The last few frontiers, by scenario identity. An entry goes when its scenario is collected
# (the weak reference's callback), and the weak reference also guards against id reuse.
_CACHE: dict[int, tuple[weakref.ref, Frontier]] = {}
_CACHE_MAX = 32
_CACHE_LOCK = threading.Lock()


def issue_options(issue: Issue) -> list[tuple[Number, Number, int]]:
    """The issue's own Pareto-optimal options as (p0, p1, option index), one per distinct pair.

    Only these can appear in a frontier package: swapping a dominated option for the option that
    dominates it gives a package at least as good for both roles.
    """
    cand = sorted(
        ((o.points[0], o.points[1], -j) for j, o in enumerate(issue.options)), reverse=True
    )
    kept: list[tuple[Number, Number, int]] = []
    best: Number | None = None
    for a, b, mj in cand:
        if best is None or b > best:
            kept.append((a, b, -mj))  # the lowest option index among equal pairs
            best = b
    kept.reverse()
    return kept


def build(sc: Scenario) -> Frontier:
    """The issue-by-issue Pareto merge (see the module docstring and docs/analysis.md)."""
    if all_int(sc):
        return build_int(sc)
    cur: list[Point] = [(0, 0)]
    levels: list[tuple[list[int], array]] = []
    for issue in sc.issues:
        opts = issue_options(issue)
        width = len(opts)
        cand: list[tuple[Number, Number, int]] = []
        for pos, (a, b, _) in enumerate(opts):
            cand.extend([(x + a, y + b, -(i * width + pos)) for i, (x, y) in enumerate(cur)])
        # p0 descending, then p1 descending; among equal pairs the lowest code comes first.
        cand.sort(reverse=True)
        pts: list[Point] = []
        codes: list[int] = []
        best: Number | None = None
        for p0, p1, mcode in cand:
            if best is None or p1 > best:
                pts.append((p0, p1))
                codes.append(-mcode)
                best = p1
        del cand
        pts.reverse()
        codes.reverse()
        cur = pts  # ascending p0, the order the next level's parent indices refer to
        levels.append(([j for _, _, j in opts], array("q", codes)))
    return Frontier(cur, [p[0] for p in cur], levels)


def build_int(sc: Scenario) -> Frontier:
    """The same merge for integer points, each candidate packed into one int.

    A candidate (p0, p1, code) becomes ``P0 << (b1 + bc) | P1 << bc | (cmax - code)`` with
    ``P0 = p0 + off0`` and ``P1 = p1 + off1`` shifted to be non-negative. Sorting these ints in
    reverse gives exactly the order of the tuple version (p0 down, p1 down, code up), and
    adding an option to a partial sum is one integer addition, because every field stays within
    its bits. Same result as the tuple version, about twice as fast.
    """
    off0 = -sum(min(0, min(o.points[0] for o in i.options)) for i in sc.issues)
    off1 = -sum(min(0, min(o.points[1] for o in i.options)) for i in sc.issues)
    top1 = off1 + sum(max(0, max(o.points[1] for o in i.options)) for i in sc.issues)
    b1 = max(1, int(top1).bit_length())
    m1 = (1 << b1) - 1
    cur0: list[int] = [off0]  # shifted partial sums, ascending p0
    cur1: list[int] = [off1]
    levels: list[tuple[list[int], array]] = []
    for issue in sc.issues:
        opts = issue_options(issue)
        width = len(opts)
        bc = max(1, (len(cur0) * width).bit_length())
        cmax = (1 << bc) - 1
        s0 = b1 + bc
        base = [
            (x << s0) + (y << bc) + (cmax - i * width)
            for i, (x, y) in enumerate(zip(cur0, cur1, strict=True))
        ]
        cand: list[int] = []
        for pos, (a, b, _) in enumerate(opts):
            d = (int(a) << s0) + (int(b) << bc) - pos
            cand.extend([k + d for k in base])
        del base
        cand.sort(reverse=True)
        n0: list[int] = []
        n1: list[int] = []
        codes: list[int] = []
        best = -1
        for key in cand:
            y = (key >> bc) & m1
            if y > best:
                n0.append(key >> s0)
                n1.append(y)
                codes.append(cmax - (key & cmax))
                best = y
        del cand
        n0.reverse()
        n1.reverse()
        codes.reverse()
        cur0, cur1 = n0, n1
        levels.append(([j for _, _, j in opts], array("q", codes)))
    pts = [(x - off0, y - off1) for x, y in zip(cur0, cur1, strict=True)]
    return Frontier(pts, [p[0] for p in pts], levels)


def cached(sc: Scenario) -> Frontier:
    """The scenario's frontier, built once per Scenario object and kept while it lives."""
    key = id(sc)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is sc:
        return hit[1]
    f = build(sc)

    def forget(ref: weakref.ref, key: int = key) -> None:
        entry = _CACHE.get(key)
        if entry is not None and entry[0] is ref:
            _CACHE.pop(key, None)

    with _CACHE_LOCK:
        for old in list(_CACHE)[: max(0, len(_CACHE) - _CACHE_MAX + 1)]:
            _CACHE.pop(old, None)
        _CACHE[key] = (weakref.ref(sc, forget), f)
    return f


def all_int(sc: Scenario) -> bool:
    return all(
        isinstance(o.points[0], int) and isinstance(o.points[1], int)
        for i in sc.issues
        for o in i.options
    )
