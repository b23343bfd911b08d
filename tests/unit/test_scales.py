"""Questionnaire scales by condition (game.core.scales) and the debrief's reads of them."""

from __future__ import annotations

import math

import pytest

from game.core import scales
from game.server import reads
from tests.unit.test_study_flow import answer_page, enter, stage, study_session, world  # noqa: F401


def test_mean_and_95_percent_interval_use_students_t():
    m = scales.mean_ci([4.0, 5.0, 6.0])
    assert m["n"] == 3 and m["mean"] == 5.0 and m["sd"] == pytest.approx(1.0)
    half = 4.303 * 1.0 / math.sqrt(3)
    assert m["ci"] == pytest.approx([5 - half, 5 + half])
    assert scales.mean_ci([3.0]) == {"n": 1, "mean": 3.0, "sd": None, "ci": None}
    assert scales.mean_ci([])["mean"] is None
    assert scales.t95(35) == 2.042 and scales.t95(500) == 1.96


def test_by_condition_separates_all_raters_from_the_first_offers_recipients():
    rows = [
        ("meso", True, {"coop": 6.0}),
        ("meso", False, {"coop": 4.0}),
        ("single", True, {"coop": 3.0}),
        ("single", True, {"coop": 5.0, "trust": 2.0}),
    ]
    (coop, trust) = scales.by_condition(rows, ["meso", "single", "meso"])
    assert coop["scale"] == "coop" and trust["scale"] == "trust"
    assert coop["groups"]["all"]["meso"]["mean"] == 5.0
    assert coop["groups"]["recipients"]["meso"]["mean"] == 6.0
    assert coop["groups"]["recipients"]["single"]["n"] == 2
    assert trust["groups"]["all"]["meso"]["n"] == 0


def test_the_debrief_reads_the_scales_of_ended_negotiations(world):  # noqa: F811
    _, hub, _, _ = world
    code = study_session(hub, consent=None)
    a, _ = enter(hub, code, "A", "sa")
    b, _ = enter(hub, code, "B", "sb")
    assert reads.scales(hub, code) == []  # nothing ended yet
    n = hub.current(hub.participant(a))
    sid = {a: "sa", b: "sb"}
    hub.act(sid[n.participants[0]], "walk_away", {})
    answer_page(hub, "sa", a, {"coop_1": 7, "coop_2": 7, "coop_3": 1})
    (coop, *_rest) = [s for s in reads.scales(hub, code) if s["scale"] == "cooperativeness"]
    cond = n.state.condition
    assert coop["groups"]["all"][cond] == {"n": 1, "mean": 7.0, "sd": None, "ci": None}
    # no offer was made: nobody received a first offer
    assert coop["groups"]["recipients"][cond]["n"] == 0
    assert stage(hub, a)["stage"] == "questionnaire"
