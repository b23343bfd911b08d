"""Deadlines: fixed at pairing, enforced by the server itself as an impasse."""

from __future__ import annotations

from datetime import datetime

from tests.server.helpers import (
    BATNAS,
    MESO,
    export,
    neg,
    new_pair,
    ok,
)
from tests.support import scenario_dict


def test_the_server_ends_a_negotiation_at_its_deadline_by_itself(module_server, players):
    # 4 s: room for an offer and a chat before the deadline even on a loaded machine
    pair = new_pair(module_server, players, time_limit_s=4)
    deadline = pair.seller.neg["deadline"]
    assert abs(deadline - (pair.seller.neg["started_at"] + 4)) < 0.01
    assert pair.buyer.neg["deadline"] == deadline
    ok(pair.seller.call("propose", {"packages": [MESO[0]]}))
    ok(pair.buyer.call("chat", {"text": "let me think"}))
    # nobody acts: both are sent the end
    for p, role in ((pair.seller, "seller"), (pair.buyer, "buyer")):
        st = p.wait_phase("done", timeout=20)  # a liveness bound
        n = neg(st)
        assert n["status"] == "impasse"
        assert n["turn"] is None
        assert n["outcome"]["reason"] == "deadline"
        assert n["outcome"]["package"] is None
        assert n["outcome"]["points"] == BATNAS[role]
        assert len(n["offers"]) == 1 and len(n["chat"]) == 1
    # and nothing more can happen
    answer = pair.buyer.call(
        "accept", {"offer_id": pair.buyer.neg["offers"][0]["id"], "package": 0}
    )
    assert answer["error"]["code"] == "not_negotiating"
    rows = export(module_server, pair.code, "negotiations")
    assert rows[0]["status"] == "impasse" and rows[0]["end_reason"] == "deadline"
    assert float(rows[0]["points_0"]) == BATNAS["seller"]
    assert float(rows[0]["points_1"]) == BATNAS["buyer"]
    assert rows[0]["agreement"] == "" and rows[0]["pareto_optimal"] == ""
    ended = datetime.fromisoformat(rows[0]["ended_at"].replace("Z", "+00:00")).timestamp()
    assert abs(ended - deadline) < 0.01
    events = export(module_server, pair.code, "events")
    made = [e for e in events if e["type"] == "deadline"]
    assert len(made) == 1
    assert made[0]["participant_id"] == ""
    assert made[0]["negotiation_id"] == pair.seller.neg["id"]


def test_without_a_time_limit_there_is_no_deadline(module_server, players):
    pair = new_pair(module_server, players, time_limit_s=None)
    assert pair.seller.neg["deadline"] is None
    assert pair.buyer.neg["deadline"] is None


def test_an_absent_time_limit_takes_the_scenarios(module_server, players):
    timed = scenario_dict(id="test-timed", time_limit_s=600)
    assert module_server.upload(timed).status_code == 201
    code = module_server.create_session(scenario="test-timed")
    r = module_server.api("GET", f"/api/sessions/{code}")
    assert r.json()["time_limit_s"] == 600
    pair = new_pair(module_server, players, scenario="test-timed")
    n = pair.seller.neg
    assert abs(n["deadline"] - (n["started_at"] + 600)) < 0.01
    # an explicit null means no limit at all
    pair = new_pair(module_server, players, scenario="test-timed", time_limit_s=None)
    assert pair.seller.neg["deadline"] is None
    # the session's own limit wins over the scenario's
    pair = new_pair(module_server, players, scenario="test-timed", time_limit_s=120)
    n = pair.seller.neg
    assert abs(n["deadline"] - (n["started_at"] + 120)) < 0.01
