"""Computer counterparts as parties of sessions with a middle seat, over a real hub and SQLite file
on a fake clock (the runner, game/server/agents.py): the odd one out of a round plays an agent
with the computer facilitator; a participant who waited gets an agent with the computer mediator,
which proposes at once; a restart while the agent thinks resumes it from the log."""

from __future__ import annotations

import json

from game.server.agents import Runner
from tests.unit.test_agent_runner import SC, human, make_world, reopen, run
from tests.unit.test_agent_runner import Spy as _Spy


def session(hub, protocol, **agents):
    return hub.create_session(
        {
            "scenario": SC,
            "protocol": protocol,
            "conditions": [protocol],
            "middle": "computer",
            "pairing": agents.pop("pairing", "arrival"),
            "agents": {"think_s": [1, 1], **agents},
        }
    )


def test_the_odd_one_out_plays_an_agent_on_the_computer_facilitators_text(tmp_path):
    from game.core import agents

    w = make_world(tmp_path)
    hub = w.hub
    code = session(hub, "single_text", mode="fill", pairing="rounds")
    people = dict(human(hub, code, name) for name in ("A", "B", "C"))
    _, pairs, _ = hub.start_round(code)
    assert pairs == 2
    parts, negs = hub.members(code)
    (agent,) = [p for p in parts if p.is_agent]
    n = next(n for n in negs if agent.id in n.participants)
    assert len(n.state.drafts) == 1  # the computer facilitator drafted at once
    runner = Runner(hub, lambda _: None)
    spy = runner.made[agent.id] = _Spy(agents.make("linear"))
    pid = next(x for x in n.participants if x != agent.id)
    sid = people[pid]
    for _ in range(40):  # the human endorses every draft; the agent marks until it endorses
        if not n.state.is_open:
            break
        d = n.state.latest
        me = n.seat(pid)
        if me not in d.endorsed:
            assert hub.act(sid, "endorse", {"draft_id": d.id})[0]["ok"]
        run(w, runner, 2)
    assert n.state.status == "agreed"
    sc = n.state.scenario
    theirs = n.seat(pid)
    rows = w.store.read(
        "SELECT participant_id, type FROM events WHERE negotiation_id = ? AND type IN "
        "('marked', 'endorsed')",
        [n.id],
    )
    assert {r["type"] for r in rows if r["participant_id"] == agent.id} == {"marked", "endorsed"}
    for text in spy.views:  # the agent's views: its own seat's, nothing of the human's
        view = json.loads(text)
        assert view["negotiation"]["seat"] == "party"
        assert view["negotiation"]["scenario"] == sc.role_view(n.seat(agent.id))
        assert sc.role(theirs).brief not in text


def test_a_waiting_participant_gets_an_agent_and_the_computer_mediator_proposes_at_once(tmp_path):
    w = make_world(tmp_path)
    hub = w.hub
    code = session(hub, "mediated", mode="fill", wait_s=5)
    pid, sid = human(hub, code)
    runner = Runner(hub, lambda _: None)
    run(w, runner, 6)
    n = hub.current(hub.participant(pid))
    assert n is not None and n.state.proposals  # the mediator's first proposal, at once
    agent = next(x for x in n.participants if x != pid)
    run(w, runner, 2)
    assert n.state.confided[n.seat(agent)]  # the agent confided (all its issues, the default)
    assert len(n.state.confided[n.seat(agent)]) == len(n.state.scenario.issues)


def test_a_restart_while_the_agent_thinks_resumes_it(tmp_path):
    w = make_world(tmp_path)
    hub = w.hub
    code = session(hub, "mediated", mode="practice", params={"confide": "none"})
    pid, sid = human(hub, code)
    runner = Runner(hub, lambda _: None)
    run(w, runner, 0.5)
    n = hub.current(hub.participant(pid))
    agent = next(x for x in n.participants if x != pid)
    assert len(n.state.proposals) == 1 and not n.state.latest.answers
    hub = reopen(w)  # before the agent, thinking 1 s, answers
    runner = Runner(hub, lambda _: None)
    n = hub.negotiation(n.id)
    assert n.state.is_open and not n.state.latest.answers
    run(w, runner, 1.5)
    answer = n.state.proposals[0].answers.get(n.seat(agent))
    assert answer is not None and answer["reason"]
    assert not n.state.confided  # confide none: nothing told
    rows = w.store.read(
        "SELECT participant_id FROM events WHERE negotiation_id = ? AND type = 'answered'", [n.id]
    )
    assert [r["participant_id"] for r in rows] == [agent]
