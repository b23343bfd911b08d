"""Computer counterparts in the console: the new session form's agents, the odd one out of a
round playing the computer, the live data marking agent seats, standings of students only, and
the debrief keeping human-vs-agent negotiations apart."""

from __future__ import annotations

import re
import threading

from tests.server.helpers import SCENARIO, SCENARIO_ID, offers, ok
from tests.server.test_instructor_auth import login


def test_a_round_with_an_odd_class_fills_the_seat_and_the_console_tells_agents_apart(
    server, players
):
    assert server.upload(SCENARIO).status_code == 201
    web, csrf = login(server)
    r = web.post(
        server.url + "/instructor/sessions/new",
        data={
            "csrf_token": csrf, "scenario": SCENARIO_ID, "cond_any": "1", "weight_any": "1",
            "pairing": "rounds", "agents_mode": "fill", "agents_strategy": "conceder",
            "agents_wait_s": "60", "agents_think_lo": "0.2", "agents_think_hi": "0.4",
        },
        allow_redirects=False,
        timeout=10,
    )  # fmt: skip
    assert r.status_code == 302, r.text
    code = r.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    people = [players(server, server.join(code, n)["token"]) for n in ("Ann", "Bob", "Cy")]
    for p in people:
        p.wait(lambda s: s.get("phase") == "lobby")
    r = server.api("POST", f"/api/sessions/{code}/rounds")
    assert r.status_code in (200, 201), r.text
    for p in people:
        p.wait_phase("negotiating")
    view = server.api("GET", f"/api/sessions/{code}").json()
    agents = [p for p in view["participants"] if p["kind"] == "agent"]
    assert len(agents) == 1 and agents[0]["strategy"] == "conceder"
    with_agent = [n for n in view["negotiations"] if "agent" in n["kinds"]]
    assert len(with_agent) == 1 and with_agent[0]["strategies"].count("conceder") == 1
    # everyone plays to the end, each in a thread of its own: accept what reaches them
    errors = []
    threads = [threading.Thread(target=play_out, args=(p, errors)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    standings = server.api("GET", f"/api/sessions/{code}/standings").json()
    rows = standings["standings"] if isinstance(standings, dict) else standings
    assert sorted(r["name"] for r in rows) == ["Ann", "Bob", "Cy"]
    debrief = web.get(f"{server.url}/instructor/api/sessions/{code}/debrief", timeout=10).json()
    assert debrief["agents_summary"]["negotiations"] == 1
    assert sum(c["negotiations"] for c in debrief["summary"]["counts"].values()) == 1
    pairs = sorted(n["pair"] for n in debrief["negotiations"])
    assert pairs == ["human-agent", "human-human"]
    page = web.get(f"{server.url}/instructor/sessions/{code}/debrief", timeout=10).text
    assert "Against computer counterparts" in page and re.search(r"conceder", page)


MIDDLE = {
    "price": "price1",
    "delivery": "delivery1",
    "warranty": "warranty1",
    "training": "training1",
}


def play_out(p, errors):
    """Offer the middle package on one's turn; accept any offer that reaches one."""
    try:
        for _ in range(40):
            s = p.wait(
                lambda s: (
                    s["phase"] == "done" or s["negotiation"]["turn"] == s["negotiation"]["role"]
                ),
                30,
            )
            if s["phase"] == "done":
                return
            n = s["negotiation"]
            seen = len(n["offers"])
            if n["offers"] and n["offers"][-1]["by"] != n["role"]:
                ok(p.call("accept", {"offer_id": n["offers"][-1]["id"], "package": 0}))
            else:
                ok(p.call("propose", {"packages": [MIDDLE]}))
            p.wait(lambda s2, seen=seen: len(offers(s2)) > seen or s2["phase"] == "done", 30)
        errors.append(f"{p.token}: did not finish")
    except Exception as e:  # reported by the test
        errors.append(repr(e))


def test_the_form_names_a_bad_agent_setting(server):
    web, csrf = login(server)
    r = web.post(
        server.url + "/instructor/sessions/new",
        data={
            "csrf_token": csrf, "scenario": "job-offer", "cond_single": "1", "weight_single": "1",
            "pairing": "arrival", "agents_mode": "research", "agents_strategy": "scripted",
            "agents_openings": "meso-extreme", "agents_think_lo": "5", "agents_think_hi": "1",
        },
        timeout=10,
    )  # fmt: skip
    assert r.status_code == 400
    assert "Computer counterparts" in r.text and "least &lt;= most" in r.text
    assert "MESO opening needs conditions without single" in r.text
