"""Equivalent packages (MESO): the one rule, the same test for the offer's check, the suggestions
and the analysis (mirrored in the browser's builder from tests/cases/equivalence.json), and
:func:`equivalent_packages`, the search for packages of a given value to a role.

Packages are equivalent to a role when their values to it differ by at most the tolerance, with
a relative allowance so that decimal points which add up to the same value count as equal
(0.1 + 0.2 against 0.3 with a tolerance of 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from game.core.frontier import Number
from game.core.scenario import Scenario

#: The relative allowance: a spread may exceed the tolerance by this share of the largest value
#: (at least of 1), for the rounding of points summed in floating point.
RELATIVE_SLACK = 1e-9

#: Search nodes :func:`equivalent_packages` may visit per package it picks (keeps it bounded on
#: very large scenarios; the shipped sizes finish far below it).
EQUIVALENT_NODE_CAP = 20_000


def slack(values: Iterable[float]) -> float:
    """The allowance added to the tolerance for these values."""
    return RELATIVE_SLACK * max(1.0, *(abs(v) for v in values))


def equivalent(values: Iterable[float], tolerance: float) -> bool:
    """Whether packages worth ``values`` (to one role) are equivalent under ``tolerance``:
    ``max - min <= tolerance + 1e-9 * max(1, max |value|)``. One value or none is equivalent."""
    values = list(values)
    if len(values) < 2:
        return True
    return max(values) - min(values) <= tolerance + slack(values)


# ---------------------------------------------------------------- finding equivalent packages


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
    return [{i.id: i.options[j].id for i, j in zip(issues, c, strict=True)} for c in picked]
