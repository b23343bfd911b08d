"""A session mixing direct and middle-seat conditions with a student in the middle, through the
real server and Socket.IO: arrival forms a pair for the direct condition and a trio for the
mediated one, rounds plan pairs and trios by condition, each plays to a deal, and the exports
name each negotiation's condition and protocol."""

from __future__ import annotations

import re

from tests.server.helpers import SCENARIO, export, neg, ok, pkg, points
from tests.server.test_instructor_auth import login

MIDDLES = ("mediator", "facilitator")


def groups(players) -> dict[str, dict[str, object]]:
    """{negotiation id: {seat: player}} once every player negotiates."""
    out: dict[str, dict[str, object]] = {}
    for p in players:
        n = neg(p.wait_phase("negotiating"))
        out.setdefault(n["id"], {})[n["role"]] = p
    return out


def play_to_a_deal(seats: dict, package: dict) -> str:
    """Play one negotiation to a deal on ``package`` by its protocol; its condition."""
    condition = neg(next(iter(seats.values())).state)["condition"]
    if "mediator" in seats:
        pid = ok(seats["mediator"].call("propose", {"package": package}))["proposal_id"]
        for role in ("seller", "buyer"):
            seats[role].wait(lambda st: neg(st)["proposals"])
            ok(seats[role].call("answer", {"proposal_id": pid, "accept": True}))
    elif "facilitator" in seats:
        did = ok(seats["facilitator"].call("draft", {"package": package}))["draft_id"]
        for role in ("seller", "buyer"):
            seats[role].wait(lambda st: neg(st)["drafts"])
            ok(seats[role].call("endorse", {"draft_id": did}))
    else:
        oid = ok(seats["seller"].call("propose", {"packages": [package]}))["offer_id"]
        seats["buyer"].wait(lambda st: neg(st)["offers"])
        ok(seats["buyer"].call("accept", {"offer_id": oid, "package": 0}))
    for p in seats.values():
        n = neg(p.wait_phase("done"))
        assert n["status"] == "agreed" and n["outcome"]["package"] == package
    return condition


def test_a_mixed_arrival_session_forms_a_pair_and_a_trio_that_reach_deals(server, players):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(
        scenario=SCENARIO["id"], protocol="mixed", conditions=["single", "mediated"],
        middle="players",
    )  # fmt: skip
    # five arrivals: whichever condition the sequence puts first, a pair and a trio form
    ps = [players(server, server.join(code, f"P{n}")["token"]) for n in range(5)]
    by_neg = groups(ps)
    assert sorted(len(seats) for seats in by_neg.values()) == [2, 3]
    package = pkg(2, 1, 1, 1)
    played = {nid: play_to_a_deal(seats, package) for nid, seats in by_neg.items()}
    assert sorted(played.values()) == ["mediated", "single"]
    rows = {r["negotiation_id"]: r for r in export(server, code, "negotiations")}
    assert {nid: (rows[nid]["condition"], rows[nid]["protocol"]) for nid in played} == {
        nid: (c, "mediated" if c == "mediated" else "offers") for nid, c in played.items()
    }
    for nid, seats in by_neg.items():
        r = rows[nid]
        assert r["status"] == "agreed"
        assert (r["participant_2"] != "") == (len(seats) == 3)
        assert float(r["points_0"]) == points(package)["seller"]
    # the log names each group's condition and its place in the session's sequence
    paired = [e for e in export(server, code, "events") if e["type"] == "paired"]
    assert sorted(e["negotiation_id"] for e in paired) == sorted(played)
    for e in paired:
        assert f'"condition":"{played[e["negotiation_id"]]}"' in e["payload"].replace(" ", "")
    # the instructor's view: two negotiations, the trio with its middle seat
    view = server.api("GET", f"/api/sessions/{code}").json()
    assert sorted(len(n["seats"]) for n in view["negotiations"]) == [2, 3]


def test_a_mixed_rounds_session_plans_pairs_and_trios_by_condition(server, players):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(
        scenario=SCENARIO["id"], protocol="mixed", conditions=["single", "single_text"],
        middle="players", pairing="rounds", rotate=True,
    )  # fmt: skip
    ps = [players(server, server.join(code, f"P{n}")["token"]) for n in range(5)]
    for p in ps:
        p.wait_phase("lobby")
    middles = []
    for round_no in (1, 2):
        r = server.api("POST", f"/api/sessions/{code}/rounds")
        assert r.status_code == 201, r.text
        assert r.json() == {"round": round_no, "negotiations": 2}
        by_neg = groups(ps)  # five: a pair and a trio every round, nobody sits out
        assert len(by_neg) == 2 and sorted(len(s) for s in by_neg.values()) == [2, 3]
        for seats in by_neg.values():
            c = neg(next(iter(seats.values())).state)["condition"]
            assert c == ("single_text" if len(seats) == 3 else "single")
            middles += [p.token for seat, p in seats.items() if seat in MIDDLES]
            assert play_to_a_deal(seats, pkg(1, 1, 1, 1)) == c
    assert len(set(middles)) == 2  # the middle seat rotated
    rows = export(server, code, "negotiations")
    assert len(rows) == 4
    assert sorted((r["round"], r["condition"], r["protocol"]) for r in rows) == [
        ("1", "single", "offers"), ("1", "single_text", "single_text"),
        ("2", "single", "offers"), ("2", "single_text", "single_text"),
    ]  # fmt: skip
    assert all(r["status"] == "agreed" for r in rows)
    # the debrief says whose points a single text's "first offerer" column holds
    web, _ = login(server)
    page = web.get(f"{server.url}/instructor/sessions/{code}/debrief", timeout=10).text
    note = re.search(r'<span id="compare-middle-note">([^<]+)</span>', page)
    assert note and "Nobody makes a first offer in Single text: its rows give" in note[1]
    names = {r["id"]: r["name"] for r in SCENARIO["roles"]}
    first = SCENARIO.get("first_mover", SCENARIO["roles"][0]["id"])
    assert f"give {names[first]}'s points as the first offerer" in note[1]


def test_two_waiting_for_a_third_are_paired_by_the_instructor_into_a_direct_condition(
    server, players
):
    assert server.upload(SCENARIO).status_code == 201
    for _ in range(30):  # a session whose sequence starts with the trio's condition
        code = server.create_session(
            scenario=SCENARIO["id"], protocol="mixed", conditions=["mediated", "single"],
        )  # fmt: skip
        a = players(server, server.join(code, "Ann")["token"])
        b = players(server, server.join(code, "Bob")["token"])
        for p in (a, b):
            p.wait(lambda st: st.get("phase") in ("lobby", "negotiating"))
        if a.state["phase"] == "lobby" and b.state["phase"] == "lobby":
            break
    assert a.state["phase"] == b.state["phase"] == "lobby"  # they wait for a third
    assert server.api("GET", f"/api/sessions/{code}").json()["negotiations"] == []
    r = server.api("POST", f"/api/sessions/{code}/pair")
    assert r.status_code == 201 and r.json() == {"negotiations": 1}
    for p in (a, b):
        assert neg(p.wait_phase("negotiating"))["condition"] == "single"
    (row,) = export(server, code, "negotiations")
    assert row["condition"] == "single" and row["condition_index"] == "1"  # position 0 waits
    # the next three take the trio's position passed over
    c = [players(server, server.join(code, n)["token"]) for n in ("Cy", "Di", "Ed")]
    trio = groups(c)
    (seats,) = trio.values()
    assert set(seats) == {"seller", "buyer", "mediator"}
    rows = {r["condition_index"]: r["condition"] for r in export(server, code, "negotiations")}
    assert rows == {"1": "single", "0": "mediated"}
