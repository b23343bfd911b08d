"""The outcome space of a scenario: Pareto frontier, max joint, Nash, compromise, issue kinds.

Pure functions of a :class:`~game.scenario.Scenario`; no I/O. Points are pairs indexed by role
index (0, 1 = the order of the scenario's ``roles``).

The frontier is exact and never enumerates the outcome space. A package's value is a sum over
issues, so the frontier is built issue by issue: the Pareto set of the partial sums of the first
``i`` issues, combined with every option of issue ``i + 1`` and pruned of dominated points, is a
superset of the frontier's restriction to those issues (a partial sum that is dominated stays
dominated, or at best ties, whatever the remaining issues add). Back-pointers turn every frontier
point into a package. See docs/analysis.md for the argument, the complexity and the figures.

Floating-point points are summed in issue order starting from 0, exactly as
:meth:`Scenario.points` does, so a frontier point is bit-for-bit the value of its package and the
comparisons with ``sc.points(...)`` are exact. Rounding is monotone (``a <= b`` implies
``a + c <= b + c``), which is all the pruning argument needs.
"""

from __future__ import annotations

import math
import random
import threading
import weakref
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import product
from typing import Any

from game.core.equivalence import equivalent
from game.core.scenario import Issue, Scenario

Number = int | float
Point = tuple[Number, Number]

#: Relative width of the band in which an opposed issue still counts as distributive: the joint
#: points of its Pareto-optimal options may vary by at most this share of the larger role's range
#: on the issue (see :func:`issue_kind`).
KIND_TOLERANCE = 0.05

#: Search nodes :func:`equivalent_packages` may visit per package it picks (keeps it bounded on
#: very large scenarios; the shipped sizes finish far below it).
EQUIVALENT_NODE_CAP = 20_000

#: Seed of the sample :func:`outcome_cloud` draws when a scenario has too many packages.
CLOUD_SEED = 20240601


# ------------------------------------------------------------------ the frontier (cached)


@dataclass(frozen=True)
class _Frontier:
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
_CACHE: dict[int, tuple[weakref.ref, _Frontier]] = {}
_CACHE_MAX = 32
_CACHE_LOCK = threading.Lock()


def _issue_options(issue: Issue) -> list[tuple[Number, Number, int]]:
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


def _build(sc: Scenario) -> _Frontier:
    """The issue-by-issue Pareto merge (see the module docstring and docs/analysis.md)."""
    if _all_int(sc):
        return _build_int(sc)
    cur: list[Point] = [(0, 0)]
    levels: list[tuple[list[int], array]] = []
    for issue in sc.issues:
        opts = _issue_options(issue)
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
    return _Frontier(cur, [p[0] for p in cur], levels)


def _build_int(sc: Scenario) -> _Frontier:
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
        opts = _issue_options(issue)
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
    return _Frontier(pts, [p[0] for p in pts], levels)


def _frontier(sc: Scenario) -> _Frontier:
    """The scenario's frontier, built once per Scenario object and kept while it lives."""
    key = id(sc)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is sc:
        return hit[1]
    f = _build(sc)

    def forget(ref: weakref.ref, key: int = key) -> None:
        entry = _CACHE.get(key)
        if entry is not None and entry[0] is ref:
            _CACHE.pop(key, None)

    with _CACHE_LOCK:
        for old in list(_CACHE)[: max(0, len(_CACHE) - _CACHE_MAX + 1)]:
            _CACHE.pop(old, None)
        _CACHE[key] = (weakref.ref(sc, forget), f)
    return f


def _package(sc: Scenario, choice: Iterable[int]) -> dict[str, str]:
    return {issue.id: issue.options[j].id for issue, j in zip(sc.issues, choice, strict=True)}


def _pair(points: Any) -> Point:
    p0, p1 = points
    return (p0, p1)


def _front(sc: Scenario, frontier: Any) -> tuple[list[Point], list[Number]]:
    """The frontier's points and their p0s: the cached ones, or from a precomputed list."""
    if frontier is None:
        f = _frontier(sc)
        return f.points, f.p0s
    pts = [(p[0], p[1]) for p in frontier]
    return pts, [p[0] for p in pts]


# ------------------------------------------------------------------ the public functions


def outcomes(sc: Scenario) -> int:
    """The number of packages: the product of the issues' option counts (exact)."""
    return math.prod(len(i.options) for i in sc.issues)


def frontier(sc: Scenario) -> list[Point]:
    """The exact Pareto frontier over all packages, BATNAs not applied.

    The points of packages that no package beats for one role without giving the other less;
    each pair once, sorted by role 0's points ascending (so role 1's points strictly descend).
    """
    return list(_frontier(sc).points)


def frontier_packages(sc: Scenario) -> list[dict[str, Any]]:
    """One package per frontier point: ``[{"points": [p0, p1], "package": {issue: option}}]``."""
    f = _frontier(sc)
    return [
        {"points": [p0, p1], "package": _package(sc, f.choice(k))}
        for k, (p0, p1) in enumerate(f.points)
    ]


def _all_int(sc: Scenario) -> bool:
    return all(
        isinstance(o.points[0], int) and isinstance(o.points[1], int)
        for i in sc.issues
        for o in i.options
    )


def max_joint(sc: Scenario) -> dict[str, Any]:
    """The largest joint value: ``{"points": [p0, p1], "joint": p0 + p1, "package": {...}}``.

    With integer points it is the per-issue maximum of the two roles' sum (exact, no frontier).
    With floating-point points it is taken over the frontier (the maximum lies on it), so that
    ``joint`` is exactly the largest ``p0 + p1`` of any package's ``sc.points`` and never an ulp
    away from it. Ties go to the lowest option indices (integers) or lowest p0 (floats).
    """
    if _all_int(sc):
        choice = [
            max(range(len(i.options)), key=lambda j, i=i: (sum(i.options[j].points), -j))
            for i in sc.issues
        ]
        package = _package(sc, choice)
        p0, p1 = sc.points(package)
    else:
        f = _frontier(sc)
        k = max(range(len(f.points)), key=lambda k: (f.points[k][0] + f.points[k][1], -k))
        p0, p1 = f.points[k]
        package = _package(sc, f.choice(k))
    return {"points": [p0, p1], "joint": p0 + p1, "package": package}


def nash(sc: Scenario) -> dict[str, Any] | None:
    """The Nash bargaining solution over packages, or None when no package meets both BATNAs.

    Maximises ``(p0 - batna0) * (p1 - batna1)`` over packages worth at least each role's BATNA
    (``>=``). The product never decreases when either role gains, so a maximum lies on the
    frontier and only the frontier is searched. Among ties, the lowest p0.
    Returns ``{"package": {...}, "points": [p0, p1], "product": x}``.
    """
    f = _frontier(sc)
    b0, b1 = sc.batnas
    best_k, best = -1, None
    for k, (p0, p1) in enumerate(f.points):
        if p0 >= b0 and p1 >= b1:
            x = (p0 - b0) * (p1 - b1)
            if best is None or x > best:
                best_k, best = k, x
    if best is None:
        return None
    p0, p1 = f.points[best_k]
    return {"package": _package(sc, f.choice(best_k)), "points": [p0, p1], "product": best}


def compromise(sc: Scenario) -> dict[str, Any]:
    """The all-compromise package (middle option of every issue) and its points."""
    package = sc.compromise()
    p0, p1 = sc.points(package)
    return {"package": package, "points": [p0, p1]}


def issue_kind(sc: Scenario, issue: Issue | str, *, tolerance: float = KIND_TOLERANCE) -> str:
    """``"compatible"``, ``"distributive"`` or ``"integrative"``, judged from the points table.

    The rule, on the issue's own Pareto-optimal options (those no other option of the issue
    beats for one role without giving the other less; equal pairs count once):

    - **compatible** when there is only one such pair: one option is best for both roles (ties
      allowed), so nobody need give anything up on this issue. Tables where every role is
      indifferent (all points equal) and mixed tables whose shared best option dominates are
      compatible too.
    - Otherwise the roles' best options differ and the issue is opposed. It is
      **distributive** when the joint points ``p0 + p1`` of those options are constant, i.e. every
      step trades one role's gain for the same-size loss of the other: precisely when
      ``max(joint) - min(joint) <= tolerance * max(range0, range1)``, the ranges being each role's
      spread of points over those options (``tolerance`` defaults to :data:`KIND_TOLERANCE`, 5%).
    - Else it is **integrative**: the roles value the issue differently (a trade-off rate other
      than 1:1, or a middle option worth more jointly than the extremes), so it can be traded
      against another issue. Options that are dominated within the issue are ignored, which is
      how mixed tables get the closest of the three kinds.

    ``issue`` is an :class:`Issue` of ``sc`` or its id.
    """
    if isinstance(issue, str):
        found = sc.issue(issue)
        if found is None:
            raise KeyError(issue)
        issue = found
    opts = _issue_options(issue)
    if len(opts) == 1:
        return "compatible"
    joints = [a + b for a, b, _ in opts]
    range0 = max(a for a, _, _ in opts) - min(a for a, _, _ in opts)
    range1 = max(b for _, b, _ in opts) - min(b for _, b, _ in opts)
    if max(joints) - min(joints) <= tolerance * max(range0, range1):
        return "distributive"
    return "integrative"


def ranges(sc: Scenario) -> list[list[Number]]:
    """Each role's lowest and highest package value: ``[[min0, max0], [min1, max1]]``."""
    out = []
    for r in (0, 1):
        lo = hi = 0
        for issue in sc.issues:
            lo += min(o.points[r] for o in issue.options)
            hi += max(o.points[r] for o in issue.options)
        out.append([lo, hi])
    return out


# ------------------------------------------------------------------ scoring helpers


def is_pareto_optimal(sc: Scenario, points: Any, *, frontier: Any = None) -> bool:
    """Whether no package beats ``points`` for one role without giving the other less.

    ``frontier``: a precomputed :func:`frontier` (list of pairs, sorted by p0) to reuse.
    Comparisons are exact (points from ``sc.points`` match frontier points bit for bit).
    """
    x, y = _pair(points)
    pts, p0s = _front(sc, frontier)
    k = bisect_left(p0s, x)
    # pts[k] has the smallest p0 >= x, hence the largest p1 among the points with p0 >= x
    if k == len(pts):
        return True
    f0, f1 = pts[k]
    return not (f1 >= y and (f0 > x or f1 > y))


def distance_to_frontier(sc: Scenario, points: Any, *, frontier: Any = None) -> float:
    """Euclidean distance from ``points`` to the nearest frontier point (0.0 on the frontier)."""
    x, y = _pair(points)
    pts, _ = _front(sc, frontier)
    return min(math.hypot(f0 - x, f1 - y) for f0, f1 in pts)


def dominating_gain(sc: Scenario, points: Any, *, frontier: Any = None) -> float:
    """The most joint points a frontier point weakly dominating ``points`` adds; 0 if none.

    ``max(f0 + f1 - (x + y))`` over frontier points with ``f0 >= x`` and ``f1 >= y``.
    """
    x, y = _pair(points)
    pts, p0s = _front(sc, frontier)
    joint = x + y
    best = 0
    for f0, f1 in pts[bisect_left(p0s, x) :]:
        if f1 < y:
            break  # p1 descends along the frontier
        best = max(best, (f0 + f1) - joint)
    return best


# ------------------------------------------------------------------ equivalent packages


class _Done(Exception):
    """Ends a search early: the best possible package is found, or the node cap is reached."""


class _Search:
    """Depth-first branch and bound over issues for :func:`equivalent_packages` (one role)."""

    def __init__(self, vals: list[list[Number]], target: Number, tolerance: Number, eps: float):
        self.vals = vals
        self.n = len(vals)
        self.target = target
        self.tolerance = tolerance
        self.eps = eps
        self.minrest = [0] * (self.n + 1)
        self.maxrest = [0] * (self.n + 1)
        for i in range(self.n - 1, -1, -1):
            self.minrest[i] = self.minrest[i + 1] + min(vals[i])
            self.maxrest[i] = self.maxrest[i + 1] + max(vals[i])

    def value(self, choice: tuple[int, ...]) -> Number:
        s = 0  # summed in issue order from 0, as Scenario.points does
        for i, j in enumerate(choice):
            s += self.vals[i][j]
        return s

    def pick(
        self,
        chosen: list[tuple[int, ...]],
        lo: Number,
        hi: Number,
        accept: Callable[[tuple[int, ...]], bool],
    ) -> tuple[int, ...] | None:
        """The best package worth lo..hi (pruning bounds) that ``accept`` takes, or None.

        With nothing chosen yet: the one closest in value to the target. Otherwise: the one
        whose smallest Hamming distance to the chosen packages is largest (at least 1).
        """
        self.chosen = chosen
        self.lo, self.hi = lo - self.eps, hi + self.eps
        self.accept = accept
        self.order = []
        for i in range(self.n):
            used = [sum(1 for c in chosen if c[i] == j) for j in range(len(self.vals[i]))]
            self.order.append(sorted(range(len(used)), key=lambda j, used=used: (used[j], j)))
        self.choice = [0] * self.n
        self.best: tuple[int, ...] | None = None
        self.score: Number | None = None
        self.nodes = 0
        try:
            if chosen:
                self._diverse(0, 0, tuple(0 for _ in chosen))
            else:
                self._closest(0, 0)
        except _Done:
            pass
        return self.best

    def _visit(self, i: int, s: Number) -> bool:
        self.nodes += 1
        if self.nodes > EQUIVALENT_NODE_CAP:
            raise _Done
        return not (s + self.maxrest[i] < self.lo or s + self.minrest[i] > self.hi)

    def _closest(self, i: int, s: Number) -> None:
        if not self._visit(i, s):
            return
        low, high = s + self.minrest[i], s + self.maxrest[i]
        bound = max(0, low - self.target, self.target - high)
        if self.score is not None and bound >= self.score + self.eps:
            return
        if i == self.n:
            c = tuple(self.choice)
            if self.accept(c):
                d = abs(self.value(c) - self.target)
                if self.score is None or d < self.score:
                    self.best, self.score = c, d
                    if d == 0:
                        raise _Done
            return
        row = self.vals[i]
        for j in self.order[i]:
            self.choice[i] = j
            self._closest(i + 1, s + row[j])

    def _diverse(self, i: int, s: Number, dists: tuple[int, ...]) -> None:
        if not self._visit(i, s):
            return
        if min(dists) + (self.n - i) <= (self.score or 0):
            return  # cannot beat the best found (or, before any, reach distance 1)
        if i == self.n:
            c = tuple(self.choice)
            if self.accept(c):
                self.best, self.score = c, min(dists)
                if self.score == self.n:
                    raise _Done
            return
        row = self.vals[i]
        for j in self.order[i]:
            self.choice[i] = j
            self._diverse(
                i + 1,
                s + row[j],
                tuple(d + (c[i] != j) for d, c in zip(dists, self.chosen, strict=True)),
            )


def equivalent_packages(
    sc: Scenario,
    role_id: str,
    target: Number,
    tolerance: Number,
    count: int = 3,
    *,
    include: dict[str, str] | None = None,
    exclude: Iterable[dict[str, str]] = (),
    spread: Number | None = None,
) -> list[dict[str, str]]:
    """Up to ``count`` distinct complete packages worth ``target`` ± ``tolerance`` to a role.

    Every package ``p`` returned has ``abs(value(p) - target) <= tolerance`` for ``role_id``
    (value summed as ``sc.points`` does), none is in ``exclude``, and they are pairwise distinct.

    - ``include``: a package to start with; it comes first when it is complete, valid, within
      the band and not excluded (otherwise it is left out and the search starts afresh).
    - Without ``include`` the first package is the one closest in value to ``target``.
    - Each further package is picked to maximise its smallest Hamming distance (issues on which
      it differs) to the packages already picked (greedy max-min); ties go to the first found in
      a depth-first search over issues in scenario order that tries options the picked packages
      use least first, then by option order. Deterministic.
    - ``spread``: when given, the packages' values are also equivalent under ``spread`` (the
      MESO rule, :func:`game.core.equivalence.equivalent`, with ``meso_tolerance``). Without it two
      packages may be up to ``2 * tolerance`` apart.

    The search prunes with the smallest and largest value the remaining issues can add and stops
    after :data:`EQUIVALENT_NODE_CAP` nodes per pick, returning fewer packages rather than hanging.
    """
    k = sc.role_index(role_id)
    issues = sc.issues
    vals = [[o.points[k] for o in i.options] for i in issues]
    scale = sum(max(abs(v) for v in row) for row in vals) + abs(target) + abs(tolerance)
    search = _Search(vals, target, tolerance, scale * 1e-9)  # slack for pruning only

    def as_choice(package: Any) -> tuple[int, ...] | None:
        if sc.package_problem(package) is not None:
            return None
        return tuple(
            next(j for j, o in enumerate(i.options) if o.id == package[i.id]) for i in issues
        )

    excluded = {c for c in (as_choice(p) for p in exclude) if c is not None}
    picked: list[tuple[int, ...]] = []
    picked_vals: list[Number] = []

    def fits(c: tuple[int, ...]) -> bool:
        if c in excluded:
            return False
        v = search.value(c)
        if abs(v - target) > tolerance:
            return False
        if spread is not None and picked_vals:
            return equivalent([*picked_vals, v], spread)
        return True

    if include is not None and count > 0:
        c = as_choice(include)
        if c is not None and fits(c):
            picked.append(c)
            picked_vals.append(search.value(c))

    while len(picked) < count:
        lo, hi = target - tolerance, target + tolerance
        if spread is not None and picked_vals:
            lo = max(lo, max(picked_vals) - spread)
            hi = min(hi, min(picked_vals) + spread)
        c = search.pick(list(picked), lo, hi, fits)
        if c is None:
            break
        picked.append(c)
        picked_vals.append(search.value(c))
    return [_package(sc, c) for c in picked]


def suggest(
    sc: Scenario, role_id: str, given: list[dict[str, str]], count: int
) -> list[dict[str, str]] | None:
    """Packages to add to ``given`` (valid, normalised packages) for a MESO offer by a role.

    None when the packages given are not equivalent to each other already. Otherwise up to
    ``count`` (kept within 1..max_packages) minus ``len(given)`` packages, none of them given,
    such that the given packages and those returned are equivalent together under the
    scenario's ``meso_tolerance`` (:func:`game.core.equivalence.equivalent`, the rule the
    offer's check applies). Deterministic.
    """
    tol = sc.meso_tolerance
    want = max(1, min(sc.max_packages, count))
    values = [sc.value(x, role_id) for x in given]
    if not equivalent(values, tol):
        return None
    lo, hi = min(values), max(values)
    # every package within the tolerance of the lowest and of the highest given
    found = equivalent_packages(
        sc,
        role_id,
        (lo + hi) / 2,
        max(0.0, tol - (hi - lo) / 2),
        count=want,
        spread=tol,
        include=given[0],
        exclude=given[1:],
    )
    extra: list[dict[str, str]] = []
    for x in found:
        if len(given) + len(extra) >= want:
            break
        v = sc.value(x, role_id)
        if x not in given and x not in extra and equivalent([*values, v], tol):
            values.append(v)
            extra.append(x)
    return extra


# ------------------------------------------------------------------ whole-scenario views


def outcome_cloud(sc: Scenario, limit: int = 3000) -> list[list[Number]]:
    """Distinct ``[p0, p1]`` points for a chart, sorted.

    Every package's points when there are at most ``limit`` packages; otherwise the points of
    ``limit`` packages drawn at random with a fixed seed, plus the frontier (thinned evenly to
    ``limit`` points if it is longer). Deterministic.
    """
    if outcomes(sc) <= limit:
        pts = set()
        for choice in product(*(range(len(i.options)) for i in sc.issues)):
            p0 = p1 = 0
            for issue, j in zip(sc.issues, choice, strict=True):
                a, b = issue.options[j].points
                p0 += a
                p1 += b
            pts.add((p0, p1))
        return [list(p) for p in sorted(pts)]
    rng = random.Random(CLOUD_SEED)
    pts = set()
    for _ in range(limit):
        p0 = p1 = 0
        for issue in sc.issues:
            a, b = issue.options[rng.randrange(len(issue.options))].points
            p0 += a
            p1 += b
        pts.add((p0, p1))
    pts.update(thin(_frontier(sc).points, limit))
    return [list(p) for p in sorted(pts)]


def thin(points: list, limit: int) -> list:
    """At most ``limit`` points, evenly spread and keeping both ends (for a chart)."""
    if len(points) <= limit:
        return points
    if limit < 2:
        return points[:limit]
    step = (len(points) - 1) / (limit - 1)
    return [points[round(k * step)] for k in range(limit)]


def analyze(sc: Scenario) -> dict[str, Any]:
    """The outcome space as a JSON-able dict (``python run.py analyze FILE --json``)."""
    f = _frontier(sc)
    mj = max_joint(sc)
    n = nash(sc)
    return {
        "scenario": sc.id,
        "roles": list(sc.role_ids),
        "batnas": list(sc.batnas),
        "outcomes": outcomes(sc),
        "max_joint": mj["joint"],
        "max_joint_points": mj["points"],
        "max_joint_package": mj["package"],
        "pareto": [[p0, p1] for p0, p1 in f.points],
        "frontier_size": len(f.points),
        "nash": n,
        "compromise": compromise(sc),
        "issues": [{"id": i.id, "name": i.name, "kind": issue_kind(sc, i)} for i in sc.issues],
        "ranges": ranges(sc),
    }


def _num(x: Number) -> str:
    if isinstance(x, float):
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.6f}".rstrip("0").rstrip(".")
    return str(x)


def _pkg(package: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in package.items())


def _pair_text(p: Any) -> str:
    return f"({_num(p[0])}, {_num(p[1])})"


def report(sc: Scenario) -> str:
    """A plain-text report of :func:`analyze` (``python run.py analyze FILE``)."""
    a = analyze(sc)
    r0, r1 = a["roles"]
    lines = [
        f"Scenario: {sc.title} ({sc.id})",
        f"Roles: 0 = {r0}, 1 = {r1}; points below are ({r0}, {r1})",
        f"BATNAs: {_pair_text(a['batnas'])}",
        f"Issues: {len(sc.issues)}; packages: {a['outcomes']:,}",
        f"Ranges: {r0} {_num(a['ranges'][0][0])}..{_num(a['ranges'][0][1])}, "
        f"{r1} {_num(a['ranges'][1][0])}..{_num(a['ranges'][1][1])}",
        "",
        f"Max joint: {_num(a['max_joint'])} at {_pair_text(a['max_joint_points'])}",
        f"  package: {_pkg(a['max_joint_package'])}",
    ]
    if a["nash"] is None:
        lines.append("Nash: none (no package gives both roles at least their BATNA)")
    else:
        lines += [
            f"Nash: {_pair_text(a['nash']['points'])}, product {_num(a['nash']['product'])}",
            f"  package: {_pkg(a['nash']['package'])}",
        ]
    lines += [
        f"Compromise: {_pair_text(a['compromise']['points'])}",
        f"  package: {_pkg(a['compromise']['package'])}",
        "",
        "Issues:",
    ]
    width = max(len(i["id"]) for i in a["issues"])
    for i in a["issues"]:
        lines.append(f"  {i['id']:<{width}}  {i['kind']:<12}  {i['name']}")
    front = a["pareto"]
    lines += ["", f"Pareto frontier: {len(front)} point(s), by {r0}'s points ascending"]
    if len(front) <= 40:
        lines += [f"  {_pair_text(p)}" for p in front]
    else:
        lines += [f"  {_pair_text(p)}" for p in front[:10]]
        lines.append(f"  ... {len(front) - 20} more ...")
        lines += [f"  {_pair_text(p)}" for p in front[-10:]]
    return "\n".join(lines) + "\n"
