"""Trios through the real server and Socket.IO: a mediated negotiation and a single negotiating
text played to a deal by three participants, bad input from every seat refused with its code,
privacy of every state each seat received, and a SIGKILL and restart in the middle."""

from __future__ import annotations

import json

from tests.server.helpers import SCENARIO, code_of, export, neg, ok, pkg, points


def trio(server, players, protocol, **extra):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(
        scenario=SCENARIO["id"], protocol=protocol, conditions=[protocol], **extra
    )
    ps = []
    for name in ("Ann", "Bob", "Cy"):
        ps.append(players(server, server.join(code, name)["token"]))
    seated = {}
    for p in ps:
        seated[neg(p.wait_phase("negotiating"))["role"]] = p
    assert set(seated) == {
        "seller",
        "buyer",
        "mediator" if protocol == "mediated" else "facilitator",
    }
    assert len({neg(p.state)["id"] for p in ps}) == 1
    return code, seated


def received(player) -> str:
    return json.dumps(player.states)


def test_a_mediated_trio_to_a_deal(server, players):
    code, s = trio(server, players, "mediated")
    seller, buyer, med = s["seller"], s["buyer"], s["mediator"]
    ok(seller.call("confide", {"issues": ["price"]}))
    ok(buyer.call("chat", {"text": "BUYER-TO-MEDIATOR"}))
    ok(med.call("chat", {"text": "MEDIATOR-TO-SELLER", "to": "seller"}))
    # bad input from every seat: its code, and nothing changes
    assert code_of(buyer.call("propose", {"package": pkg(1, 1, 1, 1)})) == "not_your_seat"
    assert code_of(med.call("answer", {"proposal_id": "x", "accept": True})) == "not_your_seat"
    assert code_of(med.call("propose", {"package": {"price": "price9"}})) == "invalid_package"
    assert code_of(seller.call("confide", {"issues": ["colour"]})) == "unknown_issue"
    assert code_of(buyer.call("answer", {"proposal_id": "nope", "accept": True})) == "unknown_offer"
    view = med.wait(lambda st: len(neg(st)["channels"]["seller"]) == 1)
    assert neg(view)["proposals"] == []
    assert neg(view)["confided"]["seller"]["price"]["price3"] == 900
    assert neg(view)["confided"]["buyer"] == {}
    package = pkg(2, 1, 1, 1)
    pid = ok(med.call("propose", {"package": package, "note": "a middle way"}))["proposal_id"]
    for p in (seller, buyer):
        st = p.wait(lambda st: len(neg(st)["proposals"]) == 1)
        assert neg(st)["proposals"][0]["points"] == points(package)[neg(st)["role"]]
    ok(seller.call("answer", {"proposal_id": pid, "accept": True}))
    ok(buyer.call("answer", {"proposal_id": pid, "accept": True, "reason": "fine"}))
    for p in (seller, buyer, med):
        n = neg(p.wait_phase("done"))
        assert n["outcome"]["package"] == package and n["debrief"]["path"][0]["points"] == [
            points(package)["seller"],
            points(package)["buyer"],
        ]
    # privacy of every state received while it was open
    open_states = lambda p: json.dumps([x for x in p.states if x.get("phase") == "negotiating"])  # noqa: E731
    assert "BUYER-TO-MEDIATOR" not in open_states(seller)
    assert "MEDIATOR-TO-SELLER" not in open_states(buyer)
    assert "SELLER-BRIEF-SECRET" not in open_states(buyer) + open_states(med)
    assert "BUYER-BRIEF-SECRET" not in open_states(seller) + open_states(med)
    (row,) = export(server, code, "negotiations")
    assert row["protocol"] == "mediated" and row["status"] == "agreed"
    assert row["confided_0"] == "1" and row["steps"] == "1"
    assert [r["step_id"] for r in export(server, code, "steps")] == [pid]
    view = server.api("GET", f"/api/sessions/{code}").json()
    assert sorted(p["role"] for p in view["participants"]) == ["buyer", "mediator", "seller"]
    assert view["negotiations"][0]["status"] == "agreed"
    nid = view["negotiations"][0]["negotiation_id"]
    path = server.api("GET", f"/instructor/api/negotiations/{nid}/path").json()
    assert path["role_names"] == ["Seller", "Buyer", "Mediator"]
    assert [o["by_index"] for o in path["offers"]] == [2] and path["offers"][0]["accepted"] == 0


def test_a_single_text_trio_survives_a_restart_and_reaches_a_deal(server, players):
    code, s = trio(server, players, "single_text")
    seller, buyer, fac = s["seller"], s["buyer"], s["facilitator"]
    d1 = ok(fac.call("draft", {"package": pkg(1, 1, 1, 0)}))["draft_id"]
    marks = {i: {"ok": True} for i in ("price", "delivery", "warranty", "training")}
    ok(seller.call("mark", {"draft_id": d1, "marks": {**marks, "price": {
        "ok": False, "option": "price3", "comment": "SELLER-COMMENT"}}}))  # fmt: skip
    assert code_of(
        buyer.call("mark", {"draft_id": d1, "marks": {**marks, "colour": {"ok": True}}})
    ) == ("unknown_issue")
    assert code_of(buyer.call("mark", {"draft_id": d1, "marks": {"price": {"ok": True}}})) == (
        "invalid_mark"
    )
    assert code_of(fac.call("endorse", {"draft_id": d1})) == "not_your_seat"
    assert code_of(buyer.call("draft", {"package": pkg(0, 0, 0, 0)})) == "not_your_seat"
    fac.wait(lambda st: "seller" in neg(st)["drafts"][0]["marks"])
    tokens = {seat: p.token for seat, p in s.items()}

    server.kill()
    for p in s.values():
        p.close()
    server.start()

    s2 = {seat: players(server, t) for seat, t in tokens.items()}
    st = s2["facilitator"].wait(lambda st: neg(st).get("drafts"))
    d = neg(st)["drafts"][0]
    assert d["id"] == d1 and d["marks"]["seller"]["price"]["option"] == "price3"
    st = s2["buyer"].wait(lambda st: neg(st).get("drafts"))
    assert "SELLER-COMMENT" not in json.dumps(st)
    d2 = ok(s2["facilitator"].call("draft", {"package": pkg(3, 1, 1, 0)}))["draft_id"]
    ok(s2["buyer"].call("endorse", {"draft_id": d2}))
    ok(s2["seller"].call("endorse", {"draft_id": d2}))
    for p in s2.values():
        n = neg(p.wait_phase("done"))
        assert n["status"] == "agreed" and n["outcome"]["package"] == pkg(3, 1, 1, 0)
    (row,) = export(server, code, "negotiations")
    assert row["protocol"] == "single_text" and row["steps"] == "2"
    assert row["changes_asked_0"] == "1"


def test_a_computer_facilitator_with_two_players(server, players):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(
        scenario=SCENARIO["id"], protocol="single_text", conditions=["single_text"],
        middle="computer",
    )  # fmt: skip
    a = players(server, server.join(code, "Ann")["token"])
    b = players(server, server.join(code, "Bob")["token"])
    for p in (a, b):
        st = p.wait(lambda st: len(neg(st).get("drafts") or []) == 1)
    d1 = neg(st)["drafts"][0]["id"]
    for p in (a, b):
        ok(p.call("endorse", {"draft_id": d1}))
    for p in (a, b):
        assert neg(p.wait_phase("done"))["status"] == "agreed"
    (step,) = export(server, code, "steps")
    assert step["middle_participant_id"] == "" and step["agreed"] == "true"


def test_the_instructor_in_the_middle_mediates_over_the_api(server, players):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(
        scenario=SCENARIO["id"], protocol="mediated", conditions=["mediated"],
        middle="instructor",
    )  # fmt: skip
    a = players(server, server.join(code, "Ann")["token"])
    b = players(server, server.join(code, "Bob")["token"])
    nid = neg(a.wait_phase("negotiating"))["id"]
    b.wait_phase("negotiating")
    by = {neg(p.state)["role"]: p for p in (a, b)}
    assert neg(a.state)["middle"]["name"] == "Instructor"
    ok(by["seller"].call("confide", {"issues": ["warranty"]}))
    ok(by["buyer"].call("chat", {"text": "to the instructor"}))
    r = server.api("GET", f"/api/negotiations/{nid}/middle")
    assert r.status_code == 200
    v = r.json()
    assert v["seat"] == "mediator" and v["confided"]["seller"]["warranty"]["warranty0"] == 200
    assert [m["text"] for m in v["channels"]["buyer"]] == ["to the instructor"]
    assert "BRIEF-SECRET" not in r.text
    # bad input: its code, nothing changes
    r = server.api(
        "POST", f"/api/negotiations/{nid}/middle/answer", json={"proposal_id": "x", "accept": True}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_your_seat"
    r = server.api(
        "POST", f"/api/negotiations/{nid}/middle/propose", json={"package": {"price": "price0"}}
    )
    assert r.json()["error"]["code"] == "invalid_package"
    r = server.api(
        "POST", f"/api/negotiations/{nid}/middle/propose", json={"package": pkg(2, 1, 1, 1)}
    )
    assert r.status_code == 200
    pid = r.json()["proposal_id"]
    for p in (a, b):
        p.wait(lambda st: len(neg(st)["proposals"]) == 1)
        ok(p.call("answer", {"proposal_id": pid, "accept": True}))
    for p in (a, b):
        assert neg(p.wait_phase("done"))["status"] == "agreed"
    assert server.api("GET", f"/api/negotiations/{nid}/middle").json()["debrief"]["path"]
    # a session without the instructor in the middle refuses, and so does an unknown one
    assert server.api("GET", "/api/negotiations/n_nope/middle").status_code == 404
