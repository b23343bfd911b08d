"""Arrival and rounds pairing through the real server, and standings."""

from __future__ import annotations

import collections
import json
import threading

from tests.server.helpers import (
    BATNAS,
    MESO,
    SCENARIO_ID,
    export,
    neg,
    offers,
    ok,
    pkg,
    points,
    session_until,
)

# ---------------------------------------------------------------- arrival


def test_two_connected_participants_are_paired_at_once_with_the_two_roles(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID)
    a = players(module_server, module_server.join(code, "Ann")["token"])
    sa = a.wait_phase("lobby")
    assert sa["negotiation"] is None
    b = players(module_server, module_server.join(code, "Bob")["token"])
    na, nb = neg(a.wait_phase("negotiating")), neg(b.wait_phase("negotiating"))
    assert na["id"] == nb["id"]
    assert {na["role"], nb["role"]} == {"seller", "buyer"}
    assert na["partner"]["name"] == "Bob" and nb["partner"]["name"] == "Ann"
    assert na["partner"]["role"] == nb["role"]


def test_an_odd_participant_waits_in_the_lobby_with_a_state_that_says_so(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID)
    ps = [players(module_server, module_server.join(code, f"P{n}")["token"]) for n in range(3)]
    ps[0].wait_phase("negotiating")
    ps[1].wait_phase("negotiating")
    odd = ps[2].wait_phase("lobby")
    assert odd["negotiation"] is None
    assert odd["lobby"] and "wait" in odd["lobby"]["message"].lower()
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    waiting = [p for p in view["participants"] if p["waiting"]]
    assert [p["name"] for p in waiting] == ["P2"]
    # the next arrival is paired with the one who waited
    d = players(module_server, module_server.join(code, "P3")["token"])
    assert neg(d.wait_phase("negotiating"))["id"] == neg(ps[2].wait_phase("negotiating"))["id"]


def test_joining_over_http_alone_does_not_queue(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID)
    http_only = module_server.join(code, "Absent")
    b = players(module_server, module_server.join(code, "Present")["token"])
    st = b.wait_phase("lobby")
    assert st["negotiation"] is None
    c = players(module_server, module_server.join(code, "Third")["token"])
    nb, nc = neg(b.wait_phase("negotiating")), neg(c.wait_phase("negotiating"))
    assert nb["id"] == nc["id"]
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    absent = next(
        p for p in view["participants"] if p["participant_id"] == http_only["participant_id"]
    )
    assert absent["phase"] == "lobby" and absent["negotiation_id"] is None
    assert absent["waiting"] is False
    # once it connects it waits like anyone else
    a = players(module_server, http_only["token"])
    assert a.wait_phase("lobby")["negotiation"] is None


def test_a_participant_who_disconnects_while_waiting_leaves_the_queue(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID)
    gone = players(module_server, module_server.join(code, "Gone")["token"])
    gone.wait_phase("lobby")
    gone.close()
    session_until(module_server, code, lambda v: not any(p["waiting"] for p in v["participants"]))
    b = players(module_server, module_server.join(code, "Here")["token"])
    assert b.wait_phase("lobby")["negotiation"] is None
    c = players(module_server, module_server.join(code, "There")["token"])
    assert neg(c.wait_phase("negotiating"))["id"] == neg(b.wait_phase("negotiating"))["id"]


def test_under_arrival_pairing_each_participant_plays_one_negotiation(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID)
    a = players(module_server, module_server.join(code, "A")["token"])
    b = players(module_server, module_server.join(code, "B")["token"])
    a.wait_phase("negotiating")
    ok(b.call("walk_away", {}))
    a.wait_phase("done")
    b.wait_phase("done")
    a.close()
    b.close()
    again_a, again_b = players(module_server, a.token), players(module_server, b.token)
    for p in (again_a, again_b):
        st = p.wait(lambda s: True)
        assert st["phase"] == "done"
        assert neg(st)["outcome"]["reason"] == "walked_away"
    c = players(module_server, module_server.join(code, "C")["token"])
    assert c.wait_phase("lobby")["negotiation"] is None


def test_conditions_are_assigned_in_balanced_order_and_recorded(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, conditions=["single", "meso"])
    seen: dict[str, str] = {}
    for n in range(8):
        a = players(module_server, module_server.join(code, f"A{n}")["token"])
        b = players(module_server, module_server.join(code, f"B{n}")["token"])
        na = neg(a.wait_phase("negotiating"))
        assert neg(b.wait_phase("negotiating"))["condition"] == na["condition"]
        seen[na["id"]] = na["condition"]
    assert collections.Counter(seen.values()) == {"single": 4, "meso": 4}
    rows = export(module_server, code, "negotiations")
    assert {r["negotiation_id"]: r["condition"] for r in rows} == seen
    # balanced per block: every two negotiations in start order hold one of each
    by_index = sorted(rows, key=lambda r: int(r["condition_index"]))
    assert [int(r["condition_index"]) for r in by_index] == list(range(8))
    for k in range(0, 8, 2):
        assert {by_index[k]["condition"], by_index[k + 1]["condition"]} == {"single", "meso"}
    # each assignment is in the event log, with the session's seed
    paired = [e for e in export(module_server, code, "events") if e["type"] == "paired"]
    assert len(paired) == 8
    payloads = [json.loads(e["payload"]) for e in paired]
    assert {p["condition"] for p in payloads} == {"single", "meso"}
    assert len({p["seed"] for p in payloads}) == 1


def test_repeating_a_condition_gives_it_more_weight(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, conditions=["meso", "meso", "any"])
    got = []
    for n in range(3):
        a = players(module_server, module_server.join(code, f"A{n}")["token"])
        players(module_server, module_server.join(code, f"B{n}")["token"])
        got.append(neg(a.wait_phase("negotiating"))["condition"])
    assert sorted(got) == ["any", "meso", "meso"]


# ---------------------------------------------------------------- rounds


def start_round(server, code) -> dict:
    r = server.api("POST", f"/api/sessions/{code}/rounds")
    assert r.status_code == 201, r.text
    return r.json()


def connect_all(server, players, code, n):
    out = []
    for k in range(n):
        p = players(server, server.join(code, f"R{k}")["token"])
        p.wait_phase("lobby")
        out.append(p)
    return out


def round_of(ps, round_no):
    """{participant id: (negotiation id, role, partner id)} for everyone playing ``round_no``."""
    out = {}
    for p in ps:
        st = p.wait(lambda s: s["session"]["round"] == round_no)
        if st["phase"] == "negotiating" and neg(st)["round"] == round_no:
            out[st["participant"]["id"]] = (neg(st)["id"], neg(st)["role"])
    by_neg = collections.defaultdict(list)
    for pid, (nid, _) in out.items():
        by_neg[nid].append(pid)
    return {
        pid: (nid, role, next(x for x in by_neg[nid] if x != pid))
        for pid, (nid, role) in out.items()
    }


def finish_all(ps, deal=None):
    """End every open negotiation among ``ps``: walk away, or agree on ``deal`` when given."""
    done = set()
    for p in ps:
        n = p.neg
        if p.state.get("phase") != "negotiating" or n["id"] in done:
            continue
        done.add(n["id"])
        if deal is None:
            ok(p.call("walk_away", {}))
    for p in ps:
        if p.neg and p.neg["id"] in done:
            p.wait(lambda s: neg(s).get("status") != "open")


def test_rounds_wait_for_the_instructor(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = connect_all(module_server, players, code, 4)
    for p in ps:
        st = p.state
        assert st["phase"] == "lobby" and st["negotiation"] is None
        assert st["lobby"] is not None
    # a participant who only joined over HTTP is not paired in a round
    module_server.join(code, "Not connected")
    assert start_round(module_server, code) == {"round": 1, "negotiations": 2}
    plays = round_of(ps, 1)
    assert len(plays) == 4
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    absent = next(p for p in view["participants"] if p["name"] == "Not connected")
    assert absent["phase"] == "lobby"


def test_rounds_with_five_players_sit_one_out_in_turn_and_give_new_partners(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = connect_all(module_server, players, code, 5)
    ids = [p.state["participant"]["id"] for p in ps]
    history = []
    sat_out = []
    for round_no in (1, 2, 3):
        assert start_round(module_server, code) == {"round": round_no, "negotiations": 2}
        plays = round_of(ps, round_no)
        assert len(plays) == 4
        (out,) = set(ids) - set(plays)
        sitter = ps[ids.index(out)]
        st = sitter.wait(lambda s, r=round_no: s["session"]["round"] == r)
        assert st["phase"] in ("lobby", "done")
        assert st["lobby"] is not None and "sit out" in st["lobby"]["message"]
        sat_out.append(out)
        history.append(plays)
        finish_all(ps)
    # not the same one twice: the one who sat out least recently
    assert len(set(sat_out)) == 3
    # round 2: new partners and every participant of round 1 in the other role
    for pid, (_, role, partner) in history[1].items():
        if pid in history[0]:
            assert partner != history[0][pid][2], "a repeat partner while a new one was possible"
            assert role != history[0][pid][1], "roles did not alternate"
    # every round is as good as the best possible: fewest repeat partners, then fewest role breaks
    for k in (1, 2):
        assert plan_cost(history[k], history[:k]) == best_cost(set(history[k]), history[:k])


def last_roles(past):
    roles = {}
    for plays in past:
        for pid, (_, role, _) in plays.items():
            roles[pid] = role
    return roles


def plan_cost(plays, past):
    """(repeat partners, role breaks) of one round's pairs given the rounds before."""
    met = {frozenset((pid, partner)) for plays_ in past for pid, (_, _, partner) in plays_.items()}
    last = last_roles(past)
    repeats = sum(frozenset((pid, partner)) in met for pid, (_, _, partner) in plays.items()) // 2
    breaks = sum(last.get(pid) == role for pid, (_, role, _) in plays.items())
    return repeats, breaks


def best_cost(people, past):
    """The least (repeats, breaks) over every way to pair ``people`` and give them roles."""
    met = {frozenset((pid, partner)) for plays_ in past for pid, (_, _, partner) in plays_.items()}
    last = last_roles(past)

    def matchings(rest):
        if not rest:
            yield []
            return
        a, *others = rest
        for b in others:
            for m in matchings([x for x in others if x != b]):
                yield [(a, b), *m]

    best = None
    for m in matchings(sorted(people)):
        repeats = sum(frozenset(pair) in met for pair in m)
        breaks = 0
        for a, b in m:
            breaks += min(
                (last.get(a) == "seller") + (last.get(b) == "buyer"),
                (last.get(b) == "seller") + (last.get(a) == "buyer"),
            )
        if best is None or (repeats, breaks) < best:
            best = (repeats, breaks)
    return best


def test_rounds_with_six_players_pair_everyone_with_new_partners_and_swapped_roles(
    module_server, players
):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = connect_all(module_server, players, code, 6)
    assert start_round(module_server, code) == {"round": 1, "negotiations": 3}
    first = round_of(ps, 1)
    assert len(first) == 6
    assert collections.Counter(role for _, role, _ in first.values()) == {"seller": 3, "buyer": 3}
    finish_all(ps)
    assert start_round(module_server, code) == {"round": 2, "negotiations": 3}
    second = round_of(ps, 2)
    assert len(second) == 6
    for pid, (nid, role, partner) in second.items():
        assert nid != first[pid][0]
        assert partner != first[pid][2]
        assert role != first[pid][1]


def test_a_round_skips_whoever_is_still_negotiating(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = connect_all(module_server, players, code, 4)
    start_round(module_server, code)
    plays = round_of(ps, 1)
    # one negotiation ends, the other goes on
    ended = ps[0]
    ok(ended.call("walk_away", {}))
    partner_id = plays[ended.state["participant"]["id"]][2]
    partner = next(p for p in ps if p.state["participant"]["id"] == partner_id)
    partner.wait_phase("done")
    ongoing = [p for p in ps if p not in (ended, partner)]
    # the two who are done have already met: they meet again rather than sit out
    assert start_round(module_server, code) == {"round": 2, "negotiations": 1}
    for p in (ended, partner):
        assert neg(p.wait(lambda s: neg(s).get("round") == 2))["status"] == "open"
    for p in ongoing:
        assert p.neg["round"] == 1 and p.neg["status"] == "open"


def test_rounds_are_refused_in_an_arrival_session_and_for_an_unknown_code(module_server):
    code = module_server.create_session(scenario=SCENARIO_ID)
    assert module_server.api("POST", f"/api/sessions/{code}/rounds").status_code == 400
    r = module_server.api("POST", "/api/sessions/NOPE99/rounds")
    assert r.status_code == 404 and r.json()["errors"]


# ---------------------------------------------------------------- standings


def zscores(values):
    n = len(values)
    if n < 2:
        return [0.0] * n
    mean = sum(values) / n
    sd = (sum((v - mean) ** 2 for v in values) / n) ** 0.5
    return [0.0 if sd == 0 else (v - mean) / sd for v in values]


def test_standings_sum_each_negotiations_z_score_within_its_role(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = connect_all(module_server, players, code, 6)
    pid = {p: p.state["participant"]["id"] for p in ps}
    deals = [MESO[0], pkg(2, 1, 0, 1), None]  # two agreements and a walk-away per round
    results = []  # (participant id, role, points)
    for round_no in (1, 2):
        start_round(module_server, code)
        round_of(ps, round_no)
        sellers = sorted(
            (p for p in ps if p.neg["role"] == "seller" and p.neg["round"] == round_no),
            key=lambda p: p.neg["id"],
        )
        for seller, deal in zip(sellers, deals, strict=True):
            buyer = next(p for p in ps if p is not seller and p.neg.get("id") == seller.neg["id"])
            if deal is None:
                ok(seller.call("walk_away", {}))
                got = BATNAS
            else:
                offer_id = ok(seller.call("propose", {"packages": [deal]}))["offer_id"]
                buyer.wait(lambda s, o=offer_id: any(x["id"] == o for x in offers(s)))
                ok(buyer.call("accept", {"offer_id": offer_id, "package": 0}))
                got = points(deal)
            for p in (seller, buyer):
                p.wait(lambda s, r=round_no: neg(s)["round"] == r and neg(s)["status"] != "open")
            results.append((pid[seller], "seller", got["seller"]))
            results.append((pid[buyer], "buyer", got["buyer"]))

    expected = collections.defaultdict(float)
    totals = collections.defaultdict(float)
    counts = collections.Counter()
    for role in ("seller", "buyer"):
        rows = [r for r in results if r[1] == role]
        for (who, _, pts), z in zip(rows, zscores([r[2] for r in rows]), strict=True):
            expected[who] += z
            totals[who] += pts
            counts[who] += 1
    r = module_server.api("GET", f"/api/sessions/{code}/standings")
    assert r.status_code == 200
    table = {row["participant_id"]: row for row in r.json()}
    assert set(table) == set(pid.values())
    for who in pid.values():
        row = table[who]
        assert set(row) >= {
            "participant_id",
            "name",
            "negotiations",
            "points_total",
            "score_within_role",
        }
        assert row["negotiations"] == counts[who] == 2
        assert row["points_total"] == totals[who]
        assert abs(row["score_within_role"] - expected[who]) < 1e-3
    assert abs(sum(row["score_within_role"] for row in table.values())) < 1e-3


def test_standings_count_only_finished_negotiations_and_are_zero_without_spread(
    module_server, players
):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = connect_all(module_server, players, code, 4)
    start_round(module_server, code)
    round_of(ps, 1)
    # one walk-away (BATNAs), one still open
    ok(ps[0].call("walk_away", {}))
    ps[0].wait_phase("done")
    table = {
        row["participant_id"]: row
        for row in module_server.api("GET", f"/api/sessions/{code}/standings").json()
    }
    for p in ps:
        row = table[p.state["participant"]["id"]]
        assert row["score_within_role"] == 0  # one negotiation per role: no spread
        if p.neg["id"] == ps[0].neg["id"]:
            assert row["negotiations"] == 1
            assert row["points_total"] == BATNAS[p.neg["role"]]
        else:
            assert row["negotiations"] == 0 and row["points_total"] == 0


def test_a_participant_with_two_tabs_is_never_paired_with_itself(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID)
    token = module_server.join(code, "Twice")["token"]
    one = players(module_server, token)
    one.wait_phase("lobby")
    two = players(module_server, token)
    assert two.wait_phase("lobby")["negotiation"] is None
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert view["negotiations"] == []
    other = players(module_server, module_server.join(code, "Other")["token"])
    n = neg(other.wait_phase("negotiating"))
    assert neg(one.wait_phase("negotiating"))["id"] == n["id"]
    assert neg(two.wait_phase("negotiating"))["id"] == n["id"]


def test_a_round_leaves_out_whoever_has_disconnected(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = connect_all(module_server, players, code, 3)
    gone_id = ps[2].state["participant"]["id"]
    ps[2].close()
    session_until(
        module_server,
        code,
        lambda v: (
            not next(p for p in v["participants"] if p["participant_id"] == gone_id)["connected"]
        ),
    )
    assert start_round(module_server, code) == {"round": 1, "negotiations": 1}
    plays = round_of(ps[:2], 1)
    assert len(plays) == 2
    back = players(module_server, ps[2].token)
    st = back.wait(lambda s: True)
    assert st["phase"] == "lobby" and st["negotiation"] is None


def test_participants_arriving_all_at_once_are_each_paired_exactly_once(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID)
    tokens = [module_server.join(code, f"Rush{n}")["token"] for n in range(12)]
    made = [players(module_server, t, connect=False) for t in tokens]
    threads = [threading.Thread(target=p.connect) for p in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    by_negotiation = collections.defaultdict(list)
    for p in made:
        n = neg(p.wait_phase("negotiating"))
        by_negotiation[n["id"]].append(n["role"])
    assert len(by_negotiation) == 6
    assert all(sorted(roles) == ["buyer", "seller"] for roles in by_negotiation.values())


def test_two_rounds_started_at_once_never_put_anyone_in_two_negotiations(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = connect_all(module_server, players, code, 4)
    answers = []

    def post():
        r = module_server.api("POST", f"/api/sessions/{code}/rounds")
        answers.append((r.status_code, r.json()))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    # one starts the round; the other finds nobody free: 201, no negotiation, nothing changed
    assert [status for status, _ in answers] == [201, 201]
    assert sorted(a["negotiations"] for _, a in answers) == [0, 2]
    assert sorted(a["round"] for _, a in answers) == [1, 1]
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert len(view["negotiations"]) == 2
    seen = [pid for n in view["negotiations"] for pid in n["participants"]]
    assert sorted(seen) == sorted(p.state["participant"]["id"] for p in ps)


def test_a_round_with_fewer_than_two_free_participants_starts_nothing(module_server, players):
    code = module_server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    (alone,) = connect_all(module_server, players, code, 1)
    r = module_server.api("POST", f"/api/sessions/{code}/rounds")
    assert r.status_code == 201
    assert r.json() == {"round": 0, "negotiations": 0}
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert view["round"] == 0 and view["negotiations"] == []
    assert alone.state["phase"] == "lobby"
