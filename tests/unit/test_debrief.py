"""The class debrief (game/debrief.py), on small cases worked out by hand.

The scenario, points as (employer, candidate); the employer makes the first offer:

    salary:   high (60, 0)   mid (30, 30)   low (0, 40)
    start:    soon (50, 0)   late (0, 40)

    high + soon (110, 0)   high + late (60, 40)   mid + soon (80, 30)
    mid + late  (30, 70)   low + soon  (50, 40)   low + late (0, 80)

BATNAs: employer 20, candidate 10.
"""

from __future__ import annotations

import csv
import io
import math

import pytest

from game.core import debrief, scoring
from game.core.protocols import offers
from game.core.scenario import parse
from tests.support import HIGH_LATE, HIGH_SOON, LOW_SOON, MID_LATE, MID_SOON, hire_doc

T0 = 1_700_000_000.0

DOC = hire_doc()
SC = parse(DOC)


def play(nid, condition, *steps):
    """A negotiation through the real rules: steps are (role, kind, payload, seconds)."""
    state = offers.new_state(nid, SC, condition, started_at=T0, time_limit_s=900)
    for role, kind, payload, dt in steps:
        events = offers.apply(state, role, offers.parse_action(kind, payload), T0 + dt)
        state = offers.replay(state, events)
    return state


def rec(nid, condition, status, points=None, **kw):
    """A record as records_from_* make them (first offerer: role 0 unless told)."""
    r = {
        "negotiation_id": nid,
        "round": kw.get("round", 1),
        "condition": condition,
        "status": status,
        "end_reason": kw.get("end_reason"),
        "roles": ["employer", "candidate"],
        "first_offerer": kw.get("first_offerer", 0),
        "points": points,
        "agreement": kw.get("agreement"),
        "pareto_optimal": kw.get("pareto_optimal"),
        "first_offer_value": kw.get("first_offer_value"),
        "first_counter": kw.get("first_counter"),
        "duration_s": kw.get("duration_s"),
        "offers_count": kw.get("offers_count", 2),
    }
    return r


# A small class, by hand:
#   single A: agreed (60, 40) after 100 s, Pareto-optimal, first counter worth 30 to the employer
#   single B: impasse (BATNAs 20, 10), no counteroffer
#   meso   C: agreed (80, 30) after 200 s, Pareto-optimal, first counter 50
#   meso   D: agreed (30, 70) after 300 s, flagged not Pareto-optimal, first counter 10
#   meso   E: still open, first counter 40 (counts for the counteroffer measure only)
CLASS = [
    rec("A", "single", "agreed", [60, 40], first_counter=30, duration_s=100, pareto_optimal=True,
        first_offer_value=110, agreement=HIGH_LATE),
    rec("B", "single", "impasse", [20, 10], end_reason="walked_away", first_offer_value=80,
        duration_s=50),
    rec("C", "meso", "agreed", [80, 30], first_counter=50, duration_s=200, pareto_optimal=True,
        first_offer_value=95, agreement=MID_SOON),
    rec("D", "meso", "agreed", [30, 70], first_counter=10, duration_s=300, pareto_optimal=False,
        first_offer_value=85, agreement=MID_LATE),
    rec("E", "meso", "open", None, first_counter=40, first_offer_value=90),
]  # fmt: skip


# ---------------------------------------------------------------- statistics


def test_mean_and_sample_standard_deviation():
    assert debrief.mean([]) is None
    assert debrief.mean([1, 2, 6]) == 3
    assert debrief.sd([5]) is None
    assert debrief.sd([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(math.sqrt(32 / 7))
    assert debrief.describe([10, 20]) == {"n": 2, "mean": 15, "sd": pytest.approx(math.sqrt(50))}


def test_rate_of_nothing_is_none():
    assert debrief.rate(0, 0) == {"n": 0, "count": 0, "rate": None}
    assert debrief.rate(1, 4) == {"n": 4, "count": 1, "rate": 0.25}


def test_least_squares_fit_and_r():
    f = debrief.fit([(0, 1), (1, 3), (2, 5)])
    assert f == {"n": 3, "slope": 2, "intercept": 1, "r": pytest.approx(1.0)}
    f = debrief.fit([(0, 2), (1, 0), (2, 1)])
    assert f["slope"] == pytest.approx(-0.5) and f["intercept"] == pytest.approx(1.5)
    assert f["r"] == pytest.approx(-0.5)
    assert debrief.fit([(1, 1)]) is None
    assert debrief.fit([(1, 1), (1, 2)]) is None  # no spread in x
    assert debrief.fit([(1, 3), (2, 3)])["r"] is None  # no spread in y


# ---------------------------------------------------------------- the comparison table


def test_condition_comparison_worked_by_hand():
    rows = {r["condition"]: r for r in debrief.comparison(CLASS, ["single", "meso"])}
    assert list(rows) == ["single", "meso", "all"]

    single = rows["single"]
    assert (single["negotiations"], single["finished"], single["agreed"]) == (2, 2, 1)
    m = single["measures"]
    assert m["first_counter"] == {"n": 1, "mean": 30, "sd": None}
    # first offerer (the employer): 60 and the BATNA 20; recipient: 40 and 10
    assert m["first_offerer_points"] == {"n": 2, "mean": 40, "sd": pytest.approx(math.sqrt(800))}
    assert m["recipient_points"] == {"n": 2, "mean": 25, "sd": pytest.approx(math.sqrt(450))}
    assert m["joint"] == {"n": 2, "mean": 65, "sd": pytest.approx(math.sqrt(2450))}
    assert m["time_to_agreement_s"] == {"n": 1, "mean": 100, "sd": None}  # impasses excluded
    assert single["pareto_optimal"] == {"n": 1, "count": 1, "rate": 1.0}
    assert single["impasse"] == {"n": 2, "count": 1, "rate": 0.5}

    meso = rows["meso"]
    assert (meso["negotiations"], meso["open"], meso["finished"]) == (3, 1, 2)
    m = meso["measures"]
    # the open negotiation's counteroffer counts: 50, 10, 40
    assert m["first_counter"] == {"n": 3, "mean": pytest.approx(100 / 3), "sd": pytest.approx(
        math.sqrt(((50 - 100 / 3) ** 2 + (10 - 100 / 3) ** 2 + (40 - 100 / 3) ** 2) / 2))}  # fmt: skip
    assert m["first_offerer_points"]["mean"] == 55
    assert m["recipient_points"]["mean"] == 50
    assert m["joint"] == {"n": 2, "mean": 105, "sd": pytest.approx(math.sqrt(50))}
    assert m["time_to_agreement_s"] == {"n": 2, "mean": 250, "sd": pytest.approx(math.sqrt(5000))}
    assert meso["pareto_optimal"] == {"n": 2, "count": 1, "rate": 0.5}
    assert meso["impasse"] == {"n": 2, "count": 0, "rate": 0.0}

    everyone = rows["all"]
    assert (everyone["finished"], everyone["agreed"], everyone["impasses"]) == (4, 3, 1)
    assert everyone["measures"]["joint"]["mean"] == (100 + 30 + 110 + 100) / 4
    assert everyone["impasse"]["rate"] == 0.25


def test_first_offerer_is_read_from_the_record():
    # the candidate (role 1) opened: its points are the first offerer's
    r = [rec("X", "any", "agreed", [60, 40], first_offerer=1)]
    m = debrief.compare(r)["measures"]
    assert m["first_offerer_points"]["mean"] == 40
    assert m["recipient_points"]["mean"] == 60


def test_an_empty_session_has_empty_measures():
    rows = debrief.comparison([], ["single"])
    assert [r["condition"] for r in rows] == ["single", "all"]
    assert rows[0]["measures"]["joint"] == {"n": 0, "mean": None, "sd": None}
    assert rows[0]["impasse"]["rate"] is None


def test_conditions_keep_the_sessions_order_then_the_rest():
    records = [rec("1", "any", "open"), rec("2", "single", "open")]
    assert debrief.conditions_in(records, ["meso", "single", "meso"]) == ["meso", "single", "any"]
    assert debrief.conditions_in(records) == ["single", "any"]


# ---------------------------------------------------------------- chart data


def test_outcomes_are_the_agreements_only():
    out = debrief.outcomes(CLASS)
    assert [(o["negotiation_id"], o["condition"], o["points"]) for o in out] == [
        ("A", "single", [60, 40]),
        ("C", "meso", [80, 30]),
        ("D", "meso", [30, 70]),
    ]


def test_joint_points_by_condition_flag_impasses():
    joint = debrief.joint_by_condition(CLASS, ["single", "meso"])
    assert joint == {
        "single": [
            {"negotiation_id": "A", "joint": 100, "agreed": True},
            {"negotiation_id": "B", "joint": 30, "agreed": False},
        ],
        "meso": [
            {"negotiation_id": "C", "joint": 110, "agreed": True},
            {"negotiation_id": "D", "joint": 100, "agreed": True},
        ],
    }


def test_anchoring_pairs_first_offer_with_the_first_offerers_final_points():
    a = debrief.anchoring(CLASS, ["single", "meso"])
    assert [
        (p["negotiation_id"], p["first_offer_value"], p["final_points"]) for p in a["pairs"]
    ] == [
        ("A", 110, 60),
        ("B", 80, 20),
        ("C", 95, 80),
        ("D", 85, 30),
    ]
    # single: (110, 60), (80, 20): slope 40 / 30
    assert a["fits"]["single"]["slope"] == pytest.approx(4 / 3)
    assert a["fits"]["single"]["intercept"] == pytest.approx(60 - 4 / 3 * 110)
    assert a["fits"]["meso"]["slope"] == pytest.approx(5)  # (95, 80), (85, 30)


def test_option_frequencies_per_issue_and_condition():
    issues = debrief.option_frequencies(CLASS, DOC, ["single", "meso"])
    assert [i["id"] for i in issues] == ["salary", "start"]
    salary = {o["id"]: o for o in issues[0]["options"]}
    assert issues[0]["agreements"] == 3
    assert salary["high"]["count"] == 1 and salary["high"]["share"] == pytest.approx(1 / 3)
    assert salary["mid"]["count"] == 2
    assert salary["mid"]["by_condition"] == {
        "single": {"count": 0, "share": 0.0},
        "meso": {"count": 2, "share": 1.0},
    }
    assert salary["low"] == {
        "id": "low",
        "label": "Low",
        "count": 0,
        "share": 0.0,
        "by_condition": {"single": {"count": 0, "share": 0.0}, "meso": {"count": 0, "share": 0.0}},
    }
    start = {o["id"]: o for o in issues[1]["options"]}
    assert (start["soon"]["count"], start["late"]["count"]) == (1, 2)


def test_option_frequencies_without_a_scenario_list_what_was_agreed():
    issues = debrief.option_frequencies(CLASS)
    assert [(i["id"], [o["id"] for o in i["options"]]) for i in issues] == [
        ("salary", ["high", "mid"]),
        ("start", ["late", "soon"]),
    ]


def test_summary_holds_every_part():
    s = debrief.summary(CLASS, conditions=["single", "meso"], scenario=DOC)
    assert s["conditions"] == ["single", "meso"]
    assert s["counts"] == {
        "single": {"negotiations": 2, "open": 0, "agreed": 1, "impasses": 1},
        "meso": {"negotiations": 3, "open": 1, "agreed": 2, "impasses": 0},
    }
    assert [m["key"] for m in s["measures"]] == [k for k, _ in debrief.MEASURES]
    for key in ("comparison", "outcomes", "joint", "anchoring", "options"):
        assert key in s


def test_signature_changes_when_a_negotiation_does():
    a = debrief.signature(CLASS)
    assert a == debrief.signature(list(reversed(CLASS)))
    changed = [dict(r) for r in CLASS]
    changed[4]["status"] = "agreed"
    assert debrief.signature(changed) != a


# ---------------------------------------------------------------- records from both sources


def finished_meso():
    return play(
        "n1",
        "meso",
        ("employer", "propose", {"packages": [MID_SOON, HIGH_LATE]}, 5),  # 80 and 60 to employer
        (
            "candidate",
            "propose",
            {"packages": [MID_LATE], "based_on": {"offer_id": "n1-1", "package": 1}},
            20,
        ),
        ("employer", "accept", {"offer_id": "n1-2", "package": 0}, 45),
    )


def test_records_from_a_session_view():
    st = finished_meso()
    view = {
        "negotiations": [
            {
                "negotiation_id": "n1",
                "round": 2,
                "condition": "meso",
                "roles": ["employer", "candidate"],
                "status": st.status,
                "end_reason": "accepted",
                "offers_count": 2,
                "agreement": st.outcome.package,
                "points": list(st.outcome.points),
                "metrics": scoring.score(st),
            }
        ]
    }
    (r,) = debrief.records_from_view(view)
    assert r["round"] == 2 and r["status"] == "agreed" and r["points"] == [30, 70]
    assert r["first_offerer"] == 0
    assert r["first_offer_value"] == 70  # the mean of 80 and 60
    assert r["first_counter"] == 30  # MID_LATE is worth 30 to the employer
    assert r["duration_s"] == 45
    assert r["agreement"] == MID_LATE
    assert r["pareto_optimal"] is True


def test_records_from_export_rows_read_csv_text():
    text = (
        "negotiation_id,condition,round,role_0,role_1,first_mover,status,end_reason,agreement,"
        "points_0,points_1,pareto_optimal,first_offer_value_to_proposer,"
        "first_counter_value_to_first_offerer,duration_s,offers_count\n"
        'n1,meso,1,employer,candidate,employer,agreed,accepted,"{""salary"":""mid"",""start"":""late""}",'
        "30,70,true,70,30,45.5,2\n"
        "n2,single,1,employer,candidate,candidate,impasse,walked_away,,20,10,,,,12,1\n"
        "n3,single,2,employer,candidate,employer,open,,,,,,90,,,1\n"
    )
    a, b, c = debrief.records_from_rows(csv.DictReader(io.StringIO(text)))
    assert a["agreement"] == {"salary": "mid", "start": "late"}
    assert a["points"] == [30, 70] and a["pareto_optimal"] is True and a["duration_s"] == 45.5
    assert a["first_offer_value"] == 70 and a["first_counter"] == 30
    assert b["status"] == "impasse" and b["points"] == [20, 10] and b["first_offerer"] == 1
    assert b["pareto_optimal"] is None and b["agreement"] is None and b["first_counter"] is None
    assert c["status"] == "open" and c["points"] is None and c["round"] == 2
    rows = {r["condition"]: r for r in debrief.comparison([a, b, c])}
    assert rows["single"]["impasse"]["rate"] == 1.0
    # the candidate opened n2: its BATNA 10 is the first offerer's points
    assert rows["single"]["measures"]["first_offerer_points"]["mean"] == 10


def test_both_sources_agree_on_the_same_negotiation():
    st = finished_meso()
    metrics = scoring.score(st)
    from_view = debrief.records_from_view(
        [
            {
                "negotiation_id": "n1",
                "round": 1,
                "condition": "meso",
                "roles": ["employer", "candidate"],
                "status": st.status,
                "end_reason": "accepted",
                "offers_count": 2,
                "agreement": st.outcome.package,
                "points": list(st.outcome.points),
                "metrics": metrics,
            }
        ]
    )
    row = dict(metrics, round=1)
    from_rows = debrief.records_from_rows([row])
    assert debrief.summary(from_view, scenario=DOC) == debrief.summary(from_rows, scenario=DOC)


# ---------------------------------------------------------------- the path of one negotiation


def test_path_of_a_meso_negotiation():
    p = debrief.path_from_state(finished_meso())
    assert p["roles"] == ["employer", "candidate"] and p["status"] == "agreed"
    assert p["outcome"] == {
        "reason": "accepted",
        "package": MID_LATE,
        "points": [30, 70],
        "by": "employer",
    }
    first, counter = p["offers"]
    assert first["seq"] == 1 and first["by"] == "employer" and first["by_index"] == 0
    assert [pk["points"] for pk in first["packages"]] == [[80, 30], [60, 40]]
    assert first["centre"] == [70, 35]
    assert first["accepted"] is None
    assert counter["by_index"] == 1 and counter["centre"] == [30, 70]
    assert counter["based_on"] == {"offer_id": "n1-1", "package": 1}
    assert counter["accepted"] == 0


def test_path_of_an_open_negotiation_and_of_one_without_offers():
    st = play("n2", "single", ("employer", "propose", {"packages": [HIGH_SOON]}, 1))
    p = debrief.path_from_state(st)
    assert p["outcome"] is None and p["status"] == "open"
    assert p["offers"][0]["packages"][0] == {"index": 0, "package": HIGH_SOON, "points": [110, 0]}
    empty = debrief.path_from_state(play("n3", "any", ("candidate", "walk_away", {}, 2)))
    assert empty["offers"] == [] and empty["outcome"]["reason"] == "walked_away"
    assert empty["outcome"]["points"] == [20, 10]


def test_path_matches_the_accepted_package_by_points_without_packages():
    steps = debrief.path(
        [
            {"seq": 1, "by": "employer", "points": [[80, 30], [60, 40]]},
        ],
        roles=["employer", "candidate"],
        outcome={"reason": "accepted", "package": LOW_SOON, "points": [60, 40]},
    )
    assert steps[0]["accepted"] == 1
