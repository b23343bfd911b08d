"""Computer counterparts in the real server: a human plays an agent to the end over Socket.IO
with a server restart in the middle, the practice link, and ``serve --agents FILE`` (a good file
adds its strategy; a file that fails to import is reported and the server starts anyway)."""

from __future__ import annotations

import requests

from tests.server.helpers import SCENARIO, SCENARIO_ID, export, offers, ok, pkg
from tests.support import Server

BUYER_BEST = pkg(0, 0, 2, 1)
FAST = [0.2, 0.5]


def test_a_human_plays_an_agent_to_the_end_and_a_restart_resumes_it(server, players):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(
        scenario=SCENARIO_ID,
        agents={"mode": "research", "openings": ["meso-extreme"], "think_s": FAST},
    )
    joined = server.join(code, "Ann")
    ann = players(server, joined["token"])
    state = ann.wait(lambda s: len(offers(s)) == 1)  # the agent (seller, first mover) opens
    n = state["negotiation"]
    assert n["role"] == "buyer" and n["partner"]["connected"]
    assert len(n["offers"][0]["packages"]) >= 2  # a MESO opening, as the condition says
    ok(ann.call("propose", {"packages": [BUYER_BEST]}))
    ann.wait(lambda s: len(offers(s)) == 2)

    server.restart()  # before (or while) the agent answers
    ann.close()
    ann = players(server, joined["token"])
    state = ann.wait(lambda s: len(offers(s)) == 3, timeout=15)  # the agent resumed
    latest = state["negotiation"]["offers"][-1]
    assert latest["by"] == "seller"
    ok(ann.call("accept", {"offer_id": latest["id"], "package": 0}))
    done = ann.wait_phase("done")
    assert done["negotiation"]["outcome"]["reason"] == "accepted"
    assert done["negotiation"]["debrief"] is not None

    parts = {p["participant_id"]: p for p in export(server, code, "participants")}
    agent = next(p for p in parts.values() if p["kind"] == "agent")
    assert agent["strategy"] == "scripted" and '"opening":"meso"' in agent["params"]
    assert parts[joined["participant_id"]]["kind"] == "human"
    proposers = [
        e["participant_id"] for e in export(server, code, "events") if e["type"] == "proposed"
    ]
    assert proposers == [agent["participant_id"], joined["participant_id"], agent["participant_id"]]


def test_practice_link_creates_a_session_and_sends_to_its_join_page(server):
    page = requests.get(f"{server.url}/practice/job-offer", timeout=10)
    assert page.status_code == 200 and "Start practising" in page.text
    assert requests.get(f"{server.url}/practice/nope", timeout=10).status_code == 404
    r = requests.post(f"{server.url}/practice/job-offer", allow_redirects=False, timeout=10)
    assert r.status_code == 303 and "/join/" in r.headers["Location"]
    code = r.headers["Location"].rsplit("/", 1)[1]
    session = server.api("GET", f"/api/sessions/{code}").json()
    assert session["code"] == code
    bad = requests.post(
        f"{server.url}/practice/job-offer?strategy=nope", allow_redirects=False, timeout=10
    )
    assert bad.status_code == 400 and "unknown strategy" in bad.text


def test_the_scenario_page_of_the_console_gives_its_practice_link(server):
    from tests.server.test_instructor_auth import login

    web, _ = login(server)
    html = web.get(f"{server.url}/instructor/scenarios/job-offer", timeout=10).text
    assert f"{server.url}/practice/job-offer" in html


def test_session_agents_setting_errors_name_the_field(server):
    r = server.api(
        "POST", "/api/sessions", json={"scenario": "job-offer", "agents": {"strategy": "nope"}}
    )
    assert r.status_code == 400 and any("agents.strategy" in e for e in r.json()["errors"])
    r = server.api(
        "POST",
        "/api/sessions",
        json={"scenario": "job-offer", "agents": {"strategy": "boulware", "params": {"e": -1}}},
    )
    assert r.status_code == 400
    assert any("agents.params" in e and "'e'" in e for e in r.json()["errors"])


GOOD = """
class Stubborn:
    name = "stubborn"

    def __init__(self, **params):
        self.params = params

    def act(self, view, memory, rng, now):
        return None
"""


def test_serve_agents_file_good_and_bad(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(GOOD)
    bad = tmp_path / "bad.py"
    bad.write_text("import no_such_module_here\n")
    for f, expect in ((good, "Agents loaded"), (bad, "failed to import")):
        s = Server(tmp_path / f.stem)
        s.start_args = ["--agents", str(f)]
        s.start()
        try:
            log = s.log_path.read_text()
            assert expect in log, log
            if f is good:
                code = s.create_session(scenario="job-offer", agents={"strategy": "stubborn"})
                assert code
            else:
                assert "bad.py" in log and "no_such_module_here" in log
                assert requests.get(s.url + "/healthz", timeout=5).ok
        finally:
            s.stop()
