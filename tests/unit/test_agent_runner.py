"""The runner of computer counterparts over a real hub and SQLite file, on a fake clock.

Agents act through ``Hub.act`` like a human (the event log names the agent participant), after
a think time; a restart in the middle resumes them from the log; in rounds the odd one out plays
an agent; in arrival a participant who waited ``wait_s`` gets one; practice pairs at once.
"""

from __future__ import annotations

import json

from game.server.agents import Runner
from game.server.hub import Hub
from game.server.store import Store
from tests.unit.test_hub import T0, Clock, World  # noqa: F401 - the same world as the hub's

SC = "job-offer"


def make_world(tmp_path):
    from game.paths import SCENARIOS

    w = World.__new__(World)
    w.path = tmp_path / "agents.db"
    w.clock = Clock()
    w.store = Store(w.path)
    w.hub = Hub(w.store, SCENARIOS, clock=w.clock)
    return w


def reopen(w):
    from game.paths import SCENARIOS

    w.store.close()
    w.store = Store(w.path)
    w.hub = Hub(w.store, SCENARIOS, clock=w.clock)
    return w.hub


def run(w, runner, seconds, step=0.5):
    pushed = []
    runner.push = pushed.append
    for _ in range(int(seconds / step)):
        w.clock.now += step
        runner.step()
    return pushed


def human(hub, code, name="Ann"):
    token, pid = hub.join(code, {"name": name})
    hub.connect(token, f"sid-{name}")
    return pid, f"sid-{name}"


def test_practice_student_plays_an_agent_to_the_end_and_the_log_names_it(tmp_path):
    w = make_world(tmp_path)
    hub = w.hub
    code = hub.create_session(
        {"scenario": SC, "agents": {"mode": "practice", "strategy": "conceder", "think_s": [1, 2]}}
    )
    pid, sid = human(hub, code)
    runner = Runner(hub, lambda _: None)
    run(w, runner, 1)
    n = hub.current(hub.participant(pid))
    assert n is not None and n.state.is_open
    agent_pid = next(x for x in n.participants if x != pid)
    agent = hub.participant(agent_pid)
    assert agent.is_agent and agent.strategy == "conceder"
    # the human plays: propose their best package whenever it is their turn, accept at the end
    me = n.state.scenario.role_ids[n.participants.index(pid)]
    for _ in range(100):
        if not n.state.is_open:
            break
        if n.state.turn == me:
            if n.state.offers_left == 0 or len(n.state.offers) > 6:
                answer, _ = hub.act(sid, "accept", {"offer_id": n.state.latest.id, "package": 0})
            else:
                sc = n.state.scenario
                best = {
                    i.id: max(i.options, key=lambda o: o.points[sc.role_index(me)]).id
                    for i in sc.issues
                }
                answer, _ = hub.act(sid, "propose", {"packages": [best]})
            assert answer["ok"], answer
        before = n.state.events
        run(w, runner, 3)
        assert n.state.events > before or not n.state.is_open
    assert not n.state.is_open and n.state.outcome.reason == "accepted"
    rows = w.store.read(
        "SELECT participant_id, type FROM events WHERE negotiation_id = ? AND type = 'proposed'",
        [n.id],
    )
    assert {r["participant_id"] for r in rows} == {pid, agent_pid}
    parts = w.store.read(
        "SELECT kind, strategy, params FROM participants WHERE participant_id = ?", [agent_pid]
    )
    assert parts[0]["kind"] == "agent" and parts[0]["strategy"] == "conceder"
    assert json.loads(parts[0]["params"])["e"] == 2.0


def test_an_agent_waits_its_think_time_then_acts(tmp_path):
    w = make_world(tmp_path)
    hub = w.hub
    code = hub.create_session(
        {
            "scenario": SC,
            "agents": {"mode": "research", "think_s": [4, 4], "openings": ["meso-extreme"]},
        }
    )
    pid, _ = human(hub, code)
    runner = Runner(hub, lambda _: None)
    run(w, runner, 0.5)
    n = hub.current(hub.participant(pid))
    assert n.participants[n.state.scenario.role_index(n.state.scenario.first_mover)] != pid
    run(w, runner, 3)
    assert not n.state.offers  # still thinking (4 s)
    run(w, runner, 1.5)
    assert len(n.state.offers) == 1 and len(n.state.offers[0].packages) >= 2  # a MESO opening


def test_a_restart_in_the_middle_resumes_the_agent(tmp_path):
    w = make_world(tmp_path)
    hub = w.hub
    code = hub.create_session(
        {
            "scenario": SC,
            "agents": {"mode": "research", "think_s": [1, 1], "openings": ["single-moderate"]},
        }
    )
    pid, sid = human(hub, code)
    runner = Runner(hub, lambda _: None)
    run(w, runner, 2)
    n = hub.current(hub.participant(pid))
    assert len(n.state.offers) == 1
    # the human counters, then the server restarts before the agent answers
    sc = n.state.scenario
    me = sc.role_ids[n.participants.index(pid)]
    best = {i.id: max(i.options, key=lambda o: o.points[sc.role_index(me)]).id for i in sc.issues}
    assert hub.act(sid, "propose", {"packages": [best]})[0]["ok"]
    hub = reopen(w)
    runner = Runner(hub, lambda _: None)  # a new process: nothing of the old runner
    n = hub.negotiation(n.id)
    assert len(n.state.offers) == 2 and n.state.is_open
    run(w, runner, 2)
    assert len(n.state.offers) == 3 or not n.state.is_open
    agent = hub.participant(next(x for x in n.participants if x != pid))
    assert agent.is_agent and agent.connected


def test_rounds_the_odd_one_out_plays_an_agent(tmp_path):
    w = make_world(tmp_path)
    hub = w.hub
    code = hub.create_session({"scenario": SC, "pairing": "rounds", "agents": {"mode": "fill"}})
    for name in ("A", "B", "C"):
        human(hub, code, name)
    rnd, pairs, touched = hub.start_round(code)
    assert pairs == 2
    parts, negs = hub.members(code)
    agents = [p for p in parts if p.is_agent]
    assert len(agents) == 1
    assert not any(e for e in w.store.read("SELECT 1 FROM events WHERE type = 'sat_out'"))


def test_arrival_fill_after_wait(tmp_path):
    w = make_world(tmp_path)
    hub = w.hub
    code = hub.create_session({"scenario": SC, "agents": {"mode": "fill", "wait_s": 30}})
    pid, _ = human(hub, code)
    runner = Runner(hub, lambda _: None)
    run(w, runner, 20)
    assert hub.current(hub.participant(pid)) is None
    run(w, runner, 11)
    assert hub.current(hub.participant(pid)) is not None


def test_practice_never_pairs_two_humans(tmp_path):
    w = make_world(tmp_path)
    hub = w.hub
    code = hub.create_session({"scenario": SC, "agents": {"mode": "practice"}})
    a, _ = human(hub, code, "A")
    b, _ = human(hub, code, "B")
    runner = Runner(hub, lambda _: None)
    run(w, runner, 1)
    na, nb = hub.current(hub.participant(a)), hub.current(hub.participant(b))
    assert na.id != nb.id
    assert b not in na.participants


class Spy:
    """Wraps an agent and keeps every view it is given."""

    def __init__(self, agent):
        self.agent = agent
        self.name = agent.name
        self.views = []

    def act(self, view, memory, rng, now):
        self.views.append(json.dumps(view))
        return self.agent.act(view, memory, rng, now)


def test_every_view_the_runner_gives_an_agent_is_its_roles_only(tmp_path):
    from game.core import agents

    w = make_world(tmp_path)
    hub = w.hub
    code = hub.create_session(
        {"scenario": SC, "agents": {"mode": "practice", "strategy": "boulware", "think_s": [1, 1]}}
    )
    pid, sid = human(hub, code)
    runner = Runner(hub, lambda _: None)
    run(w, runner, 1)
    n = hub.current(hub.participant(pid))
    agent_pid = next(x for x in n.participants if x != pid)
    spy = runner.made[agent_pid] = Spy(agents.make("boulware"))
    sc = n.state.scenario
    me = sc.role_ids[n.participants.index(pid)]
    mine = sc.role(me)
    for _ in range(40):
        if not n.state.is_open:
            break
        if n.state.turn == me:
            if n.state.offers_left <= 1:
                hub.act(sid, "walk_away", {})
            else:
                hub.act(sid, "propose", {"packages": [sc.compromise()]})
        run(w, runner, 2)
    assert not n.state.is_open and spy.views
    for text in spy.views:
        assert mine.brief not in text
        assert f'"batna": {mine.batna}' not in text or mine.batna == sc.role(sc.other(me)).batna
        view = json.loads(text)
        agent_role = sc.other(me)
        assert view["negotiation"]["scenario"] == sc.role_view(agent_role)
        for o in view["negotiation"]["offers"]:
            assert o["points"] == [sc.value(p, agent_role) for p in o["packages"]]


def test_research_openings_make_a_balanced_2x2_and_conditions_map_to_the_opening():
    """All four openings: every cell once in each block of four, the same for the same seed.
    Without openings, the negotiation's condition single or meso gives the opening's kind."""
    from game.core import lobby
    from game.core.agents.seating import agent_for
    from game.core.requests import OPENINGS

    setting = {"mode": "research", "strategy": "scripted", "params": {}, "openings": list(OPENINGS)}
    cells = [agent_for(setting, 11, i, "any")[1] for i in range(12)]
    pairs = [f"{c['opening']}-{c['level']}" for c in cells]
    for b in range(3):
        assert sorted(pairs[4 * b : 4 * b + 4]) == sorted(OPENINGS)
    assert pairs == [
        "{opening}-{level}".format(**agent_for(setting, 11, i, "any")[1]) for i in range(12)
    ]
    assert pairs != ["{opening}-{level}".format(**agent_for(setting, 12, i)[1]) for i in range(12)]
    plain = {"mode": "research", "strategy": "scripted", "params": {"level": "moderate"}}
    for i in range(6):
        condition = lobby.condition_for(["single", "meso"], 5, i)
        assert agent_for(plain, 5, i, condition)[1]["opening"] == condition
