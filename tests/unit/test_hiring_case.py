"""The seed's own hiring case (scenarios/hiring-meso.json): the manager's packages A, B and C of
the article are worth the same to the manager, the candidate values salary most, and the
manager's opening MESO of exactly A, B and C is accepted by the rules (PROTOCOL, issue 13)."""

from __future__ import annotations

import json

from game.core import equivalence
from game.core.protocols import offers
from game.core.scenario import parse
from game.paths import ROOT

SC = parse(json.loads((ROOT / "scenarios" / "hiring-meso.json").read_text(encoding="utf-8")))
REST = {"signing_bonus": "none", "start_date": "4-weeks", "training": "2k"}
A = {"salary": "100k", "remote": "1-day", "contract": "3-years", **REST}
B = {"salary": "95k", "remote": "1-day", "contract": "2-years", **REST}
C = {"salary": "90k", "remote": "2-days", "contract": "1-year", **REST}
T0 = 1_000_000.0


def value(role: int, package: dict) -> float:
    return sum(next(o for o in i.options if o.id == package[i.id]).points[role] for i in SC.issues)


def test_a_b_and_c_are_equal_to_the_manager_and_differ_for_the_candidate():
    assert SC.role_ids[0] == "manager" and SC.first_mover == "manager"
    assert value(0, A) == value(0, B) == value(0, C)
    assert len({value(1, A), value(1, B), value(1, C)}) == 3
    # the candidate values salary most: its range is the widest of the candidate's issues
    spans = {i.id: max(o.points[1] for o in i.options) - min(o.points[1] for o in i.options)
             for i in SC.issues}  # fmt: skip
    assert max(spans, key=spans.get) == "salary"


def test_the_managers_opening_meso_of_exactly_a_b_and_c_is_accepted():
    state = offers.new_state("n1", SC, "meso", started_at=T0, time_limit_s=SC.time_limit_s)
    action = offers.parse_action("propose", {"packages": [A, B, C]})
    events = offers.apply(state, "manager", action, T0 + 5)
    state = offers.replay(state, events)
    (offer,) = state.offers
    assert [dict(p) for p in offer.packages] == [A, B, C]
    assert {pts[0] for pts in offer.points} == {value(0, A)}
    # and the candidate may take any of the three
    done = offers.replay(
        state,
        offers.apply(
            state, "candidate", offers.parse_action("accept", {"offer_id": offer.id, "package": 2}),
            T0 + 9,
        ),
    )  # fmt: skip
    assert done.outcome.reason == "accepted" and dict(done.outcome.package) == C


def test_the_analysis_finds_more_packages_equivalent_to_a_for_the_manager():
    found = equivalence.equivalent_packages(
        SC, "manager", value(0, A), SC.meso_tolerance, 3, include=A, spread=SC.meso_tolerance
    )
    assert found[0] == A and len(found) == 3
    assert all(abs(value(0, p) - value(0, A)) <= SC.meso_tolerance for p in found)
