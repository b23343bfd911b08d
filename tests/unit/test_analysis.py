"""The outcome-space analysis against brute force over every package of small scenarios."""

from __future__ import annotations

import json
import math
from itertools import combinations, product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.core import analysis, equivalence, frontier
from game.core.equivalence import equivalent
from game.core.scenario import parse

# ------------------------------------------------------------------ building scenarios


def scenario(tables, batnas=(0, 0), *, meso_tolerance=100):
    """A scenario from point tables: ``tables[i][j] = (points role a, points role b)``."""
    return parse(
        {
            "id": "test",
            "title": "Test",
            "description": "",
            "roles": [
                {"id": "a", "name": "A", "brief": "", "batna": batnas[0]},
                {"id": "b", "name": "B", "brief": "", "batna": batnas[1]},
            ],
            "issues": [
                {
                    "id": f"i{n}",
                    "name": f"Issue {n}",
                    "options": [
                        {"id": f"o{m}", "label": f"Option {m}", "points": {"a": p0, "b": p1}}
                        for m, (p0, p1) in enumerate(table)
                    ],
                }
                for n, table in enumerate(tables)
            ],
            "first_mover": "a",
            "max_packages": 3,
            "meso_tolerance": meso_tolerance,
            "time_limit_s": None,
            "max_offers": 12,
        }
    )


INTS = st.integers(min_value=-6, max_value=10)  # a narrow range, so ties are common
FLOATS = st.one_of(
    st.sampled_from([-2.5, -1.0, 0.0, 0.1, 0.2, 0.3, 0.7, 1.5, 3.75, 10.0]),
    st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False),
)


@st.composite
def tables(draw, values=None):
    values = values or st.one_of(INTS, FLOATS)
    kind = draw(st.sampled_from(["int", "float", "mixed"]))
    pick = {"int": INTS, "float": FLOATS, "mixed": values}[kind]
    n = draw(st.integers(min_value=1, max_value=4))
    return [draw(st.lists(st.tuples(pick, pick), min_size=2, max_size=4)) for _ in range(n)]


@st.composite
def scenarios(draw):
    t = draw(tables())
    batnas = draw(st.tuples(st.integers(-10, 30), st.integers(-10, 30)))
    return scenario(t, batnas)


# ------------------------------------------------------------------ brute force


def packages(sc):
    for choice in product(*(i.options for i in sc.issues)):
        yield {i.id: o.id for i, o in zip(sc.issues, choice, strict=True)}


def all_points(sc):
    return [sc.points(p) for p in packages(sc)]


def dominates(p, q):
    return p[0] >= q[0] and p[1] >= q[1] and (p[0] > q[0] or p[1] > q[1])


def brute_frontier(sc):
    pts = set(all_points(sc))
    return sorted(p for p in pts if not any(dominates(q, p) for q in pts))


def brute_nash_product(sc):
    b0, b1 = sc.batnas
    products = [(p0 - b0) * (p1 - b1) for p0, p1 in all_points(sc) if p0 >= b0 and p1 >= b1]
    return max(products) if products else None


# ------------------------------------------------------------------ properties

SETTINGS = settings(max_examples=250, deadline=None)


@SETTINGS
@given(scenarios())
def test_frontier_equals_brute_force(sc):
    assert analysis.frontier(sc) == brute_frontier(sc)


@SETTINGS
@given(scenarios())
def test_no_package_dominates_a_frontier_point_and_every_package_is_covered(sc):
    front = analysis.frontier(sc)
    pts = all_points(sc)
    for f in front:
        assert not any(dominates(p, f) for p in pts)
    for p in pts:
        assert any(f == p or dominates(f, p) for f in front)
    # each pair once, sorted by role 0 ascending, so role 1 strictly descending
    assert all(a[0] < b[0] and a[1] > b[1] for a, b in zip(front, front[1:], strict=False))


@SETTINGS
@given(scenarios())
def test_frontier_packages_give_their_points(sc):
    fp = analysis.frontier_packages(sc)
    assert [tuple(x["points"]) for x in fp] == analysis.frontier(sc)
    for x in fp:
        assert sc.package_problem(x["package"]) is None
        assert list(sc.points(x["package"])) == x["points"]


@SETTINGS
@given(scenarios())
def test_nash_equals_brute_force(sc):
    best = brute_nash_product(sc)
    got = analysis.nash(sc)
    if best is None:
        assert got is None
        return
    b0, b1 = sc.batnas
    p0, p1 = sc.points(got["package"])
    assert [p0, p1] == got["points"]
    assert p0 >= b0 and p1 >= b1
    assert got["product"] == (p0 - b0) * (p1 - b1) == best


@SETTINGS
@given(scenarios())
def test_max_joint_and_ranges_equal_brute_force(sc):
    pts = all_points(sc)
    mj = analysis.max_joint(sc)
    assert mj["joint"] == max(p0 + p1 for p0, p1 in pts)
    assert list(sc.points(mj["package"])) == mj["points"]
    assert mj["points"][0] + mj["points"][1] == mj["joint"]
    r = analysis.ranges(sc)
    assert r == [[min(p[0] for p in pts), max(p[0] for p in pts)],
                 [min(p[1] for p in pts), max(p[1] for p in pts)]]  # fmt: skip
    assert analysis.outcomes(sc) == len(pts)


@SETTINGS
@given(scenarios())
def test_scoring_helpers_agree_with_brute_force(sc):
    pts = set(all_points(sc))
    front = analysis.frontier(sc)
    for p in pts:
        optimal = not any(dominates(q, p) for q in pts)
        assert analysis.is_pareto_optimal(sc, p) is optimal
        assert analysis.is_pareto_optimal(sc, list(p), frontier=front) is optimal
        gain = max([(q[0] + q[1]) - (p[0] + p[1]) for q in pts if q[0] >= p[0] and q[1] >= p[1]])
        assert analysis.dominating_gain(sc, p) == gain
        assert analysis.dominating_gain(sc, p, frontier=front) == gain
        dist = min(math.hypot(f[0] - p[0], f[1] - p[1]) for f in front)
        assert analysis.distance_to_frontier(sc, p) == dist
        if optimal:
            assert dist == 0
    # a point beyond everything dominates nothing and is "optimal" (nothing beats it)
    far = (max(p[0] for p in pts) + 1, max(p[1] for p in pts) + 1)
    assert analysis.is_pareto_optimal(sc, far)
    assert analysis.dominating_gain(sc, far) == 0


@SETTINGS
@given(
    scenarios(),
    st.sampled_from(["a", "b"]),
    st.integers(0, 8),
    st.integers(1, 3),
    st.data(),
)
def test_equivalent_packages_are_distinct_complete_and_within_tolerance(
    sc, role, tolerance, count, data
):
    every = list(packages(sc))
    include = data.draw(st.sampled_from(every))
    target = sc.value(include, role) + data.draw(st.sampled_from([0, 0, 1, -2]))
    exclude = data.draw(st.lists(st.sampled_from(every), max_size=3))
    got = equivalence.equivalent_packages(
        sc, role, target, tolerance, count, include=include, exclude=exclude
    )
    assert len(got) <= count
    keys = [tuple(sorted(p.items())) for p in got]
    assert len(set(keys)) == len(keys)
    for p in got:
        assert sc.package_problem(p) is None
        assert abs(sc.value(p, role) - target) <= tolerance
        assert p not in exclude
    in_band = [
        p for p in every if abs(sc.value(p, role) - target) <= tolerance and p not in exclude
    ]
    # small scenarios are searched exhaustively: as many as there are, up to count
    assert len(got) == min(count, len(in_band))
    if include in in_band:
        assert got[0] == include
    if len(got) >= 2:
        # the second package is as far (in issues) from the first as any candidate
        def ham(p, q):
            return sum(p[k] != q[k] for k in p)

        best = max(ham(p, got[0]) for p in in_band if p != got[0])
        assert ham(got[1], got[0]) == best


@SETTINGS
@given(scenarios(), st.sampled_from(["a", "b"]), st.integers(0, 6), st.integers(0, 6))
def test_equivalent_packages_keep_within_spread(sc, role, tolerance, spread):
    """Within ``spread`` by the MESO rule (game.core.equivalence: a relative allowance for
    decimal points that add up to the same value)."""
    target = analysis.ranges(sc)[sc.role_index(role)][0] + tolerance
    got = equivalence.equivalent_packages(sc, role, target, tolerance, 3, spread=spread)
    values = [sc.value(p, role) for p in got]
    if values:
        assert equivalent(values, spread)
        assert all(abs(v - target) <= tolerance for v in values)


# ------------------------------------------------------------------ issue kinds


@pytest.mark.parametrize(
    ("table", "kind"),
    [
        ([(0, 0), (1, 1), (2, 2)], "compatible"),  # same direction
        ([(0, 4000), (400, 1000), (800, 0)], "integrative"),
        ([(4, 4), (4, 4)], "compatible"),  # nobody cares
        ([(5, 0), (5, 3), (1, 1)], "compatible"),  # one option best for both, rest mixed
        ([(0, 3), (0, 3), (2, 2)], "integrative"),  # ties, then opposed at 1:2
        ([(0, 4000), (1000, 3000), (2000, 2000), (4000, 0)], "distributive"),
        ([(0, 400), (200, 200), (400, 0)], "distributive"),
        ([(-300, 300), (0, 0), (300, -300)], "distributive"),  # negatives, sum constant
        ([(0, 1000), (500, 490), (1000, 0)], "distributive"),  # within 5% of 1:1
        ([(0, 1000), (500, 400), (1000, 0)], "integrative"),  # 10% off: a concave middle
        ([(0, 1600), (2000, 800), (4000, 0)], "integrative"),  # 1:2.5 trade-off rate
        ([(0, 400), (4000, 0)], "integrative"),
        ([(0, 10), (6, 6), (10, 0), (1, 1)], "integrative"),  # dominated option ignored
        ([(0, 10), (5, 5), (10, 0), (1, 1)], "distributive"),  # dominated option ignored
        ([(0.0, 1.5), (0.75, 0.75), (1.5, 0.0)], "distributive"),
    ],
)
def test_issue_kinds_on_hand_made_tables(table, kind):
    sc = scenario([table])
    assert analysis.issue_kind(sc, sc.issues[0]) == kind
    assert analysis.issue_kind(sc, "i0") == kind


def test_issue_kind_of_an_unknown_issue_is_a_key_error():
    sc = scenario([[(0, 1), (1, 0)]])
    with pytest.raises(KeyError):
        analysis.issue_kind(sc, "nope")


# ------------------------------------------------------------------ edge cases


def test_one_issue():
    sc = scenario([[(0, 5), (3, 3), (2, 2), (5, 0)]], batnas=(1, 1))
    assert analysis.outcomes(sc) == 4
    assert analysis.frontier(sc) == [(0, 5), (3, 3), (5, 0)]
    n = analysis.nash(sc)
    assert n["points"] == [3, 3] and n["product"] == 4
    assert n["package"] == {"i0": "o1"}


def test_all_equal_points_give_one_frontier_point():
    sc = scenario([[(1, 1), (1, 1)], [(2, 2), (2, 2), (2, 2)]])
    assert analysis.frontier(sc) == [(3, 3)]
    assert len(analysis.frontier_packages(sc)) == 1
    assert analysis.max_joint(sc)["joint"] == 6
    assert [i["kind"] for i in analysis.analyze(sc)["issues"]] == ["compatible", "compatible"]


def test_nobody_can_reach_the_batnas_so_there_is_no_nash():
    sc = scenario([[(0, 5), (5, 0)], [(0, 1), (1, 0)]], batnas=(5, 5))
    assert analysis.nash(sc) is None
    assert analysis.analyze(sc)["nash"] is None
    assert "Nash: none" in analysis.report(sc)


def test_nash_at_the_batnas_exactly_has_product_zero():
    sc = scenario([[(0, 5), (5, 0)]], batnas=(5, 0))
    n = analysis.nash(sc)
    assert n["points"] == [5, 0] and n["product"] == 0


def test_weakly_dominated_points_are_not_on_the_frontier():
    sc = scenario([[(1, 3), (2, 3), (2, 1), (0, 0)]])
    assert analysis.frontier(sc) == [(2, 3)]


def test_compromise_is_the_middle_option_of_every_issue():
    sc = scenario([[(0, 4), (1, 3), (2, 2), (3, 1)], [(0, 2), (1, 1), (2, 0)]])
    c = analysis.compromise(sc)
    assert c["package"] == {"i0": "o1", "i1": "o1"}
    assert c["points"] == [2, 4]


def test_twenty_issues_of_six_options_without_enumerating():
    tables_ = [
        [((n * 7 + m * 13) % 50 * 10, (n * 11 + (5 - m) * 17) % 50 * 10) for m in range(6)]
        for n in range(20)
    ]
    sc = scenario(tables_)
    assert analysis.outcomes(sc) == 6**20
    fp = analysis.frontier_packages(sc)
    assert fp and all(list(sc.points(x["package"])) == x["points"] for x in fp)
    mj = analysis.max_joint(sc)
    assert mj["joint"] == max(p0 + p1 for p0, p1 in analysis.frontier(sc))
    got = equivalence.equivalent_packages(sc, "a", fp[len(fp) // 2]["points"][0], 50, 3)
    assert len(got) == 3


def test_analyze_is_json_and_report_is_text():
    sc = scenario([[(0, 400), (200, 200), (400, 0)], [(0, 0), (100, 50)]], batnas=(100, 100))
    a = analysis.analyze(sc)
    for key in ("outcomes", "max_joint", "pareto", "nash", "roles", "batnas", "compromise",
                "max_joint_package", "issues", "ranges", "frontier_size"):  # fmt: skip
        assert key in a
    assert json.loads(json.dumps(a)) == a
    assert a["outcomes"] == 6
    assert a["max_joint"] == 550
    assert a["pareto"] == [[100, 450], [300, 250], [500, 50]]
    assert a["roles"] == ["a", "b"]
    assert [i["kind"] for i in a["issues"]] == ["distributive", "compatible"]
    text = analysis.report(sc)
    assert "Max joint: 550" in text and "distributive" in text and "(300, 250)" in text


def test_report_shortens_a_long_frontier():
    sc = scenario([[(m, 9 - m) for m in range(10)], [(10 * m, 10 * (9 - m)) for m in range(10)]])
    a = analysis.analyze(sc)
    assert a["frontier_size"] == 100
    assert "more ..." in analysis.report(sc)


def test_outcome_cloud_small_is_every_point_and_large_is_sampled_with_the_frontier():
    sc = scenario([[(0, 2), (1, 1), (2, 0)], [(0, 0), (1, 1)]])
    assert analysis.outcome_cloud(sc) == [list(p) for p in sorted(set(all_points(sc)))]
    big = scenario([[(m, 5 - m) for m in range(6)]] * 8)
    cloud = analysis.outcome_cloud(big, limit=200)
    assert cloud == analysis.outcome_cloud(big, limit=200)
    assert {tuple(p) for p in cloud} >= set(analysis.frontier(big))
    assert len(cloud) <= 200 + len(analysis.frontier(big))


def test_equivalent_packages_leave_out_an_include_outside_the_band():
    sc = scenario([[(0, 0), (10, 0)], [(0, 0), (1, 0)]])
    got = equivalence.equivalent_packages(sc, "a", 0, 1, 3, include={"i0": "o1", "i1": "o0"})
    assert {"i0": "o1", "i1": "o0"} not in got
    assert sorted(sc.value(p, "a") for p in got) == [0, 1]


def test_pairs_of_equivalent_packages_differ_on_every_issue_when_they_can():
    sc = scenario([[(0, 0), (1, 0), (2, 0)]] * 4)
    got = equivalence.equivalent_packages(
        sc, "a", 4, 0, 3, include={f"i{n}": "o1" for n in range(4)}
    )
    assert len(got) == 3
    for p, q in combinations(got, 2):
        assert sum(p[k] != q[k] for k in p) == 4


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(INTS, INTS), min_size=2, max_size=5), min_size=1, max_size=5))
def test_packed_integer_merge_gives_the_same_frontier_and_packages_as_the_tuple_merge(t):
    sc = scenario(t, (0, 0))
    packed = frontier.build_int(sc)
    real = frontier.all_int
    try:
        frontier.all_int = lambda _sc: False  # force the general (tuple) path
        general = frontier.build(sc)
    finally:
        frontier.all_int = real
    assert packed.points == general.points
    assert [packed.choice(k) for k in range(len(packed.points))] == [
        general.choice(k) for k in range(len(general.points))
    ]
