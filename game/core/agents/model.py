"""An agent's private model of a negotiation, built from its own view only.

:func:`model` reads the ``scenario`` part of a participant's view (``Scenario.role_view``: the
agent's own points, brief and BATNA) and never anything else, so an agent cannot know the other
role's numbers. Packages of equal value are judged with :mod:`game.core.equivalence`, the rule
the protocol's own check applies, on a private scenario holding the agent's points only.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from typing import Any

from game.core.equivalence import equivalent, equivalent_packages
from game.core.scenario import Issue, Option, Role, Scenario

#: Up to this many packages the model lists them all, sorted by value; beyond it, packages are
#: found by :func:`game.core.equivalence.equivalent_packages`' bounded search.
ENUMERATE_MAX = 50_000
_OTHER = "~other"  # the private scenario's second role: zero points, never the real one


@dataclass
class Model:
    """What an agent knows: its role, issues, its own points, BATNA and the MESO rule."""

    role: str
    issue_ids: tuple[str, ...]
    option_ids: tuple[tuple[str, ...], ...]
    values: tuple[tuple[float, ...], ...]  # my points per issue, per option
    batna: float
    tolerance: float  # meso_tolerance
    max_packages: int
    best: float
    worst: float
    private: Scenario  # my points as role 0; the other role's points all zero
    sorted_values: list[float] | None = None  # ascending, when enumerated
    sorted_choices: list[tuple[int, ...]] | None = None
    index: tuple[dict[str, int], ...] = ()  # per issue: option id -> its position

    def __post_init__(self) -> None:
        self.index = tuple({o: j for j, o in enumerate(opts)} for opts in self.option_ids)

    @property
    def reservation(self) -> float:
        """The least an agent accepts or offers: its BATNA, or the worst package above it."""
        return max(self.batna, self.worst)

    def value(self, package: dict[str, str]) -> float:
        s = 0
        for issue_id, opts, vals in zip(self.issue_ids, self.option_ids, self.values, strict=True):
            s += vals[opts.index(package[issue_id])]
        return s

    def package(self, choice: tuple[int, ...]) -> dict[str, str]:
        return {
            i: opts[j] for i, opts, j in zip(self.issue_ids, self.option_ids, choice, strict=True)
        }

    def choice(self, package: dict[str, str]) -> tuple[int, ...]:
        index = self.index
        return tuple(index[k][package[i]] for k, i in enumerate(self.issue_ids))

    def best_package(self) -> dict[str, str]:
        return {
            i: opts[max(range(len(v)), key=v.__getitem__)]
            for i, opts, v in zip(self.issue_ids, self.option_ids, self.values, strict=True)
        }

    # ------------------------------------------------------------ finding packages
    def at_least(
        self,
        target: float,
        cap: float | None = None,
        near: dict[str, str] | None = None,
        window: int = 8,
    ) -> dict[str, str]:
        """A package worth at least ``target`` (and at most ``cap`` when one fits), as close to
        ``target`` as the scenario allows; among the few closest, the one sharing most options
        with ``near`` (the other side's latest package), so concessions move toward them."""
        target = min(target, self.best)
        if self.sorted_values is not None:
            vals, choices = self.sorted_values, self.sorted_choices
            i = bisect.bisect_left(vals, target - 1e-9 * max(1.0, abs(target)))
            if i >= len(vals):
                i = len(vals) - 1
            hi = (
                len(vals)
                if cap is None
                else bisect.bisect_right(vals, cap + 1e-9 * max(1.0, abs(cap)))
            )
            end = min(max(hi, i + 1), i + window)
            cand = range(i, end)
            if near is None:
                return self.package(choices[i])
            nc = self.choice(near)
            best, score = i, -1
            for j in cand:
                same = 0
                for a, b in zip(choices[j], nc):  # noqa: B905 - both one per issue
                    same += a == b
                if same > score:
                    best, score = j, same
            return self.package(choices[best])
        # large scenarios: the bounded search for a package near the target, widening the band
        band = max(1.0, (self.best - self.worst) / 200)
        while True:
            found = equivalent_packages(self.private, self.role, target + band / 2, band / 2, 1)
            if found or band > self.best - self.worst:
                return found[0] if found else self.best_package()
            band *= 2

    def equivalent_set(
        self, target: float, count: int, near: dict[str, str] | None = None
    ) -> list[dict[str, str]]:
        """Up to ``count`` packages worth ``target`` or a little more, equivalent to each other
        by the protocol's rule and as different from each other as the search finds."""
        tol = self.tolerance
        first = self.at_least(target, near=near)
        v = self.value(first)
        found = equivalent_packages(
            self.private, self.role, v + tol / 2, tol / 2, count, include=first, spread=tol
        )
        values = [self.value(p) for p in found]
        while len(found) > 1 and not equivalent(values, tol):
            found.pop()
            values.pop()
        return found


def _key(sv: dict[str, Any]) -> tuple:
    return (
        sv["id"],
        sv["role_name"],
        sv["batna"],
        sv["meso_tolerance"],
        sv["max_packages"],
        tuple((i["id"], tuple((o["id"], o["points"]) for o in i["options"])) for i in sv["issues"]),
    )


_CACHE: dict[tuple, Model] = {}
_BY_ID: dict[int, tuple[dict, Model]] = {}  # id of a view's table -> (that table, its model)


def model(view: dict[str, Any]) -> Model:
    """The model of the negotiation part of a view (``view["negotiation"]``), cached by the
    role's own table (a pure function of it)."""
    sv = view["scenario"]
    hit = _BY_ID.get(id(sv))
    if hit is not None and hit[0] is sv:
        return hit[1]  # the very same table as last time (a simulation's views share it)
    key = (view["role"], _key(sv))
    m = _CACHE.get(key)
    if m is None:
        if len(_CACHE) > 256:
            _CACHE.clear()
        m = _CACHE[key] = _build(view["role"], sv)
    if len(_BY_ID) > 64:
        _BY_ID.clear()
    _BY_ID[id(sv)] = (sv, m)
    return m


def _build(role: str, sv: dict[str, Any]) -> Model:
    issues = sv["issues"]
    values = tuple(tuple(o["points"] for o in i["options"]) for i in issues)
    private = Scenario(
        id=sv["id"],
        title=sv["title"],
        description="",
        roles=(Role(role, sv["role_name"], "", sv["batna"]), Role(_OTHER, "", "", 0)),
        issues=tuple(
            Issue(
                i["id"],
                i["name"],
                tuple(Option(o["id"], o["label"], (o["points"], 0)) for o in i["options"]),
            )
            for i in issues
        ),
        first_mover=role,
        max_packages=sv["max_packages"],
        meso_tolerance=sv["meso_tolerance"],
        time_limit_s=None,
        max_offers=1,
    )
    m = Model(
        role=role,
        issue_ids=tuple(i["id"] for i in issues),
        option_ids=tuple(tuple(o["id"] for o in i["options"]) for i in issues),
        values=values,
        batna=sv["batna"],
        tolerance=sv["meso_tolerance"],
        max_packages=sv["max_packages"],
        best=sum(max(v) for v in values),
        worst=sum(min(v) for v in values),
        private=private,
    )
    if math.prod(len(v) for v in values) <= ENUMERATE_MAX:
        pairs = []
        for choice in itertools.product(*(range(len(v)) for v in values)):
            s = 0
            for vals, j in zip(values, choice, strict=True):
                s += vals[j]
            pairs.append((s, choice))
        pairs.sort()
        m.sorted_values = [p[0] for p in pairs]
        m.sorted_choices = [p[1] for p in pairs]
    return m
