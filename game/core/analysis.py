"""The outcome space of a scenario: Pareto frontier, max joint, Nash, compromise, issue kinds.

Pure functions of a :class:`~game.scenario.Scenario`; no I/O. Points are pairs indexed by role
index (0, 1 = the order of the scenario's ``roles``).

The frontier is exact and never enumerates the outcome space (game.core.frontier builds and
caches it). Floating-point points are summed in issue order starting from 0, exactly as
:meth:`Scenario.points` does, so a frontier point is bit-for-bit the value of its package and the
comparisons with ``sc.points(...)`` are exact.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections.abc import Iterable
from itertools import product
from typing import Any

from game.core import equivalence
from game.core.equivalence import equivalent
from game.core.frontier import Number, Point, all_int, issue_options
from game.core.frontier import cached as _frontier
from game.core.scenario import Issue, Scenario

#: Relative width of the band in which an opposed issue still counts as distributive: the joint
#: points of its Pareto-optimal options may vary by at most this share of the larger role's range
#: on the issue (see :func:`issue_kind`).
KIND_TOLERANCE = 0.05

#: Seed of the sample :func:`outcome_cloud` draws when a scenario has too many packages.
CLOUD_SEED = 20240601


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


def max_joint(sc: Scenario) -> dict[str, Any]:
    """The largest joint value: ``{"points": [p0, p1], "joint": p0 + p1, "package": {...}}``.

    With integer points it is the per-issue maximum of the two roles' sum (exact, no frontier).
    With floating-point points it is taken over the frontier (the maximum lies on it), so that
    ``joint`` is exactly the largest ``p0 + p1`` of any package's ``sc.points`` and never an ulp
    away from it. Ties go to the lowest option indices (integers) or lowest p0 (floats).
    """
    if all_int(sc):
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
    opts = issue_options(issue)
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


# ------------------------------------------------------------------ suggestions (MESO)


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
    found = equivalence.equivalent_packages(
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
