"""Metrics of a negotiation, computed from its state (the fold of its events) and its scenario.

Pure functions, no I/O. :func:`score` gives one flat, JSON-able dict per negotiation whose keys
are :func:`summary_columns` in order, so it can become a row of a CSV table. A value that does
not apply is None (an empty cell): the outcome measures while the negotiation is open,
``pareto_optimal`` and the distances unless agreed, the first-offer measures before any offer.
Two cells are not scalars and become compact JSON in a CSV: ``agreement`` (a package) and
``concessions_0`` / ``concessions_1`` (lists).

Roles are by index, 0 and 1 in the scenario's order, as everywhere in the core: ``points_0`` is
the points of the scenario's first role. Every definition, with its formula, units and when it
is empty, is in docs/metrics.md.
"""

from __future__ import annotations

import math
from typing import Any

from game.core import analysis
from game.core.protocols.offers import Offer, State
from game.core.scenario import Scenario

Number = int | float

_COLUMNS: tuple[str, ...] = (
    # who and what
    "negotiation_id",
    "scenario_id",
    "condition",
    "role_0",
    "role_1",
    "first_mover",
    # how it ended
    "status",
    "end_reason",
    "ended_by",
    "agreement",
    "agreement_offer_seq",
    "agreement_package_index",
    # individual and joint outcome
    "points_0",
    "points_1",
    "joint",
    "max_joint",
    "efficiency",
    "pareto_optimal",
    "distance_to_frontier",
    "distance_to_frontier_normalized",
    "left_on_table",
    "dominating_gain",
    "surplus_0",
    "surplus_1",
    "surplus_share_0",
    "surplus_share_1",
    "nash_product",
    "nash_product_max",
    # the offers
    "offers_count",
    "meso_count",
    # the first offer (MESO measures)
    "first_offer_packages",
    "first_offer_value_to_proposer",
    "first_offer_best_to_recipient",
    "first_offer_mean_to_recipient",
    # the first counteroffer
    "first_counter_packages",
    "first_counter_based_on_package",
    "first_counter_value_to_first_offerer",
    "first_counter_value_to_recipient",
    "first_counter_joint",
    "first_counter_given_up_by_first_offerer",
    "first_counter_gained_by_recipient",
    # concessions
    "concessions_0",
    "concessions_1",
    "concession_total_0",
    "concession_total_1",
    # time
    "started_at",
    "ended_at",
    "duration_s",
)


def summary_columns() -> list[str]:
    """The keys of :func:`score`, in the order of an export's columns."""
    return list(_COLUMNS)


# ---------------------------------------------------------------- small helpers


def _mean(xs: list[Number]) -> float:
    return sum(xs) / len(xs)


def _best_index(offer: Offer, k: int) -> int:
    """Index of the offer's package worth most to role index ``k`` (the first of equals)."""
    return max(range(len(offer.packages)), key=lambda j: (offer.points[j][k], -j))


def _own_best(offer: Offer, sc: Scenario) -> Number:
    """The proposer's value of the best of its own packages in ``offer``."""
    k = sc.role_index(offer.by)
    return max(p[k] for p in offer.points)


def _frontier_points(sc: Scenario, frontier: Any) -> list[tuple[Number, Number]]:
    if frontier is None:
        return analysis.frontier(sc)
    return [(p[0], p[1]) for p in frontier]


def _normalized_distance(
    sc: Scenario, points: tuple[Number, Number], front: list[tuple[Number, Number]]
) -> float:
    """Distance to the nearest frontier point with each role's axis divided by its range.

    A role whose packages are all worth the same to it (range 0) adds nothing on its axis.
    """
    (lo0, hi0), (lo1, hi1) = analysis.ranges(sc)
    r0, r1 = hi0 - lo0, hi1 - lo1
    x, y = points

    def axis(d: Number, r: Number) -> float:
        return d / r if r > 0 else 0.0

    return min(math.hypot(axis(f0 - x, r0), axis(f1 - y, r1)) for f0, f1 in front)


# ---------------------------------------------------------------- concessions


def concessions(state: State) -> list[list[Number]]:
    """Each role's concessions, offer by offer: ``[role 0's list, role 1's list]``.

    For every offer of a role after its first, the concession is the proposer's own value of
    the best package of its previous offer minus that of this offer: positive when the proposer
    asks for less than before, negative when it asks for more, 0 when it holds. A role with n
    offers has n - 1 concessions.
    """
    sc = state.scenario
    out: list[list[Number]] = [[], []]
    last: list[Number | None] = [None, None]
    for offer in state.offers:
        k = sc.role_index(offer.by)
        own = _own_best(offer, sc)
        if last[k] is not None:
            out[k].append(last[k] - own)
        last[k] = own
    return out


# ---------------------------------------------------------------- the first offer and counter


def _first_offer_measures(state: State) -> dict[str, Any]:
    sc = state.scenario
    out: dict[str, Any] = {
        "first_offer_packages": None,
        "first_offer_value_to_proposer": None,
        "first_offer_best_to_recipient": None,
        "first_offer_mean_to_recipient": None,
        "first_counter_packages": None,
        "first_counter_based_on_package": None,
        "first_counter_value_to_first_offerer": None,
        "first_counter_value_to_recipient": None,
        "first_counter_joint": None,
        "first_counter_given_up_by_first_offerer": None,
        "first_counter_gained_by_recipient": None,
    }
    if not state.offers:
        return out
    first = state.offers[0]
    fo = sc.role_index(first.by)  # the first offerer
    rc = 1 - fo  # its recipient
    out["first_offer_packages"] = len(first.packages)
    out["first_offer_value_to_proposer"] = _mean([p[fo] for p in first.points])
    out["first_offer_best_to_recipient"] = max(p[rc] for p in first.points)
    out["first_offer_mean_to_recipient"] = _mean([p[rc] for p in first.points])

    counter = next((o for o in state.offers if o.by != first.by), None)
    if counter is None:
        return out
    j = _best_index(counter, fo)  # the counter's package best for the first offerer
    c_fo, c_rc = counter.points[j][fo], counter.points[j][rc]
    out["first_counter_packages"] = len(counter.packages)
    out["first_counter_value_to_first_offerer"] = c_fo
    out["first_counter_value_to_recipient"] = c_rc
    out["first_counter_joint"] = c_fo + c_rc
    based = counter.based_on
    if based is not None and based.get("offer_id") == first.id:
        b = based["package"]
        out["first_counter_based_on_package"] = b
        out["first_counter_given_up_by_first_offerer"] = first.points[b][fo] - c_fo
        out["first_counter_gained_by_recipient"] = c_rc - first.points[b][rc]
    return out


# ---------------------------------------------------------------- score


def score(state: State, *, frontier: Any = None) -> dict[str, Any]:
    """Every metric of one negotiation as a flat dict keyed by :func:`summary_columns`.

    ``frontier``: the scenario's Pareto frontier (``analysis.frontier(sc)``, a list of
    ``[p0, p1]`` pairs) when the caller scores many negotiations of one scenario; computed
    (and cached by game.analysis) otherwise.
    """
    sc = state.scenario
    b0, b1 = sc.batnas
    mj = analysis.max_joint(sc)["joint"]
    best_nash = analysis.nash(sc)
    row: dict[str, Any] = dict.fromkeys(_COLUMNS)
    row.update(
        negotiation_id=state.id,
        scenario_id=sc.id,
        condition=state.condition,
        role_0=sc.roles[0].id,
        role_1=sc.roles[1].id,
        first_mover=sc.first_mover,
        status=state.status,
        max_joint=mj,
        nash_product_max=best_nash["product"] if best_nash is not None else None,
        offers_count=len(state.offers),
        meso_count=sum(1 for o in state.offers if len(o.packages) >= 2),
        started_at=state.started_at,
        ended_at=state.ended_at,
    )

    outcome = state.outcome
    if outcome is not None:
        p0, p1 = outcome.points
        joint = p0 + p1
        s0, s1 = p0 - b0, p1 - b1
        front = _frontier_points(sc, frontier)
        row.update(
            end_reason=outcome.reason,
            ended_by=outcome.by,
            points_0=p0,
            points_1=p1,
            joint=joint,
            efficiency=joint / mj if mj > 0 else None,
            left_on_table=mj - joint,
            dominating_gain=analysis.dominating_gain(sc, (p0, p1), frontier=front),
            surplus_0=s0,
            surplus_1=s1,
            surplus_share_0=s0 / (s0 + s1) if s0 + s1 > 0 else None,
            surplus_share_1=s1 / (s0 + s1) if s0 + s1 > 0 else None,
            nash_product=s0 * s1,
            duration_s=state.ended_at - state.started_at if state.ended_at is not None else None,
        )
        if outcome.reason == "accepted":
            # only the latest offer can be accepted; look further back only for a hand-made log
            # a protocol with a middle seat has no offers: the agreement is a proposal or draft
            accepted = next(
                (o for o in reversed(state.offers) if outcome.package in o.packages), None
            )
            row.update(
                agreement=dict(outcome.package),
                agreement_offer_seq=accepted.seq if accepted else None,
                agreement_package_index=(
                    accepted.packages.index(outcome.package) if accepted else None
                ),
                pareto_optimal=analysis.is_pareto_optimal(sc, (p0, p1), frontier=front),
                distance_to_frontier=analysis.distance_to_frontier(sc, (p0, p1), frontier=front),
                distance_to_frontier_normalized=_normalized_distance(sc, (p0, p1), front),
            )

    row.update(_first_offer_measures(state))
    c0, c1 = concessions(state)
    row["concessions_0"] = c0
    row["concessions_1"] = c1
    made = [0, 0]
    for o in state.offers:
        made[sc.role_index(o.by)] += 1
    row["concession_total_0"] = sum(c0) if made[0] else None
    row["concession_total_1"] = sum(c1) if made[1] else None
    return row
