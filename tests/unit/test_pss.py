"""The post-settlement protocol (game/core/protocols/pss.py): the phase's rules, its views' privacy
and its measures, on the widgets scenario of test_rules (buyer's points first):

    P_LOW  (40, 15)  the first deal of these tests (not Pareto-optimal)
    P_WIN  (50, 25)  better for both than P_LOW
    P_BEST (50, 40)  better for both, on the frontier
    P_SELLER (0, 55) worse for the buyer
"""

from __future__ import annotations

import json

import pytest

from game.core import analysis, requests
from game.core.protocols import pss, pss_measures
from game.core.protocols.common import RuleError
from game.core.scenario import parse
from tests.unit.test_rules import P_LOW, P_MID, P_SELLER, SC, T0, scenario_doc

P_WIN = {"price": "mid", "delivery": "fast", "warranty": "short"}
P_BEST = {"price": "high", "delivery": "fast", "warranty": "long"}


def start(condition="any", options=None, sc=SC):
    return pss.new_state("n1", sc, condition, started_at=T0, time_limit_s=600, options=options)


def act(state, role, kind, payload=None, now=T0 + 10):
    events = pss.apply(state, role, pss.parse_action(kind, payload), now)
    return pss.replay(state, events)


def refused(state, role, kind, payload=None, now=T0 + 10) -> str:
    with pytest.raises(RuleError) as info:
        pss.apply(state, role, pss.parse_action(kind, payload), now)
    return info.value.code


def dealt(condition="any", options=None, sc=SC):
    """A negotiation whose first deal is P_LOW (the seller accepted the buyer's offer)."""
    st = start(condition, options, sc)
    first = [P_LOW, P_MID] if condition == "meso" else [P_LOW]  # a MESO opens in meso
    st = act(st, "buyer", "propose", {"packages": first}, now=T0 + 1)
    return act(st, "seller", "accept", {"offer_id": "n1-1", "package": 0}, now=T0 + 2)


def propose(st, role, *packages, now=T0 + 10):
    return act(st, role, "propose", {"packages": list(packages)}, now=now)


def test_the_packages_are_worth_what_the_docstring_says():
    assert [SC.points(p) for p in (P_LOW, P_WIN, P_BEST, P_SELLER)] == [
        (40, 15), (50, 25), (50, 40), (0, 55),
    ]  # fmt: skip
    front = analysis.frontier(SC)
    assert not analysis.is_pareto_optimal(SC, (40, 15), frontier=front)
    assert analysis.is_pareto_optimal(SC, (50, 40), frontier=front)


def test_the_first_deal_opens_the_phase_instead_of_ending_the_negotiation():
    st = dealt(options={"time_limit_s": 120, "max_offers": 4})
    assert st.is_open and st.status == "open" and st.outcome is None
    assert st.in_phase and st.phase.deal == P_LOW and st.phase.points == (40, 15)
    assert st.deadline == T0 + 2 + 120  # the phase's own limit, from the deal
    assert st.turn is None  # either side may propose


def test_the_deal_changes_only_on_an_acceptance():
    st = dealt()
    st = propose(st, "seller", P_WIN)
    assert st.phase.deal == P_LOW and st.turn == "buyer"
    st = act(st, "buyer", "decline", {"offer_id": "n1-p1"})
    assert st.phase.deal == P_LOW and st.phase.pending is None
    st = propose(st, "buyer", P_WIN)
    st = propose(st, "seller", P_BEST)  # a counter
    assert st.phase.deal == P_LOW
    assert [a["answer"] for a in st.phase.answers] == ["declined", "countered"]
    st = act(st, "buyer", "accept", {"offer_id": "n1-p3", "package": 0})
    assert st.phase.deal == P_BEST and st.phase.points == (50, 40) and st.is_open
    st = act(st, "seller", "close_phase", {})
    assert not st.is_open and st.status == "agreed"
    assert st.outcome.package == P_BEST and st.outcome.points == (50, 40)
    assert st.outcome.by == "buyer"


@pytest.mark.parametrize("how", ["close_phase", "walk_away"])
def test_closing_keeps_the_deal_in_force(how):
    st = propose(dealt(), "seller", P_WIN)
    st = act(st, "buyer", how, {})
    assert st.outcome.reason == "accepted" and st.outcome.package == P_LOW
    assert st.phase.closed["reason"] == "closed" and st.phase.closed["by"] == "buyer"
    assert refused(st, "seller", "propose", {"packages": [P_BEST]}) == "not_negotiating"


def test_the_instructor_closes_the_phase_and_the_deal_stands():
    st = dealt()
    st = pss.replay(st, pss.end_by_instructor(st, T0 + 20))
    assert st.outcome.package == P_LOW and st.phase.closed == {
        "reason": "instructor", "by": "instructor", "at": T0 + 20,
    }  # fmt: skip


def test_the_offer_limit_refuses_more_and_the_last_answer_closes_the_phase():
    st = dealt(options={"time_limit_s": None, "max_offers": 2})
    assert st.deadline is None
    st = propose(st, "seller", P_WIN)
    st = propose(st, "buyer", P_SELLER)  # the second and last: the counter
    assert refused(st, "seller", "propose", {"packages": [P_BEST]}) == "offer_limit"
    events = pss.apply(st, "seller", pss.parse_action("decline", {"offer_id": "n1-p2"}), T0 + 11)
    assert [e["type"] for e in events] == ["pss_declined", "pss_closed"]
    st = pss.replay(st, events)
    assert st.outcome.package == P_LOW and st.phase.closed["reason"] == "offer_limit"


def test_the_time_limit_closes_the_phase():
    st = dealt(options={"time_limit_s": 60, "max_offers": 5})
    assert pss.due(st, T0 + 61) == []  # 2 + 60: not yet
    assert refused(st, "buyer", "propose", {"packages": [P_WIN]}, now=T0 + 62) == "not_negotiating"
    st = pss.replay(st, pss.due(st, T0 + 62))
    assert st.phase.closed == {"reason": "time", "by": None, "at": T0 + 62}
    assert st.outcome.package == P_LOW and not st.is_open


def test_bad_input_in_the_phase_gets_its_code():
    st = propose(dealt(), "seller", P_WIN)
    # a package the proposal does not hold
    assert refused(st, "buyer", "accept", {"offer_id": "n1-p1", "package": 1}) == "bad_request"
    # an offer of before the deal, or one that does not exist
    assert refused(st, "buyer", "accept", {"offer_id": "n1-1", "package": 0}) == "unknown_offer"
    assert refused(st, "buyer", "decline", {"offer_id": "n1-p9"}) == "unknown_offer"
    # one's own proposal
    assert refused(st, "seller", "accept", {"offer_id": "n1-p1", "package": 0}) == "not_your_turn"
    assert refused(st, "seller", "propose", {"packages": [P_BEST]}) == "not_your_turn"
    # a role of no negotiation here
    assert refused(st, "mediator", "propose", {"packages": [P_BEST]}) == "not_negotiating"
    # the deal in force itself, malformed and unequal packages
    assert refused(st, "buyer", "propose", {"packages": [P_LOW]}) == "invalid_package"
    assert refused(st, "buyer", "propose", {"packages": [{"price": "low"}]}) == "invalid_package"
    assert refused(st, "buyer", "propose", {"packages": [P_WIN, P_SELLER]}) == "not_equivalent"
    assert refused(st, "buyer", "close_phase", {"why": 1}) == "bad_request"
    # before any deal the phase's actions do not exist yet
    assert refused(start(), "buyer", "decline", {"offer_id": "n1-1"}) == "bad_request"
    assert refused(start(), "buyer", "close_phase", {}) == "bad_request"


def test_single_allows_one_package_and_meso_allows_equivalent_ones_in_the_phase():
    st = dealt("single")
    assert refused(st, "buyer", "propose", {"packages": [P_WIN, P_MID]}) == "too_many_packages"
    st = dealt("meso")  # no MESO is required in the phase
    st = propose(st, "seller", P_WIN)
    st = act(dealt("meso"), "seller", "propose", {"packages": [P_BEST, P_MID]})  # 40 and 30
    assert len(st.phase.proposals[0].packages) == 2
    st = act(st, "buyer", "accept", {"offer_id": "n1-p1", "package": 1})
    assert st.phase.deal == P_MID


def test_a_proposal_worth_less_to_its_proposer_is_allowed():
    st = propose(dealt(), "buyer", P_SELLER)  # 0 to the buyer, against 40 in the deal
    pv = pss.view(st, "buyer", partner={})["post_settlement"]["proposals"][0]
    assert (pv["points"], pv["deal_points"]) == ([0], 40)


def test_replaying_the_events_gives_the_same_state():
    st, events = dealt(), []
    for role, kind, payload in [
        ("seller", "propose", {"packages": [P_WIN]}),
        ("buyer", "accept", {"offer_id": "n1-p1", "package": 0}),
        ("buyer", "propose", {"packages": [P_BEST]}),
        ("seller", "accept", {"offer_id": "n1-p2", "package": 0}),
        ("buyer", "close_phase", {}),
    ]:
        new = pss.apply(st, role, pss.parse_action(kind, payload), T0 + 10 + len(events))
        events += new
        st = pss.replay(st, new)
    again = pss.replay(dealt(), events)
    assert again == st and again.phase == st.phase
    assert [e["type"] for e in events] == [
        "pss_proposed", "pss_accepted", "pss_proposed", "pss_accepted", "pss_closed",
    ]  # fmt: skip


# ---------------------------------------------------------------- privacy


def other_side_changed(role: str):
    """The scenario with every number and word of the other role changed."""
    doc = scenario_doc()
    other = "seller" if role == "buyer" else "buyer"
    for r in doc["roles"]:
        if r["id"] == other:
            r["batna"], r["brief"], r["name"] = 7, "another brief", r["name"]
    for issue in doc["issues"]:
        for n, o in enumerate(issue["options"]):
            o["points"][other] = 3 * n + 1
    return parse(doc)


def steps(sc):
    """The states of one negotiation through the phase, on ``sc``."""
    st = dealt(sc=sc)
    out = [st]
    for role, kind, payload in [
        ("seller", "propose", {"packages": [P_WIN]}),
        ("buyer", "decline", {"offer_id": "n1-p1"}),
        ("buyer", "propose", {"packages": [P_BEST, P_WIN]}),
        ("seller", "accept", {"offer_id": "n1-p2", "package": 0}),
        ("seller", "propose", {"packages": [P_SELLER]}),
    ]:
        try:
            st = act(st, role, kind, payload)
        except RuleError as e:  # P_BEST and P_WIN differ by 0 to the buyer here
            pytest.fail(f"{role} {kind}: {e}")
        out.append(st)
    return out


@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_every_view_in_the_phase_reads_only_the_viewers_own_column(role):
    """Privacy by construction: changing every point, BATNA and brief of the other side changes
    nothing that the viewer is shown at any step of the phase."""
    for a, b in zip(steps(SC), steps(other_side_changed(role)), strict=True):
        va = pss.view(a, role, partner={"name": "X", "connected": True})
        vb = pss.view(b, role, partner={"name": "X", "connected": True})
        assert json.dumps(va, sort_keys=True) == json.dumps(vb, sort_keys=True)
        assert va["debrief"] is None
        k = SC.role_index(role)
        ph = va["post_settlement"]
        assert ph["deal"]["points"] == a.phase.points[k]
        for p in ph["proposals"]:
            assert p["points"] == [SC.value(x, role) for x in p["packages"]]


def test_the_deal_in_force_is_shown_to_both_and_each_proposal_against_it():
    st = steps(SC)[-1]
    for role, k in (("buyer", 0), ("seller", 1)):
        ph = pss.view(st, role, partner={})["post_settlement"]
        assert ph["state"] == "open" and ph["deal"]["package"] == P_BEST
        assert ph["deal"]["points"] == (50, 40)[k] and ph["first_deal"]["points"] == (40, 15)[k]
        assert [p["deal_points"] for p in ph["proposals"]] == [(40, 15)[k]] * 2 + [(50, 40)[k]]
        assert [p["answer"] for p in ph["proposals"]] == ["declined", "accepted", None]
        assert ph["pending"] == "n1-p3" and ph["proposals_left"] == 3


def test_before_the_deal_the_view_announces_the_phase_and_after_it_the_debrief_has_the_path():
    v = pss.view(start(options={"time_limit_s": 90, "max_offers": 3}), "buyer", partner={})
    assert v["post_settlement"] == {"state": "upcoming", "time_limit_s": 90, "max_offers": 3}
    st = act(steps(SC)[-1], "buyer", "close_phase", {})
    d = pss.view(st, "buyer", partner={}, analysis=analysis.analyze(SC))["debrief"]
    assert d["post_settlement"]["first"] == [40, 15] and d["post_settlement"]["final"] == [50, 40]
    assert d["post_settlement"]["deals"] == [[40, 15], [50, 40]]
    assert d["points"] == [50, 40]


# ---------------------------------------------------------------- measures and settings


def test_the_phase_measures():
    st = act(steps(SC)[-1], "buyer", "close_phase", {}, now=T0 + 30)
    m = pss_measures.measures(st)
    assert m["first_deal"] == P_LOW and (m["first_deal_points_0"], m["first_deal_points_1"]) == (
        40, 15,
    )  # fmt: skip
    assert m["first_deal_pareto_optimal"] is False and m["first_deal_joint"] == 55
    assert (m["pss_gain_0"], m["pss_gain_1"], m["pss_gain_joint"]) == (10, 25, 35)
    assert m["pss_proposals"] == 3 and m["pss_deals"] == 1
    assert m["pss_final_proposer"] == "buyer"
    assert (m["pss_close_reason"], m["pss_closed_by"], m["pss_duration_s"]) == (
        "closed",
        "buyer",
        28,
    )
    assert list(m) == list(pss_measures.COLUMNS)
    assert pss_measures.measures(start())["post_settlement"] is True
    assert pss_measures.measures(start())["first_deal"] is None


def test_the_session_setting():
    scs = {"widgets": SC}
    st = requests.parse_session({"scenario": "widgets", "post_settlement": {"max_offers": 3}}, scs)
    assert st.protocol == "pss" and st.options == {"time_limit_s": 300, "max_offers": 3}
    st = requests.parse_session({"scenario": "widgets", "protocol": "pss"}, scs)
    assert st.options == pss.DEFAULTS
    with pytest.raises(requests.RequestError) as e:
        requests.parse_session(
            {
                "scenario": "widgets",
                "protocol": "offers",
                "post_settlement": {"time_limit_s": -1, "max_offers": 0, "x": 1},
            },
            scs,
        )
    assert e.value.errors == [
        "post_settlement: only with protocol 'pss', not 'offers'",
    ]
    with pytest.raises(requests.RequestError) as e:
        requests.parse_session(
            {
                "scenario": "widgets",
                "post_settlement": {"time_limit_s": -1, "max_offers": 0, "x": 1},
            },
            scs,
        )
    assert e.value.errors == [
        "post_settlement.x: unknown key",
        "post_settlement.time_limit_s: must be a positive number of seconds up to 3600, or null",
        "post_settlement.max_offers: must be a whole number from 1 to 50",
    ]


# ---------------------------------------------------------------- the hub: recovery and time


def test_the_phase_survives_a_restart_and_its_time_limit_is_kept_by_the_hub(world):  # noqa: F811
    """A pss session over a real SQLite file: the options are stored with the session, the
    phase is rebuilt from the events after reopening, and the hub's tick closes it on time."""
    from tests.unit.test_hub import BEST_FOR_SELLER, arrival_pair
    from tests.unit.test_hub import T0 as HUB_T0

    code, by_role = arrival_pair(world, post_settlement={"time_limit_s": 60, "max_offers": 3})
    hub = world.hub
    (_, s_sid), (b_pid, b_sid) = by_role["seller"], by_role["buyer"]
    oid = hub.act(s_sid, "propose", {"packages": [BEST_FOR_SELLER]})[0]["offer_id"]
    assert hub.act(b_sid, "accept", {"offer_id": oid, "package": 0})[0] == {"ok": True}
    better = {**BEST_FOR_SELLER, "warranty": "warranty2"}  # seller -200, buyer +600
    answer, touched = hub.act(b_sid, "propose", {"packages": [better]})
    assert answer == {"ok": True, "offer_id": f"{hub.view(b_pid)['negotiation']['id']}-p1"}
    before = hub.view(b_pid)["negotiation"]
    hub = world.reopen()
    after = hub.view(b_pid)["negotiation"]
    assert after["post_settlement"] == before["post_settlement"]
    assert after["deadline"] == HUB_T0 + 60 and after["status"] == "open"
    assert hub.session(code).options == {"time_limit_s": 60, "max_offers": 3}
    world.clock.now = HUB_T0 + 61
    hub.tick()
    done = hub.view(b_pid)["negotiation"]
    assert done["status"] == "agreed" and done["outcome"]["package"] == BEST_FOR_SELLER
    assert done["post_settlement"]["closed"] == {"reason": "time", "by": None}
    row = world.rows("SELECT status, end_reason FROM negotiations")[0]
    assert row == {"status": "agreed", "end_reason": "accepted"}


# ---------------------------------------------------------------- computer counterparts


@pytest.mark.parametrize("strategy", ["boulware", "tit_for_tat", "meso", "scripted"])
def test_an_agent_accepts_a_proposal_worth_more_to_it_than_the_deal_and_declines_others(strategy):
    from game.core import agents

    agent = agents.make(strategy)
    st = dealt()  # the seller accepted P_LOW: (40, 15)

    def step_of(state, role):
        view = {"negotiation": pss.view(state, role, partner={"name": "X", "connected": True})}
        return agent.act(view, {}, None, T0 + 20)

    assert step_of(st, "seller") is None  # nothing waits for it: it neither proposes nor closes
    worse = propose(dealt(), "buyer", {"price": "low", "delivery": "slow", "warranty": "long"})
    s = step_of(worse, "seller")  # worth 10 to the seller, against 15 in the deal
    assert (s.kind, s.payload) == ("decline", {"offer_id": "n1-p1"})
    better = propose(st, "buyer", P_WIN)  # 25 to the seller against 15
    s = step_of(better, "seller")
    assert (s.kind, s.payload) == ("accept", {"offer_id": "n1-p1", "package": 0})
    events = pss.apply(better, "seller", pss.parse_action(s.kind, s.payload), T0 + 21)
    assert pss.replay(better, events).phase.deal == P_WIN
    assert step_of(better, "buyer") is None  # its own proposal waits
