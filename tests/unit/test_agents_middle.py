"""Computer counterparts as parties of the protocols with a middle seat
(game/core/agents/middle.py) and the simulation that plays them (game/core/middle_sim.py).

The scenario is tests/unit/test_rules.py's (buyer: best 90, BATNA 10; seller: best 55, BATNA 15):

    price:     low (40, 0)   mid (20, 20)   high (0, 40)
    delivery:  fast (30, 0)  slow (0, 10)
    warranty:  long (20, 0)  short (0, 5)
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from game.core import agents, middle_sim
from game.core.agents import middle
from game.core.middle_sim import party_view, play_middle
from game.core.protocols import mediated, single_text
from game.core.requests import RequestError, parse_session
from game.core.scenario import Issue, Option, Role, load_dir
from game.paths import ROOT
from tests.unit.test_rules import SC, T0

SHIPPED = agents.strategies.SHIPPED
SCENARIOS = load_dir(ROOT / "scenarios")
BUYER_BEST = {"price": "low", "delivery": "fast", "warranty": "long"}  # (90, 0)
MIDDLE = {"price": "mid", "delivery": "fast", "warranty": "long"}  # (70, 20)
POOR = {"price": "high", "delivery": "slow", "warranty": "short"}  # (0, 55)


def do(rules, state, seat, kind, payload, now=T0 + 1):
    return rules.replay(state, rules.apply(state, seat, rules.parse_action(kind, payload), now))


def mediated_with(*packages, max_offers=5, confided=("price",)):
    s = mediated.new_state("n1", SC, "mediated", started_at=T0, max_offers=max_offers)
    if confided:
        s = do(mediated, s, "buyer", "confide", {"issues": list(confided)})
    for n, p in enumerate(packages):
        s = do(mediated, s, "mediator", "propose", {"package": p})
        if n < len(packages) - 1:
            s = do(mediated, s, "seller", "answer", {"proposal_id": s.latest.id, "accept": False})
    return s


def text_with(*packages, max_offers=5):
    s = single_text.new_state("n1", SC, "single_text", started_at=T0, max_offers=max_offers)
    for n, p in enumerate(packages):
        s = do(single_text, s, "facilitator", "draft", {"package": p})
        if n < len(packages) - 1:
            s = do(single_text, s, "seller", "endorse", {"draft_id": s.latest.id})
            marks = {i.id: {"ok": True} for i in SC.issues}
            s = do(single_text, s, "buyer", "mark", {"draft_id": s.latest.id, "marks": marks})
    return s


def step(name, rules, state, role="buyer", params=None, now=T0 + 2):
    agent = agents.make(name, params)
    return agent.act(party_view(rules, state, role, now), {}, None, now)


# ---------------------------------------------------------------- mediated


def test_the_agent_confides_first_all_half_or_none():
    s = mediated.new_state("n1", SC, "mediated", started_at=T0)
    assert step("linear", mediated, s).payload == {"issues": ["price", "delivery", "warranty"]}
    half = step("linear", mediated, s, params={"confide": "half"})
    assert half.kind == "confide" and half.payload == {"issues": ["price", "delivery"]}
    assert step("linear", mediated, s, params={"confide": "none"}) is None  # nothing to answer
    seller = step("boulware", mediated, s, role="seller", params={"confide": "half"})
    assert seller.payload == {"issues": ["price", "delivery"]}  # its spreads: 40, 10, 5


def test_an_open_proposal_is_answered_once_by_its_worth_against_the_target():
    s = mediated_with(MIDDLE)  # worth 70 of the buyer's best 90 at the first proposal
    no = step("linear", mediated, s)
    assert no.kind == "answer" and no.payload["accept"] is False
    assert no.payload["reason"] == "Not enough for us yet: we need more on Price."
    assert "70" not in no.payload["reason"]  # a reason names an issue, never a number
    yes = step("linear", mediated, mediated_with(BUYER_BEST))
    assert yes.payload == {"proposal_id": "n1-m1", "accept": True, "reason": "This works for us."}
    answered = do(mediated, s, "buyer", "answer", no.payload)
    assert step("linear", mediated, answered) is None  # it waits for the next proposal


def test_the_target_falls_over_the_proposals_boulware_last():
    # the same package proposed again and again: worth 70 to the buyer, best 90, BATNA 10
    def first_accepted(name):
        for n in range(1, 6):
            s = mediated_with(*[MIDDLE] * n, max_offers=6)
            if step(name, mediated, s).payload["accept"]:
                return n
        return None

    assert first_accepted("conceder") < first_accepted("linear") < first_accepted("boulware")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_strategys_target_never_rises_and_ends_at_its_reservation(name):
    targets = []
    for n in range(1, 7):
        s = mediated_with(*[POOR] * n, max_offers=6)
        r = middle.reading(party_view(mediated, s, "buyer", T0 + 2), T0 + 2)
        targets.append(max(r.m.reservation, agents.make(name).middle_target(r)))
    assert all(a >= b - 1e-9 for a, b in zip(targets, targets[1:], strict=False)), targets
    assert targets[0] > targets[-1] >= 10
    if name not in ("scripted", "tit_for_tat"):
        assert targets[0] == 90 and targets[-1] == 10  # from its best to its BATNA


def test_tit_for_tat_concedes_more_when_the_proposals_move_its_way():
    def target(*packages):
        s = mediated_with(*packages, max_offers=10)
        r = middle.reading(party_view(mediated, s, "buyer", T0 + 2), T0 + 2)
        return agents.make("tit_for_tat").middle_target(r)

    still = target(POOR, POOR, POOR)
    moving = target(POOR, dict(POOR, price="mid"), dict(POOR, price="low"))
    assert moving < still < 90


def test_the_last_proposal_is_accepted_at_the_batna_else_the_agent_walks():
    last = mediated_with(
        POOR, POOR, {"price": "mid", "delivery": "slow", "warranty": "short"}, max_offers=3
    )
    assert step("boulware", mediated, last).payload["accept"] is True  # 20 >= BATNA 10
    assert step("boulware", mediated, mediated_with(POOR, POOR, POOR, max_offers=3)).kind == (
        "walk_away"
    )
    s = mediated_with(POOR, max_offers=1)
    s = do(mediated, s, "seller", "answer", {"proposal_id": s.latest.id, "accept": False})
    assert step("linear", mediated, s).kind == "walk_away"  # rejected, and none can come


def test_scripted_greets_the_mediator_then_walks_below_its_level():
    params = {"greeting": "Hello, mediator.", "walk_away": "below", "walk_level": 30}
    s = mediated_with(POOR)
    hello = step("scripted", mediated, s, params=params)
    assert hello.kind == "chat" and hello.payload == {"text": "Hello, mediator."}
    s = do(mediated, s, "buyer", "chat", hello.payload)
    assert step("scripted", mediated, s, params=params).kind == "walk_away"  # 0 < 30


# ---------------------------------------------------------------- single text


def test_a_draft_worth_the_target_is_endorsed():
    assert step("linear", single_text, text_with(BUYER_BEST)).kind == "endorse"


def test_a_draft_below_the_target_is_marked_with_the_fewest_changes():
    s = text_with(POOR)  # worth 0 to the buyer; its target at the first draft is its best, 90
    m = step("linear", single_text, s)
    assert m.kind == "mark"
    assert {i: x["option"] for i, x in m.payload["marks"].items()} == BUYER_BEST
    s = text_with(POOR, POOR, MIDDLE, max_offers=5)  # 70; the target at draft 3 of 5 is 50
    assert step("linear", single_text, s).kind == "endorse"
    s = text_with(POOR, {"price": "low", "delivery": "slow", "warranty": "short"}, max_offers=5)
    m = step("linear", single_text, s)  # 40; its target at draft 2 of 5 is 70: one change
    changed = {i: x["option"] for i, x in m.payload["marks"].items() if not x["ok"]}
    assert changed == {"delivery": "fast"}  # the largest gain (30) reaches it alone
    do(single_text, s, "buyer", "mark", m.payload)  # and the protocol takes it


def test_the_last_draft_and_a_draft_already_marked():
    last = text_with(POOR, MIDDLE, max_offers=2)
    assert step("boulware", single_text, last).kind == "endorse"  # 70 >= BATNA 10
    assert step("boulware", single_text, text_with(MIDDLE, POOR, max_offers=2)).kind == (
        "walk_away"
    )
    s = text_with(POOR)
    s = do(single_text, s, "buyer", "mark", step("linear", single_text, s).payload)
    assert step("linear", single_text, s) is None


def test_a_walk_away_when_nothing_in_the_scenario_reaches_the_batna():
    high = replace(SC, roles=(replace(SC.roles[0], batna=95), SC.roles[1]))
    s = single_text.new_state("n1", high, "single_text", started_at=T0)
    s = do(single_text, s, "facilitator", "draft", {"package": BUYER_BEST})
    assert step("linear", single_text, s).kind == "walk_away"


# ---------------------------------------------------------------- whole negotiations


def garbled(sc, role):
    """The scenario with the other role's brief, BATNA and points changed."""
    k = 1 - sc.role_index(role)
    roles = list(sc.roles)
    roles[k] = Role(roles[k].id, roles[k].name, "OTHER-SECRET", roles[k].batna + 7)
    issues = tuple(
        Issue(
            i.id,
            i.name,
            tuple(
                Option(
                    o.id, o.label, tuple(p * 3 + 1 if j == k else p for j, p in enumerate(o.points))
                )
                for o in i.options
            ),
        )
        for i in sc.issues
    )
    return replace(sc, roles=tuple(roles), issues=issues)


def others(state, role):
    return {r: {"name": "Computer", "connected": True} for r in state.seats if r != role}


def with_scenario(state, sc):
    """``state`` played on ``sc`` instead (each proposal's or draft's points recomputed)."""
    field = "proposals" if hasattr(state, "proposals") else "drafts"
    items = tuple(replace(x, points=sc.points(x.package)) for x in getattr(state, field))
    return replace(state, scenario=sc, **{field: items})


@pytest.mark.parametrize("rules", [mediated, single_text])
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_strategy_plays_to_an_end_from_its_own_view_only(rules, name):
    """Every step passes the protocol's apply (play_middle applies each); each view is the
    protocol's own view of the party's seat; built from the same negotiation on a scenario whose
    other role has another brief, BATNA and points, the view is the same, and so is the step."""
    for sc in (SC, *SCENARIOS):
        seen = []
        made = (agents.make(name), agents.make("conceder"))
        state = play_middle(rules, sc, made, watch=lambda *a, seen=seen: seen.append(a))
        assert not state.is_open and seen
        for role, view, got, at in seen:
            neg = view["negotiation"]
            assert neg == rules.view(at, role, others=others(at, role))
            assert neg["seat"] == "party" and neg["scenario"] == sc.role_view(role)
            assert sc.roles[1 - sc.role_index(role)].brief not in json.dumps(view)
            fake = with_scenario(at, garbled(sc, role))
            assert fake.scenario.roles != at.scenario.roles
            assert rules.view(fake, role, others=others(fake, role)) == neg
            again = made[sc.role_index(role)].act(view, {}, None, view["server_time"])
            assert again == got


def test_the_simulation_plays_every_process_with_the_same_agent_pairs():
    rows = middle_sim.run(SCENARIOS, strategies=("boulware", "conceder"))
    assert len(rows) == len(SCENARIOS) * len(middle_sim.PROCESSES) * 4
    for r in rows:
        if r["agreed"]:
            assert r["distance"] >= 0 and 0 < r["efficiency"] <= 1
    pairs = {p: sorted(r["pair"] for r in rows if r["process"] == p) for p in middle_sim.PROCESSES}
    assert len({tuple(v) for v in pairs.values()}) == 1  # the same parties in every process
    assert any(r["agreed"] for r in rows if r["process"] == "single_text")
    table = middle_sim.table(rows)
    assert all(p in table for p in middle_sim.PROCESSES)
    assert middle_sim.run(SCENARIOS[:1], strategies=("linear",)) == middle_sim.run(
        SCENARIOS[:1], strategies=("linear",)
    )  # the same every time


# ---------------------------------------------------------------- sessions


class Halfway:
    name = "halfway-test"

    def act(self, view, memory, rng, now):
        return None


def test_sessions_with_a_middle_seat_take_agents_and_refuse_what_cannot_work():
    scenarios = {sc.id: sc for sc in SCENARIOS}
    body = {"scenario": "job-offer", "protocol": "mediated", "conditions": ["mediated"]}
    ok = parse_session(
        {**body, "middle": "computer", "agents": {"params": {"confide": "half"}}}, scenarios
    )
    assert ok.agents["params"]["confide"] == "half"
    assert parse_session(
        {**body, "middle": "instructor", "agents": {"mode": "practice"}}, scenarios
    )
    for extra, words in [
        ({"agents": {}}, "agents: in mediated a computer counterpart plays a party"),
        (
            {"middle": "computer", "agents": {"mode": "research", "openings": ["single-extreme"]}},
            "agents.openings: the scripted openings are first offers",
        ),
        ({"middle": "computer", "agents": {"params": {"confide": "some"}}}, "agents.params"),
        ({"middle": "computer", "agents": {"strategy": "halfway-test"}}, "does not play mediated"),
    ]:
        agents.REGISTRY["halfway-test"] = Halfway
        try:
            with pytest.raises(RequestError) as info:
                parse_session({**body, **extra}, scenarios)
        finally:
            agents.REGISTRY.pop("halfway-test")
        assert any(words in e for e in info.value.errors), info.value.errors
    Halfway.protocols = ("offers", "mediated")
    agents.REGISTRY["halfway-test"] = Halfway
    try:
        got = parse_session(
            {**body, "middle": "computer", "agents": {"strategy": "halfway-test"}}, scenarios
        )
        assert got.agents["strategy"] == "halfway-test"
    finally:
        agents.REGISTRY.pop("halfway-test")
        del Halfway.protocols
