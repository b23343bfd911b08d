"""Metrics of a negotiation (game/scoring.py), checked against numbers worked out by hand.

The scenario, points as (employer, candidate):

    salary:   high (60, 0)   mid (30, 30)   low (0, 40)
    start:    soon (50, 0)   late (0, 40)

    package           points     joint
    high + soon      (110,  0)    110
    high + late      ( 60, 40)    100
    mid  + soon      ( 80, 30)    110
    mid  + late      ( 30, 70)    100
    low  + soon      ( 50, 40)     90   dominated by high + late
    low  + late      (  0, 80)     80

Frontier: (0, 80) (30, 70) (60, 40) (80, 30) (110, 0). Max joint 110. BATNAs: employer 20,
candidate 10. Ranges: employer 0..110, candidate 0..80. Nash: (60, 40) and (80, 30) both give
40 * 30 = 60 * 20 = 1200.
"""

from __future__ import annotations

import json
import math
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.core import analysis, scoring
from game.core.protocols import offers
from game.core.scenario import parse
from tests.support import (
    HIGH_LATE,
    HIGH_SOON,
    LOW_LATE,
    LOW_SOON,
    MID_LATE,
    MID_SOON,
    hire_doc,
    hire_option,
)

T0 = 1_700_000_000.0

scenario_doc = hire_doc


SC = parse(scenario_doc())


def start(condition="any", sc=SC):
    return offers.new_state("n7", sc, condition, started_at=T0, time_limit_s=sc.time_limit_s)


def play(state, *steps):
    """Apply (role, kind, payload, seconds after the start) steps through the real rules."""
    for role, kind, payload, dt in steps:
        events = offers.apply(state, role, offers.parse_action(kind, payload), T0 + dt)
        state = offers.replay(state, events)
    return state


def offer(role, *packages, at, based_on=None):
    payload = {"packages": list(packages)}
    if based_on is not None:
        payload["based_on"] = based_on
    return (role, "propose", payload, at)


def accept(role, offer_id, package=0, *, at):
    return (role, "accept", {"offer_id": offer_id, "package": package}, at)


def walk(role, *, at):
    return (role, "walk_away", {}, at)


# ---------------------------------------------------------------- the hand-worked scenario


def test_the_outcome_space_is_the_one_worked_out_by_hand():
    assert SC.points(LOW_SOON) == (50, 40)
    assert analysis.frontier(SC) == [(0, 80), (30, 70), (60, 40), (80, 30), (110, 0)]
    assert analysis.max_joint(SC)["joint"] == 110
    assert analysis.ranges(SC) == [[0, 110], [0, 80]]
    assert analysis.nash(SC)["product"] == 1200


# ---------------------------------------------------------------- columns


def test_score_has_exactly_the_summary_columns_in_order():
    for state in (start(), play(start(), offer("employer", MID_SOON, at=5))):
        assert list(scoring.score(state)) == scoring.summary_columns()


def test_summary_columns_are_unique_and_cover_the_export_keys():
    cols = scoring.summary_columns()
    assert len(cols) == len(set(cols))
    for key in ("points_0", "points_1", "joint", "max_joint", "pareto_optimal", "offers_count"):
        assert key in cols


def test_a_score_is_json_able():
    s = play(
        start("meso"),
        offer("employer", MID_SOON, HIGH_LATE, at=1),
        offer("candidate", MID_LATE, based_on={"offer_id": "n7-1", "package": 1}, at=2),
        accept("employer", "n7-2", at=3),
    )
    row = scoring.score(s)
    assert json.loads(json.dumps(row)) == row


# ---------------------------------------------------------------- while open


def test_an_open_negotiation_has_no_outcome_measures():
    s = play(start(), offer("employer", MID_SOON, at=5))
    row = scoring.score(s)
    assert row["status"] == "open"
    for key in (
        "end_reason",
        "ended_by",
        "agreement",
        "agreement_offer_seq",
        "agreement_package_index",
        "points_0",
        "points_1",
        "joint",
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
        "ended_at",
        "duration_s",
    ):
        assert row[key] is None, key
    # what the scenario and the offers so far already say
    assert row["max_joint"] == 110
    assert row["nash_product_max"] == 1200
    assert row["offers_count"] == 1
    assert row["first_offer_packages"] == 1
    assert row["started_at"] == T0


def test_a_new_negotiation_has_no_offer_measures():
    row = scoring.score(start())
    assert row["offers_count"] == 0 and row["meso_count"] == 0
    assert row["first_offer_packages"] is None
    assert row["first_counter_packages"] is None
    assert row["concessions_0"] == [] and row["concessions_1"] == []
    assert row["concession_total_0"] is None and row["concession_total_1"] is None


# ---------------------------------------------------------------- an agreement


def test_an_agreement_inside_the_frontier():
    s = play(
        start(),
        offer("employer", HIGH_SOON, at=10),
        offer("candidate", LOW_SOON, at=70),
        accept("employer", "n7-2", at=100),
    )
    row = scoring.score(s)
    assert row["status"] == "agreed"
    assert row["end_reason"] == "accepted"
    assert row["ended_by"] == "employer"
    assert row["agreement"] == LOW_SOON
    assert row["agreement_offer_seq"] == 2 and row["agreement_package_index"] == 0
    assert (row["points_0"], row["points_1"], row["joint"]) == (50, 40, 90)
    assert row["max_joint"] == 110
    assert row["efficiency"] == pytest.approx(90 / 110)
    assert row["pareto_optimal"] is False
    # nearest frontier point (60, 40): 10 points away, 10/110 of the employer's range
    assert row["distance_to_frontier"] == pytest.approx(10.0)
    assert row["distance_to_frontier_normalized"] == pytest.approx(10 / 110)
    assert row["left_on_table"] == 20
    # only (60, 40) is at least as good for both: it adds 100 - 90
    assert row["dominating_gain"] == 10
    assert (row["surplus_0"], row["surplus_1"]) == (30, 30)
    assert row["surplus_share_0"] == pytest.approx(0.5)
    assert row["surplus_share_1"] == pytest.approx(0.5)
    assert row["nash_product"] == 900
    assert row["started_at"] == T0 and row["ended_at"] == T0 + 100
    assert row["duration_s"] == 100
    assert row["offers_count"] == 2 and row["meso_count"] == 0


def test_an_agreement_at_max_joint_on_the_frontier():
    s = play(start(), offer("employer", MID_SOON, at=1), accept("candidate", "n7-1", at=2))
    row = scoring.score(s)
    assert (row["points_0"], row["points_1"]) == (80, 30)
    assert row["efficiency"] == 1.0
    assert row["pareto_optimal"] is True
    assert row["distance_to_frontier"] == 0.0
    assert row["distance_to_frontier_normalized"] == 0.0
    assert row["left_on_table"] == 0
    assert row["dominating_gain"] == 0
    assert row["nash_product"] == 60 * 20 == row["nash_product_max"]
    assert row["surplus_share_0"] == pytest.approx(60 / 80)
    assert row["surplus_share_1"] == pytest.approx(20 / 80)


def test_pareto_optimal_below_max_joint_leaves_points_on_the_table_but_none_dominating():
    s = play(start(), offer("employer", MID_LATE, at=1), accept("candidate", "n7-1", at=2))
    row = scoring.score(s)
    assert (row["points_0"], row["points_1"]) == (30, 70)
    assert row["pareto_optimal"] is True
    assert row["left_on_table"] == 10
    assert row["dominating_gain"] == 0
    assert row["efficiency"] == pytest.approx(100 / 110)


def test_an_agreement_below_a_batna_has_a_negative_surplus_and_shares_outside_0_1():
    # LOW_LATE (0, 80): the employer ends 20 below its BATNA, the candidate 70 above
    s = play(start(), offer("employer", LOW_LATE, at=1), accept("candidate", "n7-1", at=2))
    row = scoring.score(s)
    assert (row["surplus_0"], row["surplus_1"]) == (-20, 70)
    assert row["surplus_share_0"] == pytest.approx(-20 / 50)
    assert row["surplus_share_1"] == pytest.approx(70 / 50)
    assert row["surplus_share_0"] + row["surplus_share_1"] == pytest.approx(1.0)
    assert row["nash_product"] == -1400
    assert row["pareto_optimal"] is True


def test_surplus_shares_are_empty_when_the_agreement_creates_no_surplus():
    sc = parse(
        scenario_doc(
            roles=[
                {"id": "employer", "name": "Employer", "brief": "", "batna": 60},
                {"id": "candidate", "name": "Candidate", "brief": "", "batna": 40},
            ]
        )
    )
    # HIGH_LATE (60, 40) is exactly both BATNAs: zero surplus
    s = play(start(sc=sc), offer("employer", HIGH_LATE, at=1), accept("candidate", "n7-1", at=2))
    row = scoring.score(s)
    assert (row["surplus_0"], row["surplus_1"]) == (0, 0)
    assert row["surplus_share_0"] is None and row["surplus_share_1"] is None
    assert row["nash_product"] == 0
    # LOW_SOON (50, 40): total surplus -10
    s = play(start(sc=sc), offer("employer", LOW_SOON, at=1), accept("candidate", "n7-1", at=2))
    row = scoring.score(s)
    assert (row["surplus_0"], row["surplus_1"]) == (-10, 0)
    assert row["surplus_share_0"] is None and row["surplus_share_1"] is None


# ---------------------------------------------------------------- impasses


def test_an_impasse_by_walking_away_scores_the_batnas():
    s = play(start(), offer("employer", HIGH_SOON, at=5), walk("candidate", at=65))
    row = scoring.score(s)
    assert row["status"] == "impasse"
    assert row["end_reason"] == "walked_away"
    assert row["ended_by"] == "candidate"
    assert row["agreement"] is None
    assert row["agreement_offer_seq"] is None and row["agreement_package_index"] is None
    assert (row["points_0"], row["points_1"], row["joint"]) == (20, 10, 30)
    assert row["efficiency"] == pytest.approx(30 / 110)
    assert row["left_on_table"] == 80
    # frontier points at least as good as (20, 10) for both: (30, 70), (60, 40), (80, 30)
    assert row["dominating_gain"] == 80
    assert row["pareto_optimal"] is None
    assert row["distance_to_frontier"] is None
    assert row["distance_to_frontier_normalized"] is None
    assert (row["surplus_0"], row["surplus_1"]) == (0, 0)
    assert row["surplus_share_0"] is None and row["surplus_share_1"] is None
    assert row["nash_product"] == 0
    assert row["duration_s"] == 65


def test_walking_away_before_any_offer():
    s = play(start(), walk("employer", at=3))
    row = scoring.score(s)
    assert row["end_reason"] == "walked_away" and row["ended_by"] == "employer"
    assert (row["points_0"], row["points_1"]) == (20, 10)
    assert row["offers_count"] == 0
    assert row["first_offer_packages"] is None
    assert row["first_offer_value_to_proposer"] is None
    assert row["concession_total_0"] is None


def test_an_impasse_at_the_deadline_ends_at_the_deadline():
    s = play(start(), offer("employer", HIGH_SOON, at=5))
    s = offers.replay(s, offers.due(s, T0 + 2000))
    row = scoring.score(s)
    assert row["status"] == "impasse"
    assert row["end_reason"] == "deadline"
    assert row["ended_by"] is None
    assert (row["points_0"], row["points_1"]) == (20, 10)
    assert row["ended_at"] == T0 + 900
    assert row["duration_s"] == 900


def test_an_impasse_whose_batnas_beat_every_package_leaves_a_negative_left_on_table():
    sc = parse(
        scenario_doc(
            roles=[
                {"id": "employer", "name": "Employer", "brief": "", "batna": 100},
                {"id": "candidate", "name": "Candidate", "brief": "", "batna": 50},
            ]
        )
    )
    row = scoring.score(play(start(sc=sc), walk("candidate", at=1)))
    assert row["joint"] == 150
    assert row["left_on_table"] == -40
    assert row["efficiency"] == pytest.approx(150 / 110)
    assert row["dominating_gain"] == 0
    assert row["nash_product_max"] is None  # no package gives both their BATNA


def test_efficiency_is_empty_when_max_joint_is_not_positive():
    doc = scenario_doc()
    doc["issues"] = [
        {
            "id": "salary",
            "name": "Salary",
            "options": [hire_option("high", -5, 0), hire_option("low", 0, -8)],
        },
        {
            "id": "start",
            "name": "Start",
            "options": [hire_option("soon", 0, 0), hire_option("late", -1, -1)],
        },
    ]
    sc = parse(doc)
    assert analysis.max_joint(sc)["joint"] == -5
    s = play(
        start(sc=sc),
        offer("employer", {"salary": "high", "start": "soon"}, at=1),
        accept("candidate", "n7-1", at=2),
    )
    row = scoring.score(s)
    assert row["joint"] == -5 and row["max_joint"] == -5
    assert row["efficiency"] is None
    assert row["left_on_table"] == 0
    assert row["pareto_optimal"] is True


# ---------------------------------------------------------------- the first offer and counter


def meso_negotiation():
    """A MESO first offer, a counter based on its package 1, and an agreement."""
    return play(
        start("meso"),
        # employer: MID_SOON (80, 30) and HIGH_LATE (60, 40); 20 apart for the employer
        offer("employer", MID_SOON, HIGH_LATE, at=10),
        # candidate: MID_LATE (30, 70) and LOW_LATE (0, 80), based on HIGH_LATE
        offer("candidate", MID_LATE, LOW_LATE, based_on={"offer_id": "n7-1", "package": 1}, at=60),
        offer("employer", LOW_SOON, at=120),  # own best 80 -> 50: concedes 30
        offer("candidate", MID_LATE, at=180),  # own best 80 -> 70: concedes 10
        offer("employer", HIGH_LATE, at=240),  # own best 50 -> 60: asks 10 more
        accept("candidate", "n7-5", at=300),
    )


def test_meso_first_offer_measures():
    row = scoring.score(meso_negotiation())
    assert row["condition"] == "meso"
    assert row["first_mover"] == "employer"
    assert row["first_offer_packages"] == 2
    assert row["first_offer_value_to_proposer"] == pytest.approx(70)  # (80 + 60) / 2
    assert row["first_offer_best_to_recipient"] == 40  # max(30, 40)
    assert row["first_offer_mean_to_recipient"] == pytest.approx(35)  # (30 + 40) / 2


def test_first_counter_based_on_package_1_of_a_meso():
    row = scoring.score(meso_negotiation())
    assert row["first_counter_packages"] == 2
    assert row["first_counter_based_on_package"] == 1
    # of the counter's packages, MID_LATE (30, 70) is best for the employer (LOW_LATE gives 0)
    assert row["first_counter_value_to_first_offerer"] == 30
    assert row["first_counter_value_to_recipient"] == 70
    assert row["first_counter_joint"] == 100
    # from HIGH_LATE (60, 40): the employer gives up 60 - 30, the candidate gains 70 - 40
    assert row["first_counter_given_up_by_first_offerer"] == 30
    assert row["first_counter_gained_by_recipient"] == 30


def test_concessions_offer_by_offer():
    s = meso_negotiation()
    assert scoring.concessions(s) == [[30, -10], [10]]
    row = scoring.score(s)
    assert row["concessions_0"] == [30, -10]
    assert row["concessions_1"] == [10]
    assert row["concession_total_0"] == 20
    assert row["concession_total_1"] == 10


def test_the_meso_negotiation_outcome():
    row = scoring.score(meso_negotiation())
    assert row["offers_count"] == 5
    assert row["meso_count"] == 2
    assert row["agreement"] == HIGH_LATE
    assert row["agreement_offer_seq"] == 5 and row["agreement_package_index"] == 0
    assert (row["points_0"], row["points_1"]) == (60, 40)
    assert row["pareto_optimal"] is True
    assert row["surplus_share_0"] == pytest.approx(40 / 70)
    assert row["nash_product"] == 1200
    assert row["duration_s"] == 300


def test_accepting_the_second_package_of_a_meso_records_its_index():
    s = play(
        start("meso"),
        offer("employer", MID_SOON, HIGH_LATE, at=1),
        accept("candidate", "n7-1", 1, at=2),
    )
    row = scoring.score(s)
    assert row["agreement"] == HIGH_LATE
    assert row["agreement_offer_seq"] == 1 and row["agreement_package_index"] == 1
    assert row["first_counter_packages"] is None
    assert row["first_counter_based_on_package"] is None


def test_a_counter_not_based_on_a_package_has_no_concession_from_it():
    s = play(
        start(),
        offer("employer", MID_SOON, at=1),
        offer("candidate", LOW_LATE, MID_LATE, at=2),
    )
    row = scoring.score(s)
    assert row["first_counter_based_on_package"] is None
    assert row["first_counter_given_up_by_first_offerer"] is None
    assert row["first_counter_gained_by_recipient"] is None
    # still: the counter's package best for the employer is MID_LATE (30, 70)
    assert row["first_counter_value_to_first_offerer"] == 30
    assert row["first_counter_value_to_recipient"] == 70
    assert row["first_counter_joint"] == 100


def test_a_counter_based_on_a_single_first_offer():
    s = play(
        start("single"),
        offer("employer", HIGH_SOON, at=1),
        offer("candidate", MID_SOON, based_on={"offer_id": "n7-1", "package": 0}, at=2),
    )
    row = scoring.score(s)
    assert row["first_offer_packages"] == 1
    assert row["first_offer_value_to_proposer"] == 110
    assert row["first_offer_best_to_recipient"] == 0
    assert row["first_counter_based_on_package"] == 0
    assert row["first_counter_given_up_by_first_offerer"] == 110 - 80
    assert row["first_counter_gained_by_recipient"] == 30 - 0


def test_first_offer_measures_follow_the_first_mover_when_it_is_role_1():
    sc = parse(scenario_doc(first_mover="candidate"))
    s = play(
        start("meso", sc=sc),
        # candidate: MID_LATE (30, 70) and LOW_LATE (0, 80); to the employer 30 and 0
        offer("candidate", MID_LATE, LOW_LATE, at=1),
        offer("employer", MID_SOON, based_on={"offer_id": "n7-1", "package": 0}, at=2),
    )
    row = scoring.score(s)
    assert row["first_mover"] == "candidate"
    assert row["first_offer_value_to_proposer"] == pytest.approx(75)
    assert row["first_offer_best_to_recipient"] == 30
    assert row["first_offer_mean_to_recipient"] == pytest.approx(15)
    # counter MID_SOON (80, 30) from MID_LATE (30, 70): the candidate gives up 40, employer +50
    assert row["first_counter_value_to_first_offerer"] == 30
    assert row["first_counter_value_to_recipient"] == 80
    assert row["first_counter_given_up_by_first_offerer"] == 40
    assert row["first_counter_gained_by_recipient"] == 50
    assert scoring.concessions(s) == [[], []]
    assert row["concession_total_0"] == 0 and row["concession_total_1"] == 0


def test_concessions_use_the_best_package_of_each_offer_for_its_proposer():
    s = play(
        start(),
        offer("employer", MID_SOON, HIGH_LATE, at=1),  # best for the employer: 80
        offer("candidate", LOW_LATE, at=2),  # 80 to the candidate
        offer("employer", HIGH_LATE, LOW_SOON, at=3),  # best 60: concedes 20
        offer("candidate", HIGH_LATE, LOW_SOON, at=4),  # 40 and 40: concedes 40
        offer("employer", HIGH_LATE, at=5),  # 60: holds
    )
    assert scoring.concessions(s) == [[20, 0], [40]]


# ---------------------------------------------------------------- the frontier argument


def test_a_precomputed_frontier_gives_the_same_score():
    s = meso_negotiation()
    front = analysis.frontier(SC)
    assert scoring.score(s, frontier=front) == scoring.score(s)
    listed = [list(p) for p in front]  # as it comes back from JSON
    t = play(start(), offer("employer", LOW_SOON, at=1), accept("candidate", "n7-1", at=2))
    assert scoring.score(t, frontier=listed) == scoring.score(t)


def test_normalized_distance_ignores_a_role_whose_points_never_change():
    doc = scenario_doc()
    # the candidate gets 5 whatever the package: range 0
    doc["issues"] = [
        {
            "id": "salary",
            "name": "Salary",
            "options": [hire_option("high", 60, 5), hire_option("low", 20, 5)],
        },
        {
            "id": "start",
            "name": "Start",
            "options": [hire_option("soon", 10, 0), hire_option("late", 0, 0)],
        },
    ]
    sc = parse(doc)
    s = play(
        start(sc=sc),
        offer("employer", {"salary": "low", "start": "late"}, at=1),
        accept("candidate", "n7-1", at=2),
    )
    row = scoring.score(s)
    assert (row["points_0"], row["points_1"]) == (20, 5)
    assert row["distance_to_frontier"] == 50  # the frontier is the single point (70, 5)
    assert row["distance_to_frontier_normalized"] == pytest.approx(50 / 50)
    assert math.isfinite(row["distance_to_frontier_normalized"])


def test_an_instructor_ending_it_is_an_impasse_with_reason_instructor():
    s = play(start(), offer("employer", MID_SOON, at=5))
    s = offers.replay(s, offers.end_by_instructor(s, T0 + 50))
    row = scoring.score(s)
    assert row["status"] == "impasse"
    assert row["end_reason"] == "instructor"
    assert row["ended_by"] == "instructor"
    assert (row["points_0"], row["points_1"]) == (20, 10)
    assert row["duration_s"] == 50


# ---------------------------------------------------------------- for any negotiation

ALL_PACKAGES = [HIGH_SOON, HIGH_LATE, MID_SOON, MID_LATE, LOW_SOON, LOW_LATE]


@settings(max_examples=80, deadline=None)
@given(
    condition=st.sampled_from(offers.CONDITIONS),
    moves=st.lists(st.lists(st.sampled_from(ALL_PACKAGES), min_size=1, max_size=3), max_size=8),
    ending=st.sampled_from(["accept", "walk", "deadline", "open"]),
    pick=st.integers(0, 2),
)
def test_the_metrics_agree_with_each_other_for_any_negotiation(condition, moves, ending, pick):
    s = start(condition)
    now = 1
    for packages in moves:
        role = s.turn
        try:
            s = play(s, offer(role, *packages, at=now))
        except offers.RuleError:
            continue  # not equivalent, duplicates, too many for the condition: skip the move
        now += 1
    if ending == "accept" and s.latest is not None:
        s = play(s, accept(s.turn, s.latest.id, min(pick, len(s.latest.packages) - 1), at=now))
    elif ending == "walk":
        s = play(s, walk(s.turn, at=now))
    elif ending == "deadline":
        s = offers.replay(s, offers.due(s, T0 + 10_000))
    row = scoring.score(s)

    assert list(row) == scoring.summary_columns()
    assert json.loads(json.dumps(row)) == row
    if row["status"] == "open":
        assert row["points_0"] is None and row["efficiency"] is None
    else:
        assert row["joint"] == row["points_0"] + row["points_1"]
        assert row["efficiency"] == pytest.approx(row["joint"] / row["max_joint"])
        assert row["left_on_table"] == row["max_joint"] - row["joint"]
        assert row["nash_product"] == row["surplus_0"] * row["surplus_1"]
        if row["surplus_share_0"] is not None:
            assert row["surplus_share_0"] + row["surplus_share_1"] == pytest.approx(1)
    if row["status"] == "agreed":
        assert 0 <= row["dominating_gain"] <= row["left_on_table"]
        on_frontier = row["distance_to_frontier"] == 0
        assert row["pareto_optimal"] is on_frontier
        assert (row["dominating_gain"] == 0) is on_frontier
        assert (row["distance_to_frontier_normalized"] == 0) is on_frontier
        assert row["agreement"] == s.latest.packages[row["agreement_package_index"]]
    else:
        assert row["pareto_optimal"] is None and row["distance_to_frontier"] is None
    # concessions telescope: a role's total is its first offer's demand minus its last one's
    for k, role in enumerate(SC.role_ids):
        own = [max(p[k] for p in o.points) for o in s.offers if o.by == role]
        assert row[f"concessions_{k}"] == [a - b for a, b in pairwise(own)]
        assert row[f"concession_total_{k}"] == (own[0] - own[-1] if own else None)
    assert row["meso_count"] == sum(len(o.packages) > 1 for o in s.offers)
