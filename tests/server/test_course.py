"""The instructor's class control through the real server: end a round at once, close and
reopen a session, grades (CSV and JSON) with student ids, the standings' switch for
negotiations the instructor ended, name, archive, delete, and scenarios replaced or deleted."""

from __future__ import annotations

import sqlite3

import requests

from tests.server.helpers import BATNAS, MESO, SCENARIO, SCENARIO_ID, export, ok, points, read_csv
from tests.support import scenario_dict


def start_round(server, code) -> dict:
    r = server.api("POST", f"/api/sessions/{code}/rounds")
    assert r.status_code == 201, r.text
    return r.json()


def seated(server, players, code, n):
    out = []
    for k in range(n):
        p = players(server, server.join(code, f"S{k}", label=f"id-{k}")["token"])
        p.wait_phase("lobby")
        out.append(p)
    return out


def test_end_round_ends_every_open_negotiation_at_once_as_instructor(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = seated(module_server, players, code, 4)
    start_round(module_server, code)
    for p in ps:
        p.wait_phase("negotiating")
    # one pair agrees first; the round's end touches the other only
    a = next(p for p in ps if p.neg["role"] == "seller")
    b = next(p for p in ps if p is not a and p.neg.get("id") == a.neg["id"])
    offer = ok(a.call("propose", {"packages": [MESO[0]]}))["offer_id"]
    b.wait(lambda s: any(o["id"] == offer for o in s["negotiation"]["offers"]))
    ok(b.call("accept", {"offer_id": offer, "package": 0}))
    r = module_server.api("POST", f"/api/sessions/{code}/end-round")
    assert r.status_code == 200, r.text
    assert r.json() == {"round": 1, "ended": 1}
    for p in ps:
        st = p.wait_phase("done")
        want = "accepted" if p in (a, b) else "instructor"
        assert st["negotiation"]["outcome"]["reason"] == want
    rows = export(module_server, code, "negotiations")
    assert sorted(r["end_reason"] for r in rows) == ["accepted", "instructor"]
    again = module_server.api("POST", f"/api/sessions/{code}/end-round")
    assert again.json() == {"round": 1, "ended": 0}
    events = [e["type"] for e in export(module_server, code, "events")]
    assert events.count("round_ended") == 1


def test_standings_and_grades_leave_out_instructor_ended_unless_switched(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = seated(module_server, players, code, 4)
    start_round(module_server, code)
    for p in ps:
        p.wait_phase("negotiating")
    a = next(p for p in ps if p.neg["role"] == "seller")
    b = next(p for p in ps if p is not a and p.neg.get("id") == a.neg["id"])
    ok(a.call("walk_away", {}))
    module_server.api("POST", f"/api/sessions/{code}/end-round")
    for p in ps:
        p.wait_phase("done")
    table = module_server.api("GET", f"/api/sessions/{code}/standings").json()
    played = {r["name"]: r["negotiations"] for r in table}
    names = {a.state["participant"]["name"], b.state["participant"]["name"]}
    assert {n for n, c in played.items() if c} == names  # the ended pair counts nothing
    counted = module_server.api(
        "GET", f"/api/sessions/{code}/standings?instructor_ended=count"
    ).json()
    assert all(r["negotiations"] == 1 for r in counted)

    # grades: the CSV names students with their ids; the ended pair has no points by default
    r = module_server.api("GET", f"/api/sessions/{code}/grades.csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert f'filename="{code}-grades.csv"' in r.headers["Content-Disposition"]
    rows = read_csv(r.text)
    assert list(rows[0])[:3] == ["name", "student_id", "participant_id"]
    assert {x["student_id"] for x in rows} == {"id-0", "id-1", "id-2", "id-3"}
    by_name = {x["name"]: x for x in rows}
    for name, x in by_name.items():
        if name in names:
            assert x["round_1_outcome"] == "walked away"
            assert float(x["round_1_points"]) == BATNAS[x["round_1_role"].lower()]
        else:
            assert x["round_1_outcome"] == "ended by instructor"
            assert x["round_1_points"] == "" and x["points_total"] == "0"
    # the session's switch: now they count, in standings and grades alike
    r = module_server.api("PATCH", f"/api/sessions/{code}", json={"count_instructor_ended": True})
    assert r.status_code == 200, r.text
    g = module_server.api("GET", f"/api/sessions/{code}/grades").json()
    assert g["count_instructor_ended"] is True
    assert all(x["negotiations"] == 1 for x in g["rows"])
    bad = module_server.api("PATCH", f"/api/sessions/{code}", json={"count_instructor_ended": 1})
    assert bad.status_code == 400
    assert bad.json()["errors"] == ["count_instructor_ended: must be true or false"]


def test_a_closed_session_refuses_joins_and_tells_its_students_with_their_results(
    module_server, players
):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = seated(module_server, players, code, 2)
    start_round(module_server, code)
    a, b = (p.wait_phase("negotiating") and p for p in ps)
    seller = a if a.neg["role"] == "seller" else b
    buyer = b if seller is a else a
    offer = ok(seller.call("propose", {"packages": [MESO[0]]}))["offer_id"]
    buyer.wait(lambda s: any(o["id"] == offer for o in s["negotiation"]["offers"]))
    ok(buyer.call("accept", {"offer_id": offer, "package": 0}))
    r = module_server.api("POST", f"/api/sessions/{code}/close")
    assert r.status_code == 200 and r.json() == {"closed": True}
    st = seller.wait(lambda s: s["session"]["closed"])
    assert "class is over" in st["lobby"]["message"]
    assert st["lobby"]["results"] == [
        {
            "round": 1,
            "role": "Seller",
            "partner": buyer.state["participant"]["name"],
            "reason": "accepted",
            "points": points(MESO[0])["seller"],
        }
    ]
    refused = requests.post(
        f"{module_server.url}/api/sessions/{code}/join", json={"name": "Late"}, timeout=5
    )
    assert refused.status_code == 409
    assert refused.json()["errors"] == [f"code: session {code} is closed: the class is over"]
    no_round = module_server.api("POST", f"/api/sessions/{code}/rounds")
    assert no_round.status_code == 409
    assert module_server.api("GET", f"/api/sessions/{code}").json()["closed"] is True
    # reopened: joining works again and the students wait for the next round
    assert module_server.api("POST", f"/api/sessions/{code}/reopen").json() == {"closed": False}
    st = seller.wait(lambda s: not s["session"]["closed"])
    assert "results" not in st["lobby"]
    module_server.join(code, "Late")


def test_sessions_are_named_archived_and_deleted_with_a_confirmation(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, name="  Monday   9am ")
    assert module_server.api("GET", f"/api/sessions/{code}").json()["name"] == "Monday 9am"
    p = players(module_server, module_server.join(code, "Ann")["token"])
    p.wait_phase("lobby")
    r = module_server.api("PATCH", f"/api/sessions/{code}", json={"archived": True, "x": 1})
    assert r.status_code == 400 and r.json()["errors"][0].startswith("x: unknown key")
    r = module_server.api("PATCH", f"/api/sessions/{code}", json={"archived": True})
    assert r.json()["archived"] is True
    assert export(module_server, code, "participants")[0]["name"] == "Ann"  # still exportable
    wrong = module_server.api("DELETE", f"/api/sessions/{code}?confirm=NOPE")
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == [f"confirm: type the session's code {code} to delete it"]
    assert module_server.api("GET", f"/api/sessions/{code}").status_code == 200
    r = module_server.api("DELETE", f"/api/sessions/{code}?confirm={code.lower()}")
    assert r.status_code == 200, r.text
    assert module_server.api("GET", f"/api/sessions/{code}").status_code == 404
    assert module_server.api("GET", f"/api/sessions/{code}/export/events.csv").status_code == 404
    assert code not in {s["code"] for s in module_server.api("GET", "/api/sessions").json()}
    # gone from the database file itself
    with sqlite3.connect(module_server.db) as db:
        for table, key in (("sessions", "code"), ("participants", "session_code"),
                           ("events", "session_code")):  # fmt: skip
            n = db.execute(f"SELECT COUNT(*) FROM {table} WHERE {key} = ?", (code,)).fetchone()
            assert n == (0,), table


def test_an_uploaded_scenario_is_replaced_and_deleted_once_unused(module_server):
    sc = scenario_dict(id="course-upload", title="First version")
    assert module_server.upload(sc).status_code == 201
    code = module_server.create_session(scenario="course-upload")
    r = module_server.api(
        "PUT", "/api/scenarios/course-upload", json={**sc, "title": "Second version"}
    )
    assert r.status_code == 200, r.text
    got = module_server.api("GET", "/api/scenarios/course-upload").json()
    assert got["scenario"]["title"] == "Second version"
    # the session keeps its own copy
    assert module_server.api("GET", f"/api/sessions/{code}").json()["scenario"]["title"] == (
        "First version"
    )
    other = module_server.api("PUT", "/api/scenarios/course-upload", json={**sc, "id": "zz"})
    assert other.status_code == 400
    shipped = module_server.api("DELETE", f"/api/scenarios/{SCENARIO['id']}x")
    assert shipped.status_code == 404
    used = module_server.api("DELETE", "/api/scenarios/course-upload")
    assert used.status_code == 409 and code in used.json()["errors"][0]
    module_server.api("DELETE", f"/api/sessions/{code}?confirm={code}")
    assert module_server.api("DELETE", "/api/scenarios/course-upload").status_code == 200
    assert module_server.api("GET", "/api/scenarios/course-upload").status_code == 404
