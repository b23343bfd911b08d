"""SIGKILL of the server mid-negotiation and restart on the same database: nothing
acknowledged is lost, the same tokens reconnect, deadlines hold across the downtime."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time

from tests.server.helpers import (
    BATNAS,
    GREEDY,
    MESO,
    SCENARIO,
    export,
    neg,
    new_pair,
    offers,
    ok,
    pair_in,
    pkg,
    points,
)


def reconnect(server, players, *tokens):
    return [players(server, t) for t in tokens]


def test_sigkill_mid_negotiation_loses_nothing_acknowledged(server, players):
    assert server.upload(SCENARIO).status_code == 201
    pair = new_pair(server, players, conditions=["meso"])
    seller, buyer = pair.both
    offer_ids = []
    offer_ids.append(ok(seller.call("propose", {"packages": MESO}))["offer_id"])
    chats = []
    for n in range(20):
        who, role = (seller, "seller") if n % 2 else (buyer, "buyer")
        text = f"message {n} from the {role}"
        ok(who.call("chat", {"text": text}))
        chats.append((role, text))
    buyer.wait(lambda s: len(offers(s)) == 1)
    offer_ids.append(
        ok(
            buyer.call(
                "propose",
                {"packages": [GREEDY], "based_on": {"offer_id": offer_ids[0], "package": 1}},
            )
        )["offer_id"]
    )
    seller.wait(lambda s: len(offers(s)) == 2)
    offer_ids.append(
        ok(seller.call("propose", {"packages": [MESO[0], pkg(0, 1, 0, 1)]}))["offer_id"]
    )
    before = {p.token: p.state for p in pair.both}

    server.kill()  # right after the last acknowledgement
    for p in pair.both:
        p.close()
    server.start()

    seller2, buyer2 = reconnect(server, players, seller.token, buyer.token)
    for p, old in ((seller2, seller), (buyer2, buyer)):
        st = p.wait(lambda s: len(offers(s)) == 3)
        n = neg(st)
        prev = neg(before[old.token])
        assert st["phase"] == "negotiating"
        assert st["participant"] == before[old.token]["participant"]
        assert n["id"] == prev["id"] and n["role"] == prev["role"]
        assert n["condition"] == "meso"
        assert [o["id"] for o in n["offers"]] == offer_ids
        assert [(c["by"], c["text"]) for c in n["chat"]] == chats
        assert n["offers"][1]["based_on"] == {"offer_id": offer_ids[0], "package": 1}
        assert n["turn"] == "buyer"
        assert n["offers_left"] == prev["max_offers"] - 3
    # the negotiation finishes after the restart
    ok(buyer2.call("accept", {"offer_id": offer_ids[2], "package": 1}))
    for p, role in ((seller2, "seller"), (buyer2, "buyer")):
        n = neg(p.wait_phase("done"))
        assert n["outcome"]["package"] == pkg(0, 1, 0, 1)
        assert n["outcome"]["points"] == points(pkg(0, 1, 0, 1))[role]
    # and the export holds everything
    rows = export(server, pair.code, "offers")
    assert [r["offer_id"] for r in rows] == [offer_ids[0]] * 3 + [offer_ids[1]] + [offer_ids[2]] * 2
    chat_rows = [r for r in export(server, pair.code, "events") if r["type"] == "chat"]
    assert len(chat_rows) == 20


def test_a_kill_while_events_are_in_flight_keeps_every_acknowledged_one(server, players):
    assert server.upload(SCENARIO).status_code == 201
    pair = new_pair(server, players)
    texts = [f"burst {n}" for n in range(30)]
    acked: list[str] = []
    enough = threading.Event()
    lock = threading.Lock()

    def cb_for(text):
        def cb(answer=None, *_):
            if answer and answer.get("ok"):
                with lock:
                    acked.append(text)
                    if len(acked) >= 8:
                        enough.set()

        return cb

    for t in texts:
        pair.seller.client.emit("chat", {"text": t}, callback=cb_for(t))
    assert enough.wait(15), "the server acknowledged fewer than 8 chats"
    server.kill()
    with lock:
        acknowledged = list(acked)
    for p in pair.both:
        p.close()
    server.start()

    (seller,) = reconnect(server, players, pair.seller.token)
    stored = [c["text"] for c in neg(seller.wait_phase("negotiating"))["chat"]]
    assert set(acknowledged) <= set(stored)
    assert set(stored) <= set(texts)
    assert len(stored) == len(set(stored))


def test_a_deadline_that_passed_while_the_server_was_down_ends_the_negotiation_at_once(
    server, players
):
    assert server.upload(SCENARIO).status_code == 201
    # 4 s: room for one offer and the kill before the deadline even on a loaded machine (the
    # test then waits them out; the in-process version on a fake clock is tests/unit/test_hub.py)
    pair = new_pair(server, players, time_limit_s=4)
    deadline = pair.seller.neg["deadline"]
    assert deadline is not None
    offer_id = ok(pair.seller.call("propose", {"packages": [MESO[0]]}))["offer_id"]
    server.kill()
    for p in pair.both:
        p.close()
    # the negotiation was still open when the server died (no state said otherwise)
    assert all(neg(st).get("status") in (None, "open") for p in pair.both for st in p.states)
    # the passing of wall-clock time is what is tested here
    time.sleep(max(0.0, deadline - time.time() + 0.3))
    server.start()

    seller, buyer = reconnect(server, players, pair.seller.token, pair.buyer.token)
    for p, role in ((seller, "seller"), (buyer, "buyer")):
        st = p.wait(lambda s: True)  # the very first state after connecting
        assert st["phase"] == "done"
        n = neg(st)
        assert n["status"] == "impasse"
        assert n["outcome"]["reason"] == "deadline"
        assert n["outcome"]["points"] == BATNAS[role]
        assert [o["id"] for o in n["offers"]] == [offer_id]
    rows = export(server, pair.code, "negotiations")
    assert rows[0]["end_reason"] == "deadline"
    # the impasse happened at the deadline, not when the server came back
    events = [r for r in export(server, pair.code, "events") if r["type"] == "deadline"]
    assert len(events) == 1 and events[0]["participant_id"] == ""
    from datetime import datetime

    ended = datetime.fromisoformat(rows[0]["ended_at"].replace("Z", "+00:00")).timestamp()
    assert abs(ended - deadline) < 0.01


def test_a_deadline_still_ahead_at_restart_is_enforced_after_it(server, players):
    assert server.upload(SCENARIO).status_code == 201
    pair = new_pair(server, players, time_limit_s=2.5)
    deadline = pair.seller.neg["deadline"]
    server.kill()
    for p in pair.both:
        p.close()
    server.start()
    seller, buyer = reconnect(server, players, pair.seller.token, pair.buyer.token)
    st = seller.wait(lambda s: True)
    if time.time() < deadline - 0.2:
        assert st["phase"] == "negotiating"
        assert neg(st)["deadline"] == deadline
    for p, role in ((seller, "seller"), (buyer, "buyer")):
        n = neg(p.wait_phase("done", timeout=20))  # a liveness bound: 2.5 s at most, normally
        assert n["outcome"]["reason"] == "deadline"
        assert n["outcome"]["points"] == BATNAS[role]


def test_after_a_restart_waiting_participants_are_paired_when_they_reconnect(server, players):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(scenario="test-supply")
    lone = players(server, server.join(code, "Lone")["token"])
    lone.wait_phase("lobby")
    server.kill()
    lone.close()
    server.start()
    again = players(server, lone.token)
    again.wait_phase("lobby")
    late = players(server, server.join(code, "Late")["token"])
    st = late.wait_phase("negotiating")
    assert again.wait_phase("negotiating")["negotiation"]["id"] == neg(st)["id"]
    # joining over HTTP before the crash did not queue anyone else
    assert {again.neg["role"], late.neg["role"]} == {"seller", "buyer"}


def test_an_uploaded_scenario_and_sessions_survive_a_restart(server, players):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(scenario="test-supply", conditions=["single"], max_offers=4)
    server.restart()
    listed = {s["id"] for s in server.api("GET", "/api/scenarios").json()}
    assert "test-supply" in listed
    assert server.upload(SCENARIO).status_code == 409
    r = server.api("GET", f"/api/sessions/{code}")
    assert r.status_code == 200
    assert r.json()["conditions"] == ["single"] and r.json()["max_offers"] == 4
    assert server.create_session(scenario="test-supply")
    pair = pair_in(server, players, code)
    assert pair.seller.neg["condition"] == "single"
    assert pair.seller.neg["max_offers"] == 4


def test_rounds_go_on_after_a_restart_with_new_partners_and_the_next_sitter(server, players):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(scenario="test-supply", pairing="rounds")
    ps = []
    for k in range(3):
        p = players(server, server.join(code, f"R{k}")["token"])
        p.wait_phase("lobby")
        ps.append(p)
    r = server.api("POST", f"/api/sessions/{code}/rounds")
    assert r.json() == {"round": 1, "negotiations": 1}
    playing = [
        p for p in ps if p.wait(lambda s: s["session"]["round"] == 1)["phase"] == "negotiating"
    ]
    (sitter,) = [p for p in ps if p not in playing]
    first = {p.state["participant"]["id"]: p.neg["role"] for p in playing}
    ok(playing[0].call("walk_away", {}))
    for p in playing:
        p.wait_phase("done")

    server.kill()
    for p in ps:
        p.close()
    server.start()
    again = [players(server, p.token) for p in ps]
    for p in again:
        p.wait(lambda s: s["session"]["round"] == 1)
    r = server.api("POST", f"/api/sessions/{code}/rounds")
    assert r.json() == {"round": 2, "negotiations": 1}
    states = [p.wait(lambda s: s["session"]["round"] == 2) for p in again]
    in_round_2 = [s for s in states if s["phase"] == "negotiating"]
    sitter_id = sitter.state["participant"]["id"]
    # the round number, who sat out and who had which role all came back from the log:
    # the one who sat out round 1 plays round 2, and whoever played both switches roles
    assert sitter_id in {s["participant"]["id"] for s in in_round_2}
    for s in in_round_2:
        pid = s["participant"]["id"]
        if pid in first:
            assert neg(s)["role"] != first[pid]


def test_the_server_checkpoints_the_wal_into_the_database_file_by_itself(server, players, tmp_path):
    """Commits only append to the WAL; the server's background checkpoints (off the event loop)
    copy them into the database file within a few seconds."""
    assert server.upload(SCENARIO).status_code == 201
    pair = new_pair(server, players, conditions=["meso"])
    seller, buyer = pair.both
    offer_id = ok(seller.call("propose", {"packages": MESO}))["offer_id"]
    ok(buyer.call("accept", {"offer_id": offer_id, "package": 0}))
    seller.wait_phase("done")

    def in_the_file_alone() -> int:
        copy = tmp_path / "file-alone.db"
        shutil.copyfile(server.db, copy)
        conn = sqlite3.connect(copy)
        try:
            return conn.execute(
                "SELECT count(*) FROM events WHERE type IN ('proposed', 'accepted')"
            ).fetchone()[0]
        except sqlite3.DatabaseError:  # not there yet, or copied mid-checkpoint
            return 0
        finally:
            conn.close()

    end = time.monotonic() + 30  # a liveness bound: checkpoints come every second
    while in_the_file_alone() < 2:
        assert time.monotonic() < end, "no checkpoint within 30 s"
        time.sleep(0.2)  # polling the file: the checkpoint sends no event to wait for
