"""The single negotiating text protocol (game/core/protocols/single_text.py): each rule, each
error code, and the privacy of each seat's view. The scenario is tests/unit/test_rules.py's."""

from __future__ import annotations

import json

import pytest

from game.core import analysis, middle_scoring
from game.core.protocols import single_text
from game.core.protocols.common import RuleError
from tests.unit.test_rules import P_HIGH, P_MID, SC, T0

F = single_text.MIDDLE
OK = {"ok": True}


def start(**kw):
    kw.setdefault("time_limit_s", 600)
    return single_text.new_state("n1", SC, "single_text", started_at=T0, **kw)


def act(state, seat, kind, payload=None, now=T0 + 1):
    events = single_text.apply(state, seat, single_text.parse_action(kind, payload), now)
    return single_text.replay(state, events)


def refused(state, seat, kind, payload=None, now=T0 + 1) -> str:
    with pytest.raises(RuleError) as info:
        single_text.apply(state, seat, single_text.parse_action(kind, payload), now)
    return info.value.code


def drafted(state=None, package=P_MID):
    return act(state or start(), F, "draft", {"package": package})


def marks(**changes):
    out = {"price": dict(OK), "delivery": dict(OK), "warranty": dict(OK)}
    for issue, option in changes.items():
        out[issue] = {"ok": False, "option": option, "comment": f"{issue} please"}
    return out


# ---------------------------------------------------------------- the rules


def test_a_draft_both_parties_endorse_is_the_deal():
    s = start()
    assert s.turn == F
    s = drafted(s)
    assert s.latest.id == "n1-d1" and s.latest.points == (40, 30) and s.turn is None
    s = act(s, "buyer", "endorse", {"draft_id": "n1-d1"})
    assert s.is_open and s.turn is None
    s = act(s, "seller", "endorse", {"draft_id": "n1-d1"}, now=T0 + 7)
    assert s.status == "agreed" and s.outcome.package == P_MID
    assert s.outcome.points == (40, 30) and s.outcome.by == "seller" and s.ended_at == T0 + 7


def test_marks_are_recorded_in_issue_order_and_replaced_by_later_marks():
    s = drafted()
    s = act(s, "buyer", "mark", {"draft_id": "n1-d1", "marks": marks(price="low")})
    assert s.latest.marks["buyer"]["price"] == {
        "ok": False,
        "option": "low",
        "comment": "price please",
    }
    assert list(s.latest.marks["buyer"]) == ["price", "delivery", "warranty"]
    s = act(s, "buyer", "mark", {"draft_id": "n1-d1", "marks": marks()})
    assert s.latest.marks["buyer"]["price"]["ok"] is True
    s = act(s, "seller", "mark", {"draft_id": "n1-d1", "marks": marks(delivery="fast")})
    assert s.turn == F  # both responded: the facilitator's turn to revise
    s = drafted(s, P_HIGH)
    assert s.latest.seq == 2 and s.latest.marks == {} and s.turn is None


def test_a_revised_draft_after_an_endorsement_needs_endorsing_again():
    s = act(drafted(), "buyer", "endorse", {"draft_id": "n1-d1"})
    s = drafted(s, P_HIGH)
    s = act(s, "seller", "endorse", {"draft_id": "n1-d2"})
    assert s.is_open  # the buyer endorsed draft 1, not draft 2


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"draft_id": "n1-d1", "marks": {**marks(), "colour": OK}}, "unknown_issue"),
        ({"draft_id": "n1-d1", "marks": {"price": OK, "delivery": OK}}, "invalid_mark"),
        ({"draft_id": "n1-d1", "marks": marks(price="free")}, "invalid_mark"),
        ({"draft_id": "n1-d1", "marks": marks(price="mid")}, "invalid_mark"),
        ({"draft_id": "n1-d9", "marks": marks()}, "unknown_offer"),
    ],
)
def test_bad_marks_get_their_code_and_change_nothing(payload, code):
    s = drafted()
    assert refused(s, "buyer", "mark", payload) == code
    assert s.latest.marks == {} and s.events == 1


def test_marking_or_endorsing_an_endorsed_or_older_draft_is_refused():
    s = act(drafted(), "buyer", "endorse", {"draft_id": "n1-d1"})
    assert refused(s, "buyer", "endorse", {"draft_id": "n1-d1"}) == "already_answered"
    assert refused(s, "buyer", "mark", {"draft_id": "n1-d1", "marks": marks()}) == (
        "already_answered"
    )
    s = drafted(s, P_HIGH)
    assert refused(s, "seller", "endorse", {"draft_id": "n1-d1"}) == "unknown_offer"
    assert refused(start(), "seller", "endorse", {"draft_id": "n1-d1"}) == "unknown_offer"


def test_the_draft_limit_and_drafts_outside_the_scenario():
    s = drafted(start(max_offers=1))
    assert refused(s, F, "draft", {"package": P_HIGH}) == "offer_limit"
    bad = {"price": "mid", "delivery": "slow", "warranty": "lifetime"}
    assert refused(start(), F, "draft", {"package": bad}) == "invalid_package"
    assert refused(start(), F, "draft", {"package": {"price": "mid"}}) == "invalid_package"


@pytest.mark.parametrize(
    ("seat", "kind", "payload"),
    [
        (F, "mark", {"draft_id": "n1-d1", "marks": marks()}),
        (F, "endorse", {"draft_id": "n1-d1"}),
        (F, "walk_away", {}),
        ("buyer", "draft", {"package": P_HIGH}),
        ("seller", "draft", {"package": P_HIGH}),
    ],
)
def test_an_action_the_seat_may_not_take_is_not_your_seat(seat, kind, payload):
    s = drafted()
    assert refused(s, seat, kind, payload) == "not_your_seat"
    assert len(s.drafts) == 1 and s.latest.marks == {}


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("draft", {"package": "mid"}),
        ("draft", {"package": P_MID, "note": "x" * 501}),
        ("mark", {"draft_id": "n1-d1"}),
        ("mark", {"draft_id": "n1-d1", "marks": {}}),
        ("mark", {"draft_id": "n1-d1", "marks": {"price": {"ok": "yes"}}}),
        ("mark", {"draft_id": "n1-d1", "marks": {"price": {"ok": False}}}),
        ("mark", {"draft_id": "n1-d1", "marks": {"price": {"ok": True, "option": "low"}}}),
        ("mark", {"draft_id": "n1-d1", "marks": {"price": {"ok": True, "comment": "x" * 301}}}),
        ("mark", {"draft_id": "n1-d1", "marks": {"price": {"ok": True, "why": 1}}}),
        ("endorse", {}),
        ("endorse", {"draft_id": 4}),
        ("chat", {"text": " "}),
        ("propose", {"package": P_MID}),
    ],
)
def test_malformed_payloads_are_bad_requests(kind, payload):
    with pytest.raises(RuleError) as info:
        single_text.parse_action(kind, payload)
    assert info.value.code == "bad_request"


def test_impasses_and_the_end():
    s = act(drafted(), "buyer", "walk_away")
    assert s.outcome.reason == "walked_away" and s.outcome.points == SC.batnas
    assert refused(s, F, "draft", {"package": P_HIGH}) == "not_negotiating"
    s = single_text.replay(start(), single_text.due(start(), T0 + 601))
    assert s.outcome.reason == "deadline"
    s = single_text.replay(start(), single_text.end_by_instructor(start(), T0 + 2))
    assert s.outcome.by == "instructor"


def test_replay_rebuilds_the_state():
    s, log = start(), []
    for seat, kind, payload in [
        (F, "draft", {"package": P_HIGH, "note": "first"}),
        ("buyer", "mark", {"draft_id": "n1-d1", "marks": marks(price="mid")}),
        ("seller", "chat", {"text": "fine by me"}),
        ("seller", "endorse", {"draft_id": "n1-d1"}),
        (F, "draft", {"package": P_MID}),
        ("buyer", "endorse", {"draft_id": "n1-d2"}),
        ("seller", "endorse", {"draft_id": "n1-d2"}),
    ]:
        events = single_text.apply(s, seat, single_text.parse_action(kind, payload), T0 + len(log))
        log += json.loads(json.dumps(events))
        s = single_text.replay(s, events)
    assert single_text.replay(start(), log) == s and s.status == "agreed"


# ---------------------------------------------------------------- the views


def played():
    s = drafted()
    s = act(s, "buyer", "mark", {"draft_id": "n1-d1", "marks": marks(price="low")})
    s = act(s, "seller", "mark", {"draft_id": "n1-d1", "marks": marks(warranty="short")})
    s = act(s, "seller", "chat", {"text": "hello all"})
    return s


def test_a_party_sees_its_points_its_own_marks_and_no_others():
    s = played()
    v = single_text.view(s, "buyer", others={F: {"name": "Fay", "connected": False}})
    text = json.dumps(v)
    assert v["scenario"] == SC.role_view("buyer") and v["seat"] == "party"
    d = v["drafts"][0]
    assert d["points"] == 40 and d["your_marks"]["price"]["option"] == "low"
    assert "warranty please" not in text and "Sell dear." not in text
    assert v["middle"] == {"role": F, "role_name": "Facilitator", "name": "Fay", "connected": False}
    assert [c["text"] for c in v["chat"]] == ["hello all"]
    seller = single_text.view(s, "seller")
    assert seller["drafts"][0]["points"] == 30 and "price please" not in json.dumps(seller)


def test_the_facilitator_sees_marks_and_no_ones_points():
    s = played()
    s = act(s, "buyer", "endorse", {"draft_id": "n1-d1"})
    v = single_text.view(s, F)
    d = v["drafts"][0]
    assert d["marks"]["buyer"]["price"]["option"] == "low"
    assert d["marks"]["seller"]["warranty"]["option"] == "short"
    assert d["endorsed"] == ["buyer"] and "points" not in d
    text = json.dumps(v)
    assert "Buy cheap." not in text and "Sell dear." not in text and "batna" not in text
    assert '"points"' not in text


def test_the_debrief_after_the_end_shows_the_path_of_drafts():
    s = played()
    s = drafted(s, P_HIGH)
    s = act(s, "buyer", "endorse", {"draft_id": "n1-d2"})
    s = act(s, "seller", "endorse", {"draft_id": "n1-d2"})
    data = analysis.analyze(SC)
    d = single_text.view(s, "seller", analysis=data)["debrief"]
    assert [x["points"] for x in d["path"]] == [[40, 30], [30, 45]] and d["you"] == 1
    assert all(x["distance"] >= 0 for x in d["path"])
    m = middle_scoring.measures(s)
    assert m["steps"] == 2 and m["changes_asked_0"] == 1 and m["changes_asked_1"] == 1
    assert m["confided_0"] is None
