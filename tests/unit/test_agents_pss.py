"""The ``pss_improver`` strategy in the post-settlement phase (game/core/agents/improver.py), on the
widgets scenario of test_rules (buyer's points first). The agent plays the seller; the buyer's
offers before the deal keep delivery fast and warranty long and concede on price, so the
frequency model's estimate of the buyer is right: P_BEST (high, fast, long) is better for both
than the first deal P_MID (40, 30) and the only package that is.
"""

from __future__ import annotations

import json

from game.core import agents, analysis
from game.core.protocols import pss
from game.core.scenario import parse
from tests.unit.test_rules import P_MID, P_SELLER, SC, T0, scenario_doc

P_BEST = {"price": "high", "delivery": "fast", "warranty": "long"}  # (50, 40)
B_FIRST = {"price": "low", "delivery": "fast", "warranty": "long"}  # (90, 0)
B_NEXT = {"price": "mid", "delivery": "fast", "warranty": "long"}  # (70, 20)


def act(st, role, kind, payload, now):
    return pss.replay(st, pss.apply(st, role, pss.parse_action(kind, payload), now))


def dealt(deal=P_MID, sc=SC, condition="any", options=None):
    """Buyer B_FIRST, seller P_SELLER, buyer B_NEXT, seller ``deal``; the buyer accepts it."""
    st = pss.new_state("n1", sc, condition, started_at=T0, time_limit_s=600, options=options)
    for i, (role, p) in enumerate(
        [("buyer", B_FIRST), ("seller", P_SELLER), ("buyer", B_NEXT), ("seller", deal)]
    ):
        st = act(st, role, "propose", {"packages": [p]}, T0 + 1 + i)
    return act(st, "buyer", "accept", {"offer_id": "n1-4", "package": 0}, T0 + 6)


def step(st, role="seller", agent=None, now=T0 + 20):
    agent = agent or agents.make("pss_improver")
    view = {"negotiation": pss.view(st, role, partner={"name": "X", "connected": True})}
    return agent.act(view, {}, None, now)


def test_the_first_deal_is_not_pareto_optimal_and_the_proposal_is_better_for_both():
    st = dealt()
    assert SC.points(P_MID) == (40, 30) and st.in_phase
    assert not analysis.is_pareto_optimal(SC, SC.points(P_MID), frontier=analysis.frontier(SC))
    s = step(st)
    assert s.kind == "propose" and s.payload == {"packages": [P_BEST]}
    for p in s.payload["packages"]:  # checked with the true tables, which the agent never saw
        assert SC.value(p, "seller") > SC.value(P_MID, "seller")
        assert SC.value(p, "buyer") > SC.value(P_MID, "buyer")
    # through the protocol's own apply: a pss_proposed event, and the buyer's acceptance
    events = pss.apply(st, "seller", pss.parse_action(s.kind, s.payload), T0 + 21)
    assert [e["type"] for e in events] == ["pss_proposed"]
    st = pss.replay(st, events)
    assert step(st) is None  # its proposal waits for the answer
    st = act(st, "buyer", "accept", {"offer_id": "n1-p1", "package": 0}, T0 + 22)
    assert st.phase.deal == P_BEST and st.phase.points == (50, 40)
    s = step(st)  # now on the frontier by its estimate (and in truth): it closes the phase
    assert (s.kind, s.payload) == ("close_phase", {})
    st = pss.replay(st, pss.apply(st, "seller", pss.parse_action(s.kind, s.payload), T0 + 23))
    assert not st.is_open and st.outcome.package == P_BEST
    assert st.phase.closed == {"reason": "closed", "by": "seller", "at": T0 + 23}


def test_it_closes_the_phase_when_the_deal_is_on_the_frontier():
    st = dealt(deal=P_BEST)
    assert analysis.is_pareto_optimal(SC, SC.points(P_BEST), frontier=analysis.frontier(SC))
    s = step(st)
    assert (s.kind, s.payload) == ("close_phase", {})


def test_it_closes_after_max_declines_and_never_proposes_a_package_twice():
    deal = {"price": "low", "delivery": "slow", "warranty": "long"}  # (60, 10)

    def declined(n, agent):
        st, proposed = dealt(deal=deal, condition="single"), []
        for i in range(1, n + 1):
            s = step(st, agent=agent, now=T0 + 20 + 2 * i)
            assert s.kind == "propose" and s.payload["packages"][0] not in proposed
            assert SC.value(s.payload["packages"][0], "seller") > 10
            proposed += s.payload["packages"]
            st = act(st, "seller", s.kind, s.payload, T0 + 20 + 2 * i)
            st = act(st, "buyer", "decline", {"offer_id": f"n1-p{i}"}, T0 + 21 + 2 * i)
        assert st.phase.deal == deal  # declines change nothing
        return step(st, agent=agent, now=T0 + 40)

    s = declined(1, agents.make("pss_improver", {"max_declines": 1}))
    assert (s.kind, s.payload) == ("close_phase", {})
    s = declined(1, agents.make("pss_improver"))  # the default, 2: it still has one to offer
    assert s.kind == "propose"
    s = declined(2, agents.make("pss_improver", {"max_declines": 5}))
    assert (s.kind, s.payload) == ("close_phase", {})  # nothing better left by its estimate


def test_it_answers_what_waits_for_it_and_does_nothing_after_the_deadline():
    st = dealt()
    st = act(st, "buyer", "propose", {"packages": [P_BEST]}, T0 + 10)
    s = step(st)
    assert (s.kind, s.payload) == ("accept", {"offer_id": "n1-p1", "package": 0})
    assert step(dealt(), now=st.deadline) is None


def test_before_the_deal_it_plays_like_linear():
    st = pss.new_state("n1", SC, "any", started_at=T0, time_limit_s=600)
    st = act(st, "buyer", "propose", {"packages": [B_FIRST]}, T0 + 1)
    view = {"negotiation": pss.view(st, "seller", partner={"name": "X", "connected": True})}
    a = agents.make("pss_improver").act(view, {}, None, T0 + 2)
    b = agents.make("linear").act(view, {}, None, T0 + 2)
    assert a == b and a.kind == "propose"


def test_it_never_reads_the_other_roles_numbers():
    """The seller's decisions are the same whatever the buyer's table, brief and BATNA; its view
    holds none of the buyer's numbers."""
    doc = scenario_doc()
    doc["roles"][0].update(brief="A secret brief.", batna=7)
    for issue in doc["issues"]:
        for k, o in enumerate(issue["options"]):
            o["points"]["buyer"] = 1000 + 17 * k + len(issue["id"])
    other = parse(doc)
    for deal in (P_MID, P_BEST):
        views = []
        for sc in (SC, other):
            st = dealt(deal=deal, sc=sc)
            view = {"negotiation": pss.view(st, "seller", partner={"name": "X", "connected": True})}
            views.append(view)
            assert step(st) == agents.make("pss_improver").act(view, {}, None, T0 + 20)
        assert views[0] == views[1]  # nothing of the buyer's table reaches the seller's view
        text = json.dumps(views[1])
        assert "A secret brief." not in text and '"batna": 7' not in text
        assert not any(str(1000 + 17 * k + n) in text for k in range(3) for n in (5, 8))
    assert step(dealt(sc=SC)) == step(dealt(sc=other))


def test_a_meso_where_the_condition_allows_holds_equivalent_packages_better_for_both():
    sc = parse(scenario_doc(meso_tolerance=20))
    st = dealt(sc=sc)
    s = step(st)
    values = [sc.value(p, "seller") for p in s.payload["packages"]]
    assert s.kind == "propose" and max(values) - min(values) <= 20
    assert all(v > 30 for v in values)
    st = act(st, "seller", s.kind, s.payload, T0 + 21)  # the protocol's check accepts it
    assert st.phase.pending == "n1-p1"
    single = step(dealt(sc=sc, condition="single"))
    assert len(single.payload["packages"]) == 1


def test_it_is_registered_with_its_parameter_checked():
    assert "pss_improver" in agents.names()
    try:
        agents.make("pss_improver", {"max_declines": 0})
    except agents.AgentError as e:
        assert "max_declines" in str(e)
    else:
        raise AssertionError("max_declines 0 was accepted")


def test_through_the_runner_an_agent_improves_a_deal_with_a_scripted_human(tmp_path):
    """A practice session with the phase: the human asks for its ideal, then offers a package
    the agent accepts (worth at least its BATNA) but that wastes the start date (two weeks are
    better for both); in the phase the agent proposes, the human accepts what is better for it
    and declines the rest. The roles are drawn: the human's packages follow its role."""
    from tests.unit.test_agent_runner import Runner, human, make_world, run

    w = make_world(tmp_path)
    hub = w.hub
    code = hub.create_session(
        {
            "scenario": "job-offer",
            "protocol": "pss",
            "agents": {
                "mode": "practice",
                "strategy": "pss_improver",
                "params": {"accept": "AC_const", "accept_level": 0},
                "think_s": [1, 2],
            },
        }
    )
    pid, sid = human(hub, code)
    runner = Runner(hub, lambda _: None)
    run(w, runner, 3)
    n = hub.current(hub.participant(pid))
    sc = n.state.scenario
    me = sc.role_ids[n.participants.index(pid)]
    agent_pid = next(x for x in n.participants if x != pid)
    if me == "employer":
        ideal = {"salary": "88k", "signing_bonus": "none", "remote": "0-days",
                 "contract": "1-year", "start_date": "2-weeks", "vacation": "20-days"}  # fmt: skip
        wasteful = {"salary": "100k", "signing_bonus": "8k", "remote": "3-days",
                    "contract": "2-years", "start_date": "8-weeks", "vacation": "26-days"}  # fmt: skip
    else:
        ideal = {"salary": "104k", "signing_bonus": "16k", "remote": "4-days",
                 "contract": "permanent", "start_date": "2-weeks", "vacation": "30-days"}  # fmt: skip
        wasteful = {"salary": "92k", "signing_bonus": "4k", "remote": "2-days",
                    "contract": "2-years", "start_date": "8-weeks", "vacation": "23-days"}  # fmt: skip
    first = sc.points(wasteful)
    assert first in ((4600, 8000), (7800, 4600))
    for package in (ideal, wasteful):
        if n.state.turn != me:
            run(w, runner, 3)
        assert n.state.turn == me
        answer, _ = hub.act(sid, "propose", {"packages": [package]})
        assert answer["ok"], answer
        run(w, runner, 3)
    assert n.state.phase is not None and n.state.phase.first[0] == wasteful
    for _ in range(30):  # the human answers each proposal by its own points
        if not n.state.is_open:
            break
        ph = n.state.phase
        if ph.pending is not None and n.state.turn == me:
            o = ph.proposal(ph.pending)
            k = sc.role_index(me)
            best = max(range(len(o.packages)), key=lambda j: o.points[j][k])
            if o.points[best][k] > ph.points[k]:
                answer, _ = hub.act(sid, "accept", {"offer_id": o.id, "package": best})
            else:
                answer, _ = hub.act(sid, "decline", {"offer_id": o.id})
            assert answer["ok"], answer
        run(w, runner, 3)
    assert not n.state.is_open
    ph = n.state.phase
    assert (
        ph.points[0] > first[0] and ph.points[1] > first[1]
    )  # better for both than the first deal
    assert ph.closed["by"] in (sc.other(me), None)
    rows = w.store.read(
        "SELECT participant_id, type FROM events WHERE negotiation_id = ? AND type LIKE 'pss_%'",
        [n.id],
    )
    proposers = {r["participant_id"] for r in rows if r["type"] == "pss_proposed"}
    assert proposers == {agent_pid}
    assert any(r["type"] == "pss_accepted" and r["participant_id"] == pid for r in rows)
