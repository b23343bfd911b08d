"""Three seats in the hub: trios in arrival and round pairing (the middle seat rotating when
asked), a computer in the middle, every seat's view, refusals that change nothing, and recovery
of a trio from the store. Sessions are made through the hub's public interface."""

from __future__ import annotations

import json

import pytest

from game.core import trios
from game.server.hub import ApiError
from tests.unit.test_hub import people

PKG = {"price": "price1", "delivery": "delivery1", "warranty": "warranty1", "training": "training1"}


def seats(hub, ps):
    """{seat: (pid, sid)} of the participants in an open negotiation."""
    out = {}
    for pid, sid in ps.values():
        neg = hub.view(pid)["negotiation"]
        if neg is not None and neg["status"] == "open":
            out[neg["role"]] = (pid, sid)
    return out


def session(hub, protocol, **kw):
    return hub.create_session({"scenario": "test-supply", "protocol": protocol,
                               "conditions": [protocol], **kw})  # fmt: skip


def test_the_session_settings_are_checked(world):
    hub = world.hub
    for body, problem in [
        ({"protocol": "offers", "middle": "computer"}, "middle: the protocol 'offers' has no"),
        ({"protocol": "mediated", "conditions": ["mediated"], "middle": "robot"}, "middle: must"),
        ({"protocol": "mediated", "conditions": ["mediated"], "rotate": "yes"}, "rotate: must"),
        ({"protocol": "mediated", "conditions": ["single"]}, "conditions[0]: unknown condition"),
        (
            {"protocol": "single_text", "conditions": ["single_text"], "agents": {"mode": "fill"}},
            "agents: in single_text a computer counterpart plays a party",
        ),  # fmt: skip
    ]:
        with pytest.raises(ApiError) as info:
            hub.create_session({"scenario": "test-supply", **body})
        assert any(e.startswith(problem) for e in info.value.errors), info.value.errors


def test_arrival_waits_for_three_and_seats_them(world):
    hub = world.hub
    code = session(hub, "mediated")
    ps = people(hub, code, "Ann", "Bob")
    assert seats(hub, ps) == {}
    ps |= people(hub, code, "Cy", "Di")
    by_seat = seats(hub, ps)
    assert set(by_seat) == {"seller", "buyer", "mediator"}
    waiting = [n for n, (pid, _) in ps.items() if hub.view(pid)["phase"] == "lobby"]
    assert len(waiting) == 1


def test_a_mediated_trio_plays_to_a_deal_and_views_stay_private(world):
    hub = world.hub
    code = session(hub, "mediated")
    by = seats(hub, people(hub, code, "Ann", "Bob", "Cy"))
    (_, s_sid), (_, b_sid), (m_pid, m_sid) = by["seller"], by["buyer"], by["mediator"]
    assert hub.act(s_sid, "confide", {"issues": ["price"]})[0] == {"ok": True}
    assert hub.act(b_sid, "chat", {"text": "BUYER-WHISPER"})[0] == {"ok": True}
    # bad input from each seat: its code, nothing changes
    before = hub.view(m_pid)
    for sid, kind, payload, code_ in [
        (b_sid, "propose", {"package": PKG}, "not_your_seat"),
        (m_sid, "answer", {"proposal_id": "x", "accept": True}, "not_your_seat"),
        (m_sid, "propose", {"package": {**PKG, "price": "gold"}}, "invalid_package"),
        (s_sid, "confide", {"issues": ["colour"]}, "unknown_issue"),
        (s_sid, "accept", {"offer_id": "x", "package": 0}, "bad_request"),
    ]:
        answer, touched = hub.act(sid, kind, payload)
        assert answer["error"]["code"] == code_ and touched == set()
    after = hub.view(m_pid)
    assert after["negotiation"] == before["negotiation"]
    answer, touched = hub.act(m_sid, "propose", {"package": PKG})
    assert answer["ok"] and answer["proposal_id"].endswith("-m1") and len(touched) == 3
    pid_ = answer["proposal_id"]
    assert hub.act(s_sid, "answer", {"proposal_id": pid_, "accept": True})[0] == {"ok": True}
    assert hub.act(b_sid, "answer", {"proposal_id": pid_, "accept": True})[0] == {"ok": True}
    views = {seat: hub.view(pid) for seat, (pid, _) in by.items()}
    assert all(v["phase"] == "done" for v in views.values())
    assert views["buyer"]["negotiation"]["outcome"]["package"] == PKG
    # while open and after: the seller's view never had the buyer's channel
    assert "BUYER-WHISPER" not in json.dumps(views["seller"])
    m = views["mediator"]["negotiation"]
    assert m["confided"]["seller"]["price"] == {"price0": 0, "price1": 300, "price2": 600,
                                                "price3": 900}  # fmt: skip
    assert m["parties"][1]["name"] in ("Ann", "Bob", "Cy")


def test_a_single_text_trio_with_the_instructor_ending_it_and_recovery(world):
    hub = world.hub
    code = session(hub, "single_text")
    by = seats(hub, people(hub, code, "Ann", "Bob", "Cy"))
    f_sid = by["facilitator"][1]
    answer, _ = hub.act(f_sid, "draft", {"package": PKG})
    draft_id = answer["draft_id"]
    marks = {i: {"ok": True} for i in PKG}
    marks["price"] = {"ok": False, "option": "price3", "comment": "more"}
    assert hub.act(by["seller"][1], "mark", {"draft_id": draft_id, "marks": marks})[0]["ok"]
    bad = {**marks, "colour": {"ok": True}}
    assert (
        hub.act(by["buyer"][1], "mark", {"draft_id": draft_id, "marks": bad})[0]["error"]["code"]
        == "unknown_issue"
    )
    nid = hub.view(by["seller"][0])["negotiation"]["id"]
    # restart: the trio, its seats and its draft come back from the store
    hub2 = world.reopen()
    v = hub2.view(by["facilitator"][0])["negotiation"]
    assert v["role"] == "facilitator" and v["drafts"][0]["marks"]["seller"]["price"]["option"] == (
        "price3"
    )
    assert hub2.view(by["buyer"][0])["negotiation"]["drafts"][0]["your_marks"] is None
    hub2.end_negotiation(nid)
    assert hub2.view(by["buyer"][0])["negotiation"]["outcome"]["by"] == "instructor"


def test_a_computer_facilitator_drafts_at_once_and_revises_after_marks(world):
    hub = world.hub
    code = session(hub, "single_text", middle="computer")
    by = seats(hub, people(hub, code, "Ann", "Bob"))
    assert set(by) == {"seller", "buyer"}
    v = hub.view(by["seller"][0])["negotiation"]
    assert len(v["drafts"]) == 1 and v["middle"]["name"] == "Computer"
    d1 = v["drafts"][0]
    ok = {i: {"ok": True} for i in PKG}
    price = "price3" if d1["package"]["price"] != "price3" else "price2"
    seller_marks = {**ok, "price": {"ok": False, "option": price}}
    hub.act(by["seller"][1], "mark", {"draft_id": d1["id"], "marks": seller_marks})
    assert len(hub.view(by["seller"][0])["negotiation"]["drafts"]) == 1  # waits for the buyer
    hub.act(by["buyer"][1], "endorse", {"draft_id": d1["id"]})
    drafts = hub.view(by["buyer"][0])["negotiation"]["drafts"]
    assert len(drafts) == 2 and drafts[1]["package"]["price"] != d1["package"]["price"]
    for seat in ("seller", "buyer"):
        hub.act(by[seat][1], "endorse", {"draft_id": drafts[1]["id"]})
    assert hub.view(by["buyer"][0])["phase"] == "done"
    events = world.rows("SELECT participant_id, type FROM events WHERE type = 'drafted'")
    assert [e["participant_id"] for e in events] == [None, None]


def test_rounds_of_trios_rotate_the_middle_seat_when_asked(world):
    hub = world.hub
    code = session(hub, "mediated", pairing="rounds", rotate=True)
    ps = people(hub, code, "A", "B", "C", "D")
    middles = []
    for _ in range(3):
        rnd, count, _ = hub.start_round(code)
        assert count == 1
        by = seats(hub, ps)
        middles.append(by["mediator"][0])
        sitting = [n for n, (pid, _) in ps.items() if hub.view(pid)["phase"] != "negotiating"]
        assert len(sitting) == 1
        hub.act(by["seller"][1], "walk_away", {})
    assert len(set(middles)) == 3


def test_plan_trios_keeps_the_middle_without_rotation():
    import random

    people_ = ["a", "b", "c", "d", "e", "f", "g"]
    plan = trios.plan_trios(people_, [("a", "b", "c")], {}, random.Random(1), rotate=False)
    assert len(plan.trios) == 2 and plan.sitting_out == ["g"]
    assert "c" in [t[2] for t in plan.trios]
    plan = trios.plan_trios(people_, [("a", "b", "c")], {}, random.Random(1), rotate=True)
    assert "c" not in [t[2] for t in plan.trios]
    seated = [x for t in plan.trios for x in t]
    assert sorted(seated + plan.sitting_out) == people_


def test_the_instructors_reads_name_every_seat_of_a_trio(world):
    from game.core import debrief
    from game.server import reads

    hub = world.hub
    code = session(hub, "mediated")
    by = seats(hub, people(hub, code, "Ann", "Bob", "Cy"))
    hub.act(by["mediator"][1], "propose", {"package": PKG})
    view = reads.session_view(hub, code)
    assert sorted(p["role"] for p in view["participants"]) == ["buyer", "mediator", "seller"]
    (n,) = view["negotiations"]
    assert n["seats"] == ["seller", "buyer", "mediator"] and len(n["names"]) == 3
    path = debrief.path_from_state(hub.negotiation(n["negotiation_id"]).state)
    assert path["steps"][0]["package"] == PKG
    (step,) = path["offers"]  # the path the debrief chart draws, by the middle seat
    assert step["by"] == "mediator" and step["by_index"] == 2
    assert step["packages"][0]["package"] == PKG and step["centre"] == step["packages"][0]["points"]
    assert reads.standings(hub, code)[0]["negotiations"] == 0


def test_a_session_mixing_protocols_plays_each_condition_by_its_own(world):
    from game.core import debrief
    from game.server import reads

    hub = world.hub
    conditions = ["single", "meso", "mediated", "single_text"]
    code = hub.create_session({"scenario": "test-supply", "protocol": "mixed",
                               "conditions": conditions, "middle": "computer"})  # fmt: skip
    ps = people(hub, code, *[f"P{n}" for n in range(8)])
    played = {}
    for name in ps:
        neg = hub.view(ps[name][0])["negotiation"]
        played.setdefault(neg["id"], neg["condition"])
    assert sorted(played.values()) == sorted(conditions)
    # each negotiation ends: the computer's first draft endorsed, a walk-away elsewhere
    for _name, (pid, sid) in ps.items():
        neg = hub.view(pid)["negotiation"]
        if neg["status"] != "open":
            continue
        if neg["condition"] == "single_text":
            hub.act(sid, "endorse", {"draft_id": neg["drafts"][0]["id"]})
        elif neg["condition"] == "mediated":
            hub.act(sid, "answer", {"proposal_id": neg["proposals"][0]["id"], "accept": True})
        else:
            hub.act(sid, "walk_away", {})
    view = reads.session_view(hub, code)
    records = debrief.records_from_view(view)
    table = debrief.summary(records, conditions=conditions, scenario=None)
    compared = [row["condition"] for row in table["comparison"]]
    assert compared == [*conditions, "all"]
    # a restart rebuilds every negotiation by its own protocol
    hub2 = world.reopen()
    again = {
        n["negotiation_id"]: n["status"] for n in reads.session_view(hub2, code)["negotiations"]
    }
    assert again == {n["negotiation_id"]: n["status"] for n in view["negotiations"]}


@pytest.mark.parametrize("protocol", ["mediated", "single_text"])
def test_a_middle_seat_protocol_without_conditions_takes_its_own(world, protocol):
    """The contract's default conditions are ["any"], which these protocols have not: a session
    that names only its protocol plays that protocol's condition."""
    from game.core.requests import parse_session

    settings = parse_session(
        {"scenario": "test-supply", "protocol": protocol, "middle": "computer"},
        world.hub._catalog.by_id(),
    )
    assert settings.conditions == [protocol]
    code = world.hub.create_session({"scenario": "test-supply", "protocol": protocol})
    assert world.hub.session(code).conditions == [protocol]
