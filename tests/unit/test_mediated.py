"""The mediated protocol (game/core/protocols/mediated.py): each rule, each error code, and the
privacy of each seat's view. The scenario is tests/unit/test_rules.py's (buyer first):

    price:     low (40, 0)   mid (20, 20)   high (0, 40)
    delivery:  fast (30, 0)  slow (0, 10)
    warranty:  long (20, 0)  short (0, 5)
"""

from __future__ import annotations

import json

import pytest

from game.core import analysis, middle_scoring
from game.core.protocols import mediated
from game.core.protocols.common import RuleError
from game.core.scenario import parse
from tests.unit.test_rules import P_HIGH, P_MID, SC, T0, scenario_doc

M = mediated.MIDDLE


def start(**kw):
    kw.setdefault("time_limit_s", 600)
    return mediated.new_state("n1", SC, "mediated", started_at=T0, **kw)


def act(state, seat, kind, payload=None, now=T0 + 1):
    events = mediated.apply(state, seat, mediated.parse_action(kind, payload), now)
    return mediated.replay(state, events)


def refused(state, seat, kind, payload=None, now=T0 + 1) -> str:
    with pytest.raises(RuleError) as info:
        mediated.apply(state, seat, mediated.parse_action(kind, payload), now)
    return info.value.code


def proposed(state=None, package=P_MID):
    return act(state or start(), M, "propose", {"package": package, "note": "a fair middle"})


# ---------------------------------------------------------------- the rules


def test_a_proposal_both_parties_accept_is_the_deal():
    s = proposed()
    assert s.latest.id == "n1-m1" and s.latest.points == (40, 30) and s.turn is None
    s = act(s, "buyer", "answer", {"proposal_id": "n1-m1", "accept": True})
    assert s.is_open and s.latest.status == "open"
    s = act(s, "seller", "answer", {"proposal_id": "n1-m1", "accept": True}, now=T0 + 5)
    assert s.status == "agreed" and s.outcome.reason == "accepted"
    assert s.outcome.package == P_MID and s.outcome.points == (40, 30)
    assert s.outcome.by == "seller" and s.ended_at == T0 + 5 and s.turn is None


def test_a_rejection_closes_the_proposal_and_the_mediator_may_propose_again():
    s = proposed()
    s = act(s, "buyer", "answer", {"proposal_id": "n1-m1", "accept": False, "reason": "too dear"})
    assert s.latest.status == "rejected" and s.turn == M and s.is_open
    s = act(s, "seller", "answer", {"proposal_id": "n1-m1", "accept": True})
    assert s.is_open  # one accept and one reject is no deal
    s = proposed(s, P_HIGH)
    assert s.latest.id == "n1-m2" and s.latest.seq == 2 and s.offers_left == s.max_offers - 2


def test_the_proposal_limit_is_offer_limit():
    s = start(max_offers=1)
    s = proposed(s)
    assert refused(s, M, "propose", {"package": P_HIGH}) == "offer_limit"


def test_a_proposal_outside_the_scenario_is_invalid_package_and_changes_nothing():
    s = start()
    for bad in (
        {"price": "free", "delivery": "slow", "warranty": "long"},
        {"price": "mid", "delivery": "slow"},
        {"price": "mid", "delivery": "slow", "warranty": "long", "colour": "red"},
    ):
        assert refused(s, M, "propose", {"package": bad}) == "invalid_package"
    assert s.proposals == () and s.events == 0


def test_only_the_latest_proposal_is_answered_and_only_once():
    s = proposed(proposed())
    assert refused(s, "buyer", "answer", {"proposal_id": "n1-m1", "accept": True}) == (
        "unknown_offer"
    )
    assert refused(start(), "buyer", "answer", {"proposal_id": "x", "accept": True}) == (
        "unknown_offer"
    )
    s = act(s, "buyer", "answer", {"proposal_id": "n1-m2", "accept": True})
    assert refused(s, "buyer", "answer", {"proposal_id": "n1-m2", "accept": False}) == (
        "already_answered"
    )


@pytest.mark.parametrize(
    ("seat", "kind", "payload"),
    [
        (M, "answer", {"proposal_id": "n1-m1", "accept": True}),
        (M, "confide", {"issues": ["price"]}),
        (M, "walk_away", {}),
        ("buyer", "propose", {"package": P_MID}),
        ("seller", "propose", {"package": P_MID}),
        ("buyer", "chat", {"text": "hello seller", "to": "seller"}),
    ],
)
def test_an_action_the_seat_may_not_take_is_not_your_seat(seat, kind, payload):
    s = proposed()
    assert refused(s, seat, kind, payload) == "not_your_seat"


def test_confiding_records_the_new_issues_and_refuses_unknown_ones():
    s = act(start(), "buyer", "confide", {"issues": ["price", "price"]})
    assert s.confided == {"buyer": ("price",)}
    s = act(s, "buyer", "confide", {"issues": ["price", "delivery"]})
    assert s.confided["buyer"] == ("price", "delivery")
    assert refused(s, "buyer", "confide", {"issues": ["price"]}) == "bad_request"
    assert refused(s, "seller", "confide", {"issues": ["warranty", "colour"]}) == "unknown_issue"
    assert "seller" not in s.confided


def test_chat_goes_to_the_partys_own_channel():
    s = act(start(), "buyer", "chat", {"text": "price matters most"})
    s = act(s, M, "chat", {"text": "noted", "to": "buyer"})
    s = act(s, M, "chat", {"text": "and you?", "to": "seller"})
    assert [(m["channel"], m["by"]) for m in s.messages] == [
        ("buyer", "buyer"),
        ("buyer", M),
        ("seller", M),
    ]
    assert refused(s, M, "chat", {"text": "to nobody"}) == "bad_request"
    assert refused(s, M, "chat", {"text": "x", "to": M}) == "bad_request"


def test_walking_away_deadline_and_instructor_end_as_impasses():
    s = act(start(), "seller", "walk_away")
    assert s.outcome.reason == "walked_away" and s.outcome.by == "seller"
    assert s.outcome.points == SC.batnas
    s = start()
    assert mediated.due(s, T0 + 599) == []
    s = mediated.replay(s, mediated.due(s, T0 + 700))
    assert s.outcome.reason == "deadline" and s.ended_at == T0 + 600
    s = mediated.replay(start(), mediated.end_by_instructor(start(), T0 + 3))
    assert s.outcome.reason == "deadline" and s.outcome.by == "instructor"
    with pytest.raises(RuleError):
        mediated.end_by_instructor(s, T0 + 4)


def test_nothing_is_accepted_after_the_end_or_from_a_stranger():
    s = act(start(), "seller", "walk_away")
    for seat, kind, payload in [
        (M, "propose", {"package": P_MID}),
        ("buyer", "chat", {"text": "hi"}),
        ("buyer", "confide", {"issues": ["price"]}),
    ]:
        assert refused(s, seat, kind, payload) == "not_negotiating"
    assert refused(start(), M, "propose", {"package": P_MID}, now=T0 + 600) == "not_negotiating"
    assert refused(start(), "stranger", "chat", {"text": "hi"}) == "not_negotiating"


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("propose", None),
        ("propose", {"package": "mid"}),
        ("propose", {"package": P_MID, "extra": 1}),
        ("propose", {"package": {"price": 3}}),
        ("answer", {"proposal_id": "n1-m1"}),
        ("answer", {"proposal_id": "n1-m1", "accept": "yes"}),
        ("answer", {"proposal_id": 5, "accept": True}),
        ("answer", {"proposal_id": "n1-m1", "accept": True, "reason": "x" * 501}),
        ("confide", {"issues": []}),
        ("confide", {"issues": "price"}),
        ("confide", {"issues": [1]}),
        ("chat", {"text": ""}),
        ("chat", {"text": "x" * 1001}),
        ("chat", {"text": "hi", "to": 3}),
        ("walk_away", {"now": True}),
        ("draft", {"package": P_MID}),
        ("accept", {"offer_id": "x", "package": 0}),
    ],
)
def test_malformed_payloads_are_bad_requests(kind, payload):
    with pytest.raises(RuleError) as info:
        mediated.parse_action(kind, payload)
    assert info.value.code == "bad_request"


def test_replay_of_the_events_rebuilds_the_same_state():
    s = start()
    log = []
    for seat, kind, payload in [
        ("buyer", "confide", {"issues": ["price"]}),
        ("buyer", "chat", {"text": "price!"}),
        (M, "propose", {"package": P_HIGH}),
        ("buyer", "answer", {"proposal_id": "n1-m1", "accept": False, "reason": "price"}),
        (M, "propose", {"package": P_MID}),
        ("buyer", "answer", {"proposal_id": "n1-m2", "accept": True}),
        ("seller", "answer", {"proposal_id": "n1-m2", "accept": True}),
    ]:
        events = mediated.apply(s, seat, mediated.parse_action(kind, payload), T0 + len(log))
        log += json.loads(json.dumps(events))
        s = mediated.replay(s, events)
    again = mediated.replay(start(), log)
    assert again == s and again.status == "agreed"


def test_a_scenario_with_a_role_named_mediator_is_refused():
    doc = scenario_doc()
    doc["roles"][1]["id"] = "mediator"
    for issue in doc["issues"]:
        for o in issue["options"]:
            o["points"] = {"buyer": o["points"]["buyer"], "mediator": o["points"]["seller"]}
    doc["first_mover"] = "buyer"
    with pytest.raises(ValueError):
        mediated.new_state("n1", parse(doc), "mediated", started_at=T0)


# ---------------------------------------------------------------- the views


def played():
    s = act(start(), "buyer", "confide", {"issues": ["price"]})
    s = act(s, "buyer", "chat", {"text": "BUYER-SECRET"})
    s = act(s, "seller", "chat", {"text": "SELLER-SECRET"})
    s = act(s, M, "chat", {"text": "TO-SELLER", "to": "seller"})
    s = proposed(s)
    s = act(s, "seller", "answer", {"proposal_id": "n1-m1", "accept": False, "reason": "WHY-NOT"})
    return s


def other_numbers(role):
    """Every number only the other party's table has (its option points and BATNA)."""
    k = 1 - SC.role_index(role)
    mine = {o.points[1 - k] for i in SC.issues for o in i.options} | {SC.batnas[1 - k]}
    return ({o.points[k] for i in SC.issues for o in i.options} | {SC.batnas[k]}) - mine


def test_a_partys_view_has_its_own_table_channel_and_answers_only():
    s = played()
    v = mediated.view(s, "buyer", others={M: {"name": "Mo", "connected": True}})
    text = json.dumps(v)
    assert v["scenario"] == SC.role_view("buyer")
    assert [m["text"] for m in v["channel"]] == ["BUYER-SECRET"]
    assert "SELLER-SECRET" not in text and "TO-SELLER" not in text
    assert "WHY-NOT" not in text and "Sell dear." not in text
    assert v["confided"] == ["price"] and v["middle"]["name"] == "Mo"
    assert v["proposals"][0]["points"] == 40 and v["proposals"][0]["status"] == "rejected"
    assert v["proposals"][0]["your_answer"] is None and v["seat"] == "party"
    seller = mediated.view(s, "seller")
    assert seller["proposals"][0]["your_answer"]["reason"] == "WHY-NOT"
    assert seller["confided"] == [] and "BUYER-SECRET" not in json.dumps(seller)
    assert seller["proposals"][0]["points"] == 30


def test_the_mediator_sees_both_channels_what_was_confided_and_no_other_points():
    s = played()
    v = mediated.view(s, M)
    assert [m["text"] for m in v["channels"]["buyer"]] == ["BUYER-SECRET"]
    assert [m["text"] for m in v["channels"]["seller"]] == ["SELLER-SECRET", "TO-SELLER"]
    assert v["confided"] == {"buyer": {"price": {"low": 40, "mid": 20, "high": 0}}, "seller": {}}
    assert v["proposals"][0]["answers"]["seller"]["reason"] == "WHY-NOT"
    assert "points" not in v["proposals"][0]
    text = json.dumps(v)
    assert "Buy cheap." not in text and "Sell dear." not in text and "batna" not in text
    for issue in v["scenario"]["issues"]:
        for o in issue["options"]:
            assert set(o) == {"id", "label"}
    # the seller confided nothing: none of its option points is in the view, anywhere
    numbers = set()

    def walk(x):
        if isinstance(x, bool):
            return
        if isinstance(x, (int, float)):
            numbers.add(x)
        elif isinstance(x, dict):
            for key, val in x.items():
                if key not in ("at", "started_at", "deadline", "seq", "max_offers", "offers_left"):
                    walk(val)
        elif isinstance(x, list):
            for val in x:
                walk(val)

    walk(v)
    assert numbers <= {40, 20, 0}  # the buyer's confided price points, nothing else


def test_views_after_the_end_carry_the_debrief_with_the_path():
    s = played()
    s = proposed(s, P_HIGH)
    s = act(s, "buyer", "answer", {"proposal_id": "n1-m2", "accept": True})
    s = act(s, "seller", "answer", {"proposal_id": "n1-m2", "accept": True})
    data = analysis.analyze(SC)
    for seat in ("buyer", "seller", M):
        d = mediated.view(s, seat, analysis=data)["debrief"]
        assert [x["points"] for x in d["path"]] == [[40, 30], [30, 45]]
        assert d["points"] == [30, 45]
    assert mediated.view(s, M, analysis=data)["debrief"]["you"] is None
    assert mediated.view(s, M, analysis=data)["outcome"] == {
        "reason": "accepted",
        "package": P_HIGH,
        "by": "seller",
    }
    assert mediated.view(played(), "buyer", analysis=data)["debrief"] is None
    m = middle_scoring.measures(s)
    assert m["steps"] == 2 and m["confided_0"] == 1 and m["confided_1"] == 0
    assert m["rejections_1"] == 1 and m["rejections_0"] == 0
