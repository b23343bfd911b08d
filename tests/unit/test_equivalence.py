"""One equivalence rule (game/core/equivalence.py) for the offer's check, the suggestions and the
analysis: the shared cases of tests/cases/equivalence.json, and a property tying the suggestions
to the rule that checks the offer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.core import analysis
from game.core.equivalence import equivalent
from game.core.protocols import offers
from game.core.protocols.common import RuleError
from game.core.scenario import parse

CASES = json.loads((Path(__file__).parents[1] / "cases" / "equivalence.json").read_text())["cases"]
T0 = 1_000_000.0


def summed(points: list[float]) -> float:
    s = 0  # left to right from 0, as Scenario.points sums a package
    for x in points:
        s += x
    return s


def case_scenario(case: dict) -> tuple:
    """A scenario whose packages are worth the case's sums to role ``a``: issue ``i`` has one
    option per distinct ``i``-th point (packages padded with 0). (scenario, packages)."""
    width = max(len(p) for p in case["packages"])
    rows = [list(p) + [0] * (width - len(p)) for p in case["packages"]]
    issues, columns = [], []
    for i in range(width):
        values = list(dict.fromkeys(r[i] for r in rows))
        values += [v for v in (10**6, 10**6 + 1) if v not in values][: max(0, 2 - len(values))]
        columns.append(values)
        issues.append(
            {
                "id": f"i{i}",
                "name": f"Issue {i}",
                "options": [
                    {"id": f"o{j}", "label": f"{v}", "points": {"a": v, "b": 0}}
                    for j, v in enumerate(values)
                ],
            }
        )
    sc = parse(
        {
            "id": "case",
            "title": "Case",
            "description": "",
            "roles": [
                {"id": "a", "name": "A", "brief": "", "batna": 0},
                {"id": "b", "name": "B", "brief": "", "batna": 0},
            ],
            "issues": issues,
            "first_mover": "a",
            "max_packages": 3,
            "meso_tolerance": case["tolerance"],
            "time_limit_s": None,
            "max_offers": 4,
        }
    )
    packages = [{f"i{i}": f"o{columns[i].index(v)}" for i, v in enumerate(r)} for r in rows]
    return sc, packages


def test_the_cases_file_is_not_empty():
    assert len(CASES) >= 10
    assert {c["equivalent"] for c in CASES} == {True, False}


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_the_rule_gives_each_cases_verdict(case):
    values = [summed(p) for p in case["packages"]]
    assert equivalent(values, case["tolerance"]) is case["equivalent"]


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_the_offers_check_and_the_suggestions_agree_with_each_case(case):
    sc, packages = case_scenario(case)
    assert [sc.value(p, "a") for p in packages] == [summed(p) for p in case["packages"]]
    distinct = len({json.dumps(p, sort_keys=True) for p in packages}) == len(packages)
    if distinct and 2 <= len(packages) <= sc.max_packages:
        state = offers.new_state("n", sc, "any", started_at=T0)
        action = {"type": "propose", "packages": packages, "based_on": None}
        if case["equivalent"]:
            assert offers.apply(state, "a", action, T0 + 1)[0]["type"] == "proposed"
        else:
            with pytest.raises(RuleError) as e:
                offers.apply(state, "a", action, T0 + 1)
            assert e.value.code == "not_equivalent"
    # the suggestions refuse exactly the sets the rule refuses
    found = analysis.suggest(sc, "a", packages, sc.max_packages)
    assert (found is not None) is case["equivalent"]


# ---------------------------------------------------------------- suggestions are accepted

# decimal points, so that sums that should be equal may differ in the last bits
POINTS = [0, 0.1, 0.2, 0.3, 0.7, 1, 1.1, 2.5, 3, 10, 100.1, -0.1, -0.3]


@st.composite
def scenarios(draw):
    issues = [
        {
            "id": f"i{i}",
            "name": f"Issue {i}",
            "options": [
                {
                    "id": f"o{j}",
                    "label": f"O{j}",
                    "points": {"a": draw(st.sampled_from(POINTS)), "b": 0},
                }
                for j in range(draw(st.integers(2, 4)))
            ],
        }
        for i in range(draw(st.integers(1, 4)))
    ]
    return parse(
        {
            "id": "random",
            "title": "Random",
            "description": "",
            "roles": [
                {"id": "a", "name": "A", "brief": "", "batna": 0},
                {"id": "b", "name": "B", "brief": "", "batna": 0},
            ],
            "issues": issues,
            "first_mover": "a",
            "max_packages": draw(st.integers(2, 3)),
            "meso_tolerance": draw(st.sampled_from([0, 0.1, 0.3, 1, 2.5, 100])),
            "time_limit_s": None,
            "max_offers": 4,
        }
    )


@st.composite
def asks(draw):
    sc = draw(scenarios())
    choices = st.fixed_dictionaries(
        {i.id: st.sampled_from([o.id for o in i.options]) for i in sc.issues}
    )
    given_ = draw(
        st.lists(
            choices,
            min_size=1,
            max_size=sc.max_packages,
            unique_by=lambda p: tuple(sorted(p.items())),
        )
    )
    count = draw(st.integers(1, 4))
    return sc, [sc.normalize(p) for p in given_], count


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(asks())
def test_every_suggested_set_with_the_given_packages_is_accepted_by_the_offers_check(ask):
    sc, given_, count = ask
    found = analysis.suggest(sc, "a", given_, count)
    values = [sc.value(p, "a") for p in given_]
    if found is None:
        assert not equivalent(values, sc.meso_tolerance)
        return
    assert equivalent(values, sc.meso_tolerance)
    offer = given_ + found
    assert len(offer) <= max(len(given_), min(sc.max_packages, max(1, count)))
    assert all(p not in given_ for p in found)
    state = offers.new_state("n", sc, "any", started_at=T0)
    action = offers.parse_action("propose", {"packages": offer})
    events = offers.apply(state, "a", action, T0 + 1)  # raises RuleError if refused
    assert events[0]["type"] == "proposed"
    assert len(events[0]["packages"]) == len(offer)
    # and the answer the builder gets says the same
    answer = offers.suggest(state, "a", {"packages": given_, "count": count})
    assert answer == {
        "ok": True,
        "packages": found,
        "points": [sc.value(p, "a") for p in found],
        "target": values[0],
    }
