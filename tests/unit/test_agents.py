"""Each strategy's behaviour as a spec, on every shipped scenario and condition.

Agents play each other through the protocol (``game.core.agents.play``); every view an agent is
given is checked for the other role's numbers; the views it gets equal the protocol's own.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest

from game.core import agents
from game.core.agents import AgentError, Step
from game.core.agents.model import model
from game.core.agents.play import agent_view, play
from game.core.agents.strategies import curve
from game.core.equivalence import equivalent
from game.core.protocols import offers
from game.core.scenario import load_dir
from game.paths import SCENARIOS

SCENARIOS_ALL = load_dir(SCENARIOS)
STRATEGIES = ("boulware", "linear", "conceder", "tit_for_tat", "meso", "scripted", "pss_improver")
T0 = 1_800_000_000.0


def new(sc, condition="any", **kw):
    return offers.new_state("n_test", sc, condition, started_at=T0, **kw)


def secrets_of(sc, role):
    """What an agent of ``role`` must never be given: the other role's brief, BATNA and points
    (as the JSON of numbers that appear only in the other role's column)."""
    k = 1 - sc.role_index(role)
    other = sc.roles[k]
    mine = {o.points[1 - k] for i in sc.issues for o in i.options}
    theirs = {o.points[k] for i in sc.issues for o in i.options} - mine
    return other.brief, other.batna, theirs


def check_private(sc):
    def watch(role, view):
        brief, batna, only_theirs = secrets_of(sc, role)
        text = json.dumps(view)
        assert brief not in text
        sv = view["negotiation"]["scenario"]
        assert sv["batna"] == sc.role(role).batna
        assert set(sv) == set(sc.role_view(role))  # its own table, nothing more
        k = sc.role_index(role)
        for issue, real in zip(sv["issues"], sc.issues, strict=True):
            for o, ro in zip(issue["options"], real.options, strict=True):
                assert set(o) == {"id", "label", "points"}
                assert o["points"] == ro.points[k]  # its own column only
        for o in view["negotiation"]["offers"]:
            assert o["points"] == [sc.value(x, role) for x in o["packages"]]
        assert not only_theirs & {o["points"] for i in sv["issues"] for o in i["options"]}
        assert "debrief" not in text or view["negotiation"]["debrief"] is None
        watch.seen += 1

    watch.seen = 0
    return watch


@pytest.mark.parametrize("sc", SCENARIOS_ALL, ids=lambda s: s.id)
@pytest.mark.parametrize("a", STRATEGIES)
@pytest.mark.parametrize("condition", ["any", "single", "meso"])
def test_every_pair_ends_by_the_rules_and_never_sees_the_other_side(sc, a, condition):
    for b in ("boulware", "meso", "scripted"):
        watch = check_private(sc)
        st = new(sc, condition, time_limit_s=sc.time_limit_s)
        p = play(offers, st, (agents.make(a), agents.make(b)), seed=3, index=0, watch=watch)
        assert not p.state.is_open and watch.seen == p.views > 0
        o = p.state.outcome
        if o.reason == "accepted":  # a rational agent never accepts below its BATNA
            assert o.points[0] >= sc.batnas[0] and o.points[1] >= sc.batnas[1]
        # every offer made obeyed the condition (apply checked it; here the shape)
        if condition == "single":
            assert all(len(x.packages) == 1 for x in p.state.offers)


@pytest.mark.parametrize("sc", SCENARIOS_ALL, ids=lambda s: s.id)
@pytest.mark.parametrize("name", ["boulware", "linear", "conceder", "meso", "scripted"])
def test_concessions_are_monotone_over_time(sc, name):
    """An agent's own offers never ask more than its previous one (its own points)."""
    st = new(sc, "any", max_offers=30)
    p = play(offers, st, (agents.make(name), agents.make("boulware", {"e": 0.05})), seed=1, index=0)
    k = 0
    mine = [min(pt[k] for pt in o.points) for o in p.state.offers if o.by == sc.role_ids[k]]
    assert len(mine) >= 3
    assert all(b <= a + 1e-9 for a, b in zip(mine, mine[1:], strict=False)), mine


def test_the_curves_order_boulware_linear_conceder():
    for t in (0.1, 0.3, 0.5, 0.8):
        assert curve(t, 0.2, 0) < curve(t, 1.0, 0) < curve(t, 2.0, 0)
    assert curve(0, 0.2, 0) == 0 and curve(1, 0.2, 0) == 1 and curve(1, 2.0, 0) == 1
    assert curve(0, 1.0, 0.3) == pytest.approx(0.3)


def test_boulware_keeps_more_than_conceder_early():
    sc = next(s for s in SCENARIOS_ALL if s.id == "job-offer")
    st = new(sc, "any", max_offers=20)
    first = {}
    for name in ("boulware", "linear", "conceder"):
        p = play(offers, st, (agents.make(name), agents.make("boulware")), seed=1, index=0)
        mine = [o.points[0][0] for o in p.state.offers if o.by == sc.role_ids[0]]
        first[name] = mine[2]
    assert first["boulware"] >= first["linear"] >= first["conceder"]
    assert first["boulware"] > first["conceder"]


@pytest.mark.parametrize("sc", SCENARIOS_ALL, ids=lambda s: s.id)
def test_meso_offers_are_equivalent_by_the_protocols_own_check_and_differ(sc):
    st = new(sc, "any")
    p = play(offers, st, (agents.make("meso"), agents.make("boulware")), seed=2, index=0)
    mine = [o for o in p.state.offers if o.by == sc.role_ids[0]]
    assert any(len(o.packages) >= 2 for o in mine)
    for o in mine:
        values = [pt[0] for pt in o.points]
        assert equivalent(values, sc.meso_tolerance)
        assert len({json.dumps(x, sort_keys=True) for x in o.packages}) == len(o.packages)


def view_for(sc, state, role, now=None):
    return agent_view(offers, state, role, T0 if now is None else now, "them")


def offer_from(sc, state, role, package, now):
    ev = offers.apply(
        state, role, {"type": "propose", "packages": [package], "based_on": None}, now
    )
    return offers.replay(state, ev)


def best_for(sc, role):
    k = sc.role_index(role)
    return {i.id: max(i.options, key=lambda o: o.points[k]).id for i in sc.issues}


def worst_for(sc, role):
    k = sc.role_index(role)
    return {i.id: min(i.options, key=lambda o: o.points[k]).id for i in sc.issues}


SC = next(s for s in SCENARIOS_ALL if s.id == "job-offer")
FIRST, SECOND = SC.role_ids


def test_ac_next_accepts_an_offer_worth_at_least_its_own_next_offer():
    st = new(SC, "any")
    st = offer_from(SC, st, FIRST, best_for(SC, SECOND), T0)
    a = agents.make("linear")
    step = a.act(view_for(SC, st, SECOND), {}, random.Random(1), T0)
    assert step.kind == "accept" and step.payload == {"offer_id": st.latest.id, "package": 0}
    st2 = offer_from(SC, new(SC, "any"), FIRST, worst_for(SC, SECOND), T0)
    step = a.act(view_for(SC, st2, SECOND), {}, random.Random(1), T0)
    assert step.kind == "propose"


def test_ac_const_accepts_at_the_level_and_not_below():
    st = offer_from(SC, new(SC, "any"), FIRST, best_for(SC, FIRST), T0)
    value = SC.value(best_for(SC, FIRST), SECOND)
    take = agents.make("boulware", {"accept": "AC_const", "accept_level": value})
    leave = agents.make("boulware", {"accept": "AC_const", "accept_level": value + 1})
    if value >= SC.role(SECOND).batna:
        assert take.act(view_for(SC, st, SECOND), {}, random.Random(1), T0).kind == "accept"
    assert leave.act(view_for(SC, st, SECOND), {}, random.Random(1), T0).kind == "propose"


def test_ac_time_accepts_only_after_its_time():
    sc = replace(SC, max_offers=100)
    st = new(sc, "any", time_limit_s=100)
    package = SC.compromise()
    st = offer_from(sc, st, FIRST, package, T0 + 1)
    a = agents.make("boulware", {"accept": "AC_time", "accept_time": 0.5})
    assert SC.value(package, SECOND) >= SC.role(SECOND).batna
    assert a.act(view_for(sc, st, SECOND, T0 + 20), {}, random.Random(1), T0 + 20).kind == "propose"
    assert a.act(view_for(sc, st, SECOND, T0 + 60), {}, random.Random(1), T0 + 60).kind == "accept"


def test_walk_away_when_no_offer_is_left_and_the_last_is_below_the_batna():
    sc = replace(SC, max_offers=1)
    st = offer_from(sc, new(sc, "any"), FIRST, best_for(SC, FIRST), T0)
    assert SC.value(best_for(SC, FIRST), SECOND) < SC.role(SECOND).batna
    for name in STRATEGIES:
        step = agents.make(name).act(view_for(sc, st, SECOND), {}, random.Random(1), T0)
        assert step.kind == "walk_away", name


def test_scripted_walk_away_rule_below():
    st = offer_from(SC, new(SC, "any"), FIRST, worst_for(SC, SECOND), T0)
    level = SC.value(worst_for(SC, SECOND), SECOND) + 1
    a = agents.make("scripted", {"walk_away": "below", "walk_level": level})
    assert a.act(view_for(SC, st, SECOND), {}, random.Random(1), T0).kind == "walk_away"


def test_deadline_respected_and_only_on_its_turn():
    st = new(SC, "any", time_limit_s=60)
    for name in STRATEGIES:
        a = agents.make(name)
        assert a.act(view_for(SC, st, FIRST, T0 + 60), {}, random.Random(1), T0 + 60) is None
        assert a.act(view_for(SC, st, SECOND), {}, random.Random(1), T0) is None  # not its turn
        assert a.act({"phase": "lobby", "negotiation": None}, {}, random.Random(1), T0) is None
    p = play(offers, st, (agents.make("boulware"), agents.make("boulware")), seed=1, index=0,
             think=(5, 10))  # fmt: skip
    assert all(o.at < st.deadline for o in p.state.offers)


@pytest.mark.parametrize("opening", ["single", "meso"])
@pytest.mark.parametrize("level", ["extreme", "moderate"])
def test_scripted_openings(opening, level):
    st = new(SC, "any")
    a = agents.make("scripted", {"opening": opening, "level": level})
    step = a.act(view_for(SC, st, FIRST), {}, random.Random(1), T0)
    assert step.kind == "propose"
    pk = step.payload["packages"]
    assert (len(pk) >= 2) == (opening == "meso")
    m = model(view_for(SC, st, FIRST)["negotiation"])
    values = [m.value(p) for p in pk]
    assert equivalent(values, SC.meso_tolerance)
    share = (min(values) - m.reservation) / (m.best - m.reservation)
    assert share >= {"extreme": 0.9, "moderate": 0.55}[level]
    if level == "moderate":
        assert share < 0.8


def test_scripted_schedule_and_greeting():
    st = new(SC, "any")
    a = agents.make("scripted", {"greeting": "Hello!", "schedule": [0.5, 0.2]})
    step = a.act(view_for(SC, st, FIRST), {}, random.Random(1), T0)
    assert step == Step("chat", {"text": "Hello!"}, wait=0)
    assert [a.keep(n) for n in range(4)] == [0.95, 0.5, 0.2, 0.2]


def test_tit_for_tat_mirrors_the_other_sides_concession():
    sc = replace(SC, max_offers=50)
    k = sc.role_index(SECOND)
    order = sorted(
        ({i.id: o.id for i, o in zip(sc.issues, c, strict=True)} for c in _some(sc)),
        key=lambda p: sc.points(p)[k],
    )
    for mode in ("absolute", "relative"):
        a = agents.make("tit_for_tat", {"mode": mode, "min_step": 0})
        st = offer_from(sc, new(sc, "any"), FIRST, order[0], T0)
        st = offer_from(sc, st, SECOND, best_for(sc, SECOND), T0)
        # the first role does not concede: the same offer again
        st = offer_from(sc, st, FIRST, order[0], T0)
        step = a.act(view_for(sc, st, SECOND), {}, random.Random(1), T0)
        held = model(view_for(sc, st, SECOND)["negotiation"]).value(step.payload["packages"][0])
        assert held == sc.value(best_for(sc, SECOND), SECOND)  # no concession for none
        st = offer_from(sc, st, SECOND, step.payload["packages"][0], T0)
        st = offer_from(sc, st, FIRST, order[len(order) // 2], T0)  # a concession
        step = a.act(view_for(sc, st, SECOND), {}, random.Random(1), T0)
        assert step.kind in ("propose", "accept")
        if step.kind == "propose":
            assert sc.value(step.payload["packages"][0], SECOND) < held


def _some(sc):
    import itertools

    return itertools.islice(itertools.product(*(i.options for i in sc.issues)), 0, None, 37)


def test_the_simulations_views_equal_the_protocols_views():
    sc = SC
    st = new(sc, "meso", time_limit_s=600)
    seen = []

    def watch(role, view):
        seen.append((role, view, view["server_time"]))

    p = play(offers, st, (agents.make("meso"), agents.make("linear")), seed=4, index=0, watch=watch)
    events = [e for _, e in p.events]
    assert len(seen) == p.views > 5
    for role, view, now in seen:
        neg = view["negotiation"]
        want = (len(neg["offers"]), len(neg["chat"]))
        # the state the view was built from: the first fold with as many offers and chat lines
        state = st
        for e in events:
            if (len(state.offers), len(state.chat)) == want:
                break
            state = offers.fold(state, e)
        partner = "agent 2" if role == FIRST else "agent 1"
        assert view == agent_view(offers, state, role, now, partner)


@pytest.mark.parametrize(
    ("name", "params", "words"),
    [
        ("nope", None, ["unknown strategy 'nope'"]),
        ("boulware", {"e": 0}, ["'e'", "from 0.01"]),
        ("boulware", {"e": "x"}, ["'e'", "a number"]),
        ("boulware", {"speed": 1}, ["unknown parameter 'speed'"]),
        ("tit_for_tat", {"mode": "sideways"}, ["'mode'", "relative, absolute"]),
        ("tit_for_tat", {"delta": 1.5}, ["'delta'", "whole number"]),
        ("meso", {"count": 4}, ["'count'", "from 2 to 3"]),
        ("scripted", {"schedule": [1.5]}, ["'schedule'"]),
        ("scripted", {"accept": "AC_time"}, ["'accept'"]),
        ("linear", [1], ["parameters must be an object"]),
    ],
)
def test_bad_strategies_and_parameters_are_named(name, params, words):
    with pytest.raises(AgentError) as e:
        agents.make(name, params)
    for w in words:
        assert w in str(e.value)


def test_register_needs_a_name_and_act():
    class NoName:
        def act(self, view, memory, rng, now):
            return None

    class NoAct:
        name = "x"

    with pytest.raises(AgentError, match="name"):
        agents.register(NoName)
    with pytest.raises(AgentError, match="act"):
        agents.register(NoAct)


def test_the_example_of_docs_agents_md_loads_plays_and_is_under_30_lines(tmp_path):
    import re as re_mod

    from game.paths import DOCS
    from game.server.agents import load_agents_file

    text = (DOCS / "agents.md").read_text()
    code = re_mod.search(r"```python\n(.*?)```", text, re_mod.S).group(1)
    assert len(code.rstrip("\n").split("\n")) < 30
    f = tmp_path / "my_agents.py"
    f.write_text(code)
    try:
        assert load_agents_file(f) == ["halfway"]
        for sc in SCENARIOS_ALL:
            watch = check_private(sc)
            st = new(sc, "any", time_limit_s=sc.time_limit_s)
            p = play(offers, st, (agents.make("halfway"), agents.make("conceder")), seed=1,
                     index=0, watch=watch)  # fmt: skip
            assert not p.state.is_open and watch.seen
            mine = [o for o in p.state.offers if o.by == sc.role_ids[0]]
            goal = (max(model(view_for(sc, st, sc.role_ids[0])["negotiation"]).best, 0)
                    + sc.batnas[0]) / 2  # fmt: skip
            assert all(o.points[0][0] >= goal for o in mine)
    finally:
        agents.REGISTRY.pop("halfway", None)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("import no_such_module_xyz\n", ["failed to import", "no_such_module_xyz"]),
        ("x = 1\n", ["no agent class"]),
        (
            "class A:\n    name = 'linear'\n    def act(self, *a):\n        return None\n",
            ["shipped"],
        ),
        ("def broken(:\n", ["failed to import", "SyntaxError"]),
    ],
)
def test_an_agents_file_that_cannot_be_used_is_named(tmp_path, text, words):
    from game.server.agents import AgentFileError, load_agents_file

    f = tmp_path / "bad_agents.py"
    f.write_text(text)
    with pytest.raises(AgentFileError) as e:
        load_agents_file(f)
    assert "bad_agents.py" in str(e.value)
    for w in words:
        assert w in str(e.value)
    assert agents.REGISTRY["linear"] is agents.strategies.SHIPPED["linear"]
    with pytest.raises(AgentFileError, match="no such file"):
        load_agents_file(tmp_path / "missing.py")
