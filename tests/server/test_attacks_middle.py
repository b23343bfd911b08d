"""The hostile student against the protocols with a middle seat, over the real server.

From every seat (each party, the middle seat, a student of another trio of the same session,
an outsider of another session) every event the server listens to is sent with hostile
payloads (tests/server/middle_attacks.py has them): each answer is a documented refusal whose
message names the problem, every seat's view is the same after as before (apart from the
clock), the event log gains only ``refused`` events, nothing private reaches another seat in
any state sent during the attack, and the server plays on. The instructor's middle-seat API is
attacked over HTTP at the end.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter

import pytest
import requests

from game.core import protocols
from game.server.frames import MALFORMED_LIMIT
from tests.server.helpers import (
    SCENARIO,
    SCENARIO_ID,
    code_of,
    emit_many,
    most_served,
    neg,
    ok,
    pkg,
)
from tests.server.middle_attacks import (
    ALL_OK,
    ATTACK,
    EVENTS,
    GOOD,
    Attack,
    H,
    Raw,
    Seat,
    comparable,
    events,
    gained_only_refusals,
    junk,
    mediated,
    not_of,
    probe,
    seat_all,
    single_text,
    snapshot,
    study,
    texts,
)

MIDDLES = {"mediated": "mediator", "single_text": "facilitator"}
SECRETS = {  # what each party wrote that only it and the middle seat may read
    "mediated": {
        "seller": ("SELLER-CHANNEL-SECRET", "MED-TO-SELLER-SECRET", "SELLER-REASON-SECRET"),
        "buyer": ("BUYER-CHANNEL-SECRET", "MED-TO-BUYER-SECRET", "BUYER-REASON-SECRET"),
    },
    "single_text": {"seller": ("SELLER-COMMENT-SECRET",), "buyer": ("BUYER-COMMENT-SECRET",)},
}


def play_mediated(t1: dict, t2: dict) -> tuple[str, str, str]:
    seller, buyer, med = t1["seller"], t1["buyer"], t1["mediator"]
    ok(seller.call("confide", {"issues": ["price"]}))
    ok(seller.call("chat", {"text": "SELLER-CHANNEL-SECRET"}))
    ok(buyer.call("chat", {"text": "BUYER-CHANNEL-SECRET", "to": "mediator"}))
    ok(med.call("chat", {"text": "MED-TO-SELLER-SECRET", "to": "seller"}))
    ok(med.call("chat", {"text": "MED-TO-BUYER-SECRET", "to": "buyer"}))
    stale = ok(med.call("propose", {"package": pkg(1, 1, 1, 1)}))["proposal_id"]
    seller.wait(lambda st: neg(st)["proposals"])
    ok(seller.call("answer", {"proposal_id": stale, "accept": False,
                              "reason": "SELLER-REASON-SECRET"}))  # fmt: skip
    x = ok(med.call("propose", {"package": GOOD, "note": "a middle way"}))["proposal_id"]
    buyer.wait(lambda st: len(neg(st)["proposals"]) == 2)
    ok(buyer.call("answer", {"proposal_id": x, "accept": True, "reason": "BUYER-REASON-SECRET"}))
    other = ok(t2["mediator"].call("propose", {"package": GOOD}))["proposal_id"]
    return x, stale, other


def play_single_text(t1: dict, t2: dict) -> tuple[str, str, str]:
    seller, buyer, fac = t1["seller"], t1["buyer"], t1["facilitator"]
    ok(seller.call("chat", {"text": "plenary, read by all three"}))
    stale = ok(fac.call("draft", {"package": pkg(1, 1, 1, 0)}))["draft_id"]
    for p in (seller, buyer):
        p.wait(lambda st: neg(st)["drafts"])
    change = {"ok": False, "option": "price3", "comment": "SELLER-COMMENT-SECRET"}
    ok(seller.call("mark", {"draft_id": stale, "marks": {**ALL_OK, "price": change}}))
    change = {"ok": False, "option": "warranty2", "comment": "BUYER-COMMENT-SECRET"}
    ok(buyer.call("mark", {"draft_id": stale, "marks": {**ALL_OK, "warranty": change}}))
    x = ok(fac.call("draft", {"package": pkg(2, 1, 1, 0)}))["draft_id"]
    buyer.wait(lambda st: len(neg(st)["drafts"]) == 2)
    ok(buyer.call("endorse", {"draft_id": x}))
    other = ok(t2["facilitator"].call("draft", {"package": GOOD}))["draft_id"]
    return x, stale, other


def keys(obj, path: str = ""):
    """Every (path, key) of a JSON value."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield path, k
            yield from keys(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for v in obj:
            yield from keys(v, f"{path}[]")


def assert_private(protocol: str, group: dict, confided: dict | None = None) -> None:
    """Over every state each seat of ``group`` was sent: no other party's text, no refused
    text; the middle seat no brief, BATNA or point it was not confided; a party no channel,
    answers, marks or endorsements of the other."""
    middle = MIDDLES[protocol]
    for seat, p in group.items():
        for st in p.states:
            text = json.dumps(st)
            assert ATTACK not in text, seat
            for other, secrets in SECRETS[protocol].items():
                if seat not in (other, middle):
                    assert not any(s in text for s in secrets), (seat, other)
            n = neg(st)
            if st.get("phase") != "negotiating":
                continue  # the debrief shows both parties' points once it has ended
            found = set(keys(st))
            if seat == middle:
                assert "BRIEF-SECRET" not in text
                assert not {k for _, k in found} & {"brief", "batna", "batnas", "points"}
                if protocol == "mediated":  # only what was confided, as it was
                    for r, table in n["confided"].items():
                        assert set(table) <= set((confided or {}).get(r, ())), (r, table)
            else:
                assert not {k for _, k in found} & {"channels", "answers", "marks", "endorsed"}
                if protocol == "mediated":  # its own confided issues, never the other's
                    assert set(n["confided"]) <= set((confided or {}).get(seat, ()))
                other = "buyer" if seat == "seller" else "seller"
                assert f"{other.upper()}-BRIEF-SECRET" not in text


def after_the_end(protocol: str, x: str) -> list[H]:
    """Well-formed actions of every seat once the negotiation has ended."""

    def shut(event, payload, who=None):
        return H(event, payload, "not_negotiating", "negotiation", who=who)

    common = [shut("walk_away", {}, "party"), H("suggest", {}, "not_negotiating", "negotiation"),
              *study()]  # fmt: skip
    if protocol == "mediated":
        return [
            shut("answer", {"proposal_id": x, "accept": True}, "party"),
            shut("confide", {"issues": ["delivery"]}, "party"),
            shut("chat", {"text": ATTACK}, "party"),
            shut("chat", {"text": ATTACK, "to": "seller"}, "middle"),
            shut("propose", {"package": GOOD}, "middle"),
            *common,
        ]
    return [
        shut("endorse", {"draft_id": x}, "party"),
        shut("mark", {"draft_id": x, "marks": ALL_OK}, "party"),
        shut("chat", {"text": ATTACK}),
        shut("draft", {"package": GOOD}, "middle"),
        *common,
    ]


@pytest.mark.parametrize("protocol", ["mediated", "single_text"])
def test_hostile_events_from_every_seat_are_refused_change_nothing_and_leak_nothing(
    server, players, protocol
):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(scenario=SCENARIO_ID, protocol=protocol, conditions=[protocol])
    ps = [players(server, server.join(code, f"S{n}")["token"]) for n in range(6)]
    (n1, t1), (n2, t2) = seat_all(ps, code).items()
    elsewhere = server.create_session(
        scenario=SCENARIO_ID, protocol=protocol, conditions=[protocol], middle="computer"
    )
    outs = [players(server, server.join(elsewhere, name)["token"]) for name in ("Out", "Side")]
    ((n3, t3),) = seat_all(outs, elsewhere).items()
    x, stale, other = (play_mediated if protocol == "mediated" else play_single_text)(t1, t2)
    seats = [Seat(p, s, n1, True, code) for s, p in t1.items()]
    seats += [Seat(p, s, n2, False, code) for s, p in t2.items()]
    seats.append(Seat(t3["seller"], "seller", n3, False, elsewhere))
    catalogue = (mediated if protocol == "mediated" else single_text)(x, stale, other)

    before = snapshot(server, seats)
    logs = {c: events(server, c) for c in (code, elsewhere)}
    counts = {repr(s): len(s.player.states) for s in seats}
    attack = Attack()
    assert attack.barrage((seats, catalogue)) > 7 * 100
    assert {repr(s): len(s.player.states) for s in seats} == counts  # nobody was sent a change
    assert snapshot(server, seats) == before
    for c in (code, elsewhere):
        gained_only_refusals(logs[c], events(server, c), attack.logged(c))
    confided = {"seller": ["price"]} if protocol == "mediated" else None
    for group in (t1, t2):
        assert_private(protocol, group, confided if group is t1 else None)
    for s in seats:  # no state of anyone names another negotiation
        for nid in {n1, n2, n3} - {s.nid}:
            assert all(nid not in json.dumps(st) for st in s.player.states), s

    # the buyer walks away; then nothing any seat sends changes the ended negotiation
    ok(t1["buyer"].call("walk_away", {}))
    home = seats[:3]
    for s in home:
        s.player.wait_phase("done")
    before = snapshot(server, home)
    logs = events(server, code)
    ended = Attack()
    ended.barrage((home, after_the_end(protocol, x)))
    assert snapshot(server, home) == before
    gained_only_refusals(logs, events(server, code), ended.logged(code))
    assert_private(protocol, t1, confided)
    # and the server plays on: the other trio and the outsider are served
    ok(t2["seller"].call("chat", {"text": "still here"}))
    ok(t3["seller"].call("chat", {"text": "still here"}))


def offers_pair(foreign: str) -> list[H]:
    """What a pair's members of a mixed session send: the trios' events and ids."""
    return [
        *texts(),
        H("chat", {"text": ATTACK, "to": "mediator"}, "bad_request", "'to'"),
        H("propose", {"package": GOOD}, "bad_request", "'package'"),
        H("propose", {"packages": [GOOD], "note": "x"}, "bad_request", "'note'"),
        H("accept", {"offer_id": foreign, "package": 0}, ("not_your_turn", "unknown_offer")),
        H("walk_away", {"role": "buyer"}, "bad_request", "role"),
        *not_of(protocols.get("offers").ACTIONS),
        H("suggest", {"packages": "x"}, "bad_request", "packages"),
        *junk(EVENTS),
        *study(),
    ]


def test_a_mixed_session_refuses_every_seat_the_other_protocols_events_and_ids(server, players):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(
        scenario=SCENARIO_ID, protocol="mixed", conditions=["single", "mediated", "single_text"],
        middle="players",
    )  # fmt: skip
    ps = [players(server, server.join(code, f"P{n}")["token"]) for n in range(8)]
    by_neg = seat_all(ps, code)
    assert sorted(len(g) for g in by_neg.values()) == [2, 3, 3]
    kind = {nid: next(k for k in ("mediator", "facilitator", "buyer") if k in g)
            for nid, g in by_neg.items()}  # fmt: skip
    nid = {k: n for n, k in kind.items()}
    med, st, pair = by_neg[nid["mediator"]], by_neg[nid["facilitator"]], by_neg[nid["buyer"]]
    med_x = ok(med["mediator"].call("propose", {"package": GOOD}))["proposal_id"]
    st_x = ok(st["facilitator"].call("draft", {"package": GOOD}))["draft_id"]
    off_x = ok(pair["seller"].call("propose", {"packages": [GOOD]}))["offer_id"]
    seats = {n: [Seat(p, s, n, False, code) for s, p in by_neg[n].items()] for n in by_neg}
    everyone = [s for group in seats.values() for s in group]
    before = snapshot(server, everyone)
    log = events(server, code)
    attack = Attack()
    attack.barrage(
        (seats[nid["buyer"]], offers_pair(med_x)),
        (seats[nid["mediator"]], mediated(st_x, off_x, st_x)),
        (seats[nid["facilitator"]], single_text(med_x, off_x, med_x)),
    )
    assert snapshot(server, everyone) == before
    gained_only_refusals(log, events(server, code), attack.logged(code))
    for s in everyone:
        for other in set(by_neg) - {s.nid}:
            assert all(other not in json.dumps(x) for x in s.player.states), s
    assert_private("mediated", med)
    assert_private("single_text", st)
    # each still plays its own protocol
    ok(pair["buyer"].call("accept", {"offer_id": off_x, "package": 0}))
    for p in (med["seller"], med["buyer"]):
        p.wait(lambda x: neg(x)["proposals"])
        ok(p.call("answer", {"proposal_id": med_x, "accept": True}))
    for p in (*pair.values(), *med.values()):
        assert neg(p.wait_phase("done"))["status"] == "agreed"
    ok(st["seller"].call("endorse", {"draft_id": st_x}))


def test_a_deliberate_flood_from_the_middle_seat_is_rate_limited_and_changes_nothing(
    server, players
):
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(scenario=SCENARIO_ID, protocol="mediated", conditions=["mediated"])
    ps = [players(server, server.join(code, f"F{n}")["token"]) for n in range(3)]
    ((nid, t),) = seat_all(ps, code).items()
    seats = [Seat(p, s, nid, True, code) for s, p in t.items()]
    before = snapshot(server, seats)
    bad = {"package": {**GOOD, "price": "price9"}}
    answers: list[dict] = []
    for _ in range(5):  # once, unless the machine is so slow that 120 events refill the bucket
        start = time.monotonic()
        flood = emit_many(t["mediator"], "propose", [bad] * 120)  # three bursts' worth, at once
        elapsed = time.monotonic() - start
        codes = [a["error"]["code"] for a in flood]
        assert set(codes) <= {"invalid_package", "rate_limited"}
        # the floor of 10 served, and no more than the bucket gives in the time the flood took
        # (a bound that follows the measured time, so a slow machine does not fail it)
        assert answers or codes[:10] == ["invalid_package"] * 10  # the first flood's
        assert codes.count("invalid_package") <= most_served(elapsed), (codes, elapsed)
        answers += flood
        if "rate_limited" in codes:
            break
    limited = next(a for a in answers if a["error"]["code"] == "rate_limited")
    assert "too many events" in limited["error"]["message"]
    # a second connection of the same seat buys no more events meanwhile
    again = players(server, t["mediator"].token)
    assert code_of(again.call("propose", bad)) in ("rate_limited", "invalid_package")
    again.close()
    assert snapshot(server, seats) == before
    # the bucket refills at 20 a second: the middle seat is served again
    time.sleep(0.5)  # refilling the bucket takes time: nothing to await
    pid = ok(t["mediator"].call("propose", {"package": GOOD}))["proposal_id"]
    for role in ("seller", "buyer"):
        assert neg(t[role].wait(lambda st: neg(st)["proposals"]))["proposals"][0]["id"] == pid


def test_frames_too_deep_or_too_big_for_the_transport_change_nothing(server, players):
    """Nested as deep as the decoder reads, a payload is answered like any other; deeper, an
    event that asks for an answer is answered bad_request naming the depth, and one that asks
    for none does not decode: it is counted as malformed (game.server.frames) and the fourth
    closes the connection. A message past the transport's 64 kB closes it too. Either way
    nothing changes, the log has no traceback and the seat plays on."""
    assert server.upload(SCENARIO).status_code == 201
    code = server.create_session(scenario=SCENARIO_ID, protocol="mediated", conditions=["mediated"])
    ((nid, t),) = seat_all([players(server, server.join(code, f"D{n}")["token"])
                            for n in range(3)], code).items()  # fmt: skip
    seats = [Seat(p, s, nid, True, code) for s, p in t.items()]
    before, log = snapshot(server, seats), events(server, code)
    log_size = server.log_path.stat().st_size
    raw = Raw(server, t["mediator"].token)
    answer = raw.call("propose", '{"package": ' + "[" * 900 + "]" * 900 + "}")
    assert answer["error"]["code"] == "bad_request" and "package" in answer["error"]["message"]
    too_deep = '{"package": ' + "[" * 5000 + "]" * 5000 + "}"
    for event in ("propose", "chat", "no-such-event"):
        answer = raw.call(event, too_deep)
        assert answer["error"] == {
            "code": "bad_request",
            "message": "payload: JSON nested too deeply to read",
        } or (event == "no-such-event" and "no-such-event" in answer["error"]["message"])
    raw.n += 1  # an event whose name is what is nested too deeply: nothing to answer to
    deep_name = raw.n
    raw.ws.send(f"42{deep_name}[" + "[" * 5000 + "]" * 5000 + ",{}]")
    answer = raw.call("chat", '{"text": 5, "to": "seller"}')
    assert answer["error"]["code"] == "bad_request" and deep_name not in raw.acks
    for _ in range(MALFORMED_LIMIT):  # with the one above, one more than the limit
        raw.send("propose", too_deep)
    assert raw.closed()
    big = Raw(server, t["seller"].token)
    big.emit("chat", json.dumps({"text": "x" * 70_000}))
    assert big.closed()
    assert snapshot(server, seats) == before
    mediator = t["mediator"].state["participant"]["id"]
    gained_only_refusals(log, events(server, code), Counter(
        {(mediator, "propose", "bad_request"): 1, (mediator, "chat", "bad_request"): 1}))  # fmt: skip
    assert "Traceback" not in server.log_path.read_text()[log_size:]
    pid = ok(t["mediator"].call("propose", {"package": GOOD}))["proposal_id"]
    ok(t["seller"].call("answer", {"proposal_id": pid, "accept": False}))


# ---------------------------------------------------------------- the instructor's middle seat


def test_the_instructors_middle_seat_api_refuses_bad_requests_and_changes_nothing(server, players):
    s = server
    assert s.upload(SCENARIO).status_code == 201
    mine = s.create_session(scenario=SCENARIO_ID, protocol="mediated", conditions=["mediated"],
                            middle="instructor")  # fmt: skip
    a, b = (players(s, s.join(mine, n)["token"]) for n in ("Ann", "Bob"))
    t = seat_all([a, b], mine)
    ((nid, pair),) = t.items()
    trio_code = s.create_session(scenario=SCENARIO_ID, protocol="mediated", conditions=["mediated"])
    trio = seat_all([players(s, s.join(trio_code, f"T{n}")["token"]) for n in range(3)], trio_code)
    computer = s.create_session(scenario=SCENARIO_ID, protocol="single_text",
                                conditions=["single_text"], middle="computer")  # fmt: skip
    comp = seat_all([players(s, s.join(computer, f"C{n}")["token"]) for n in range(2)], computer)
    mixed = s.create_session(scenario=SCENARIO_ID, protocol="mixed",
                             conditions=["single", "meso"], middle="instructor")  # fmt: skip
    direct = seat_all([players(s, s.join(mixed, f"M{n}")["token"]) for n in range(2)], mixed)
    url = f"/api/negotiations/{nid}/middle"
    seats = [Seat(p, r, nid, True, mine) for r, p in pair.items()]
    view, states, log = s.api("GET", url).json(), snapshot(s, seats), events(s, mine)

    for method, path in (("GET", url), ("POST", url + "/propose")):
        for key in (None, "wrong-key", ""):
            r = s.api(method, path, key=key, json={"package": GOOD})
            assert r.status_code == 401 and "instructor key" in r.json()["errors"][0], r.text
    for other in (*trio, *comp, *direct):
        for method, path in (("GET", ""), ("POST", "/propose")):
            r = s.api(method, f"/api/negotiations/{other}/middle{path}", json={"package": GOOD})
            assert r.status_code == 409, r.text
            assert "does not sit in its middle seat" in r.json()["errors"][0]
    for unknown in ("n_nope", "n" * 3000):
        r = s.api("POST", f"/api/negotiations/{unknown}/middle/propose", json={"package": GOOD})
        assert r.status_code == 404 and "no negotiation" in r.json()["errors"][0]
    assert s.api("GET", url + "/propose").status_code == 405
    raw = {"Content-Type": "application/json"}
    bad = [
        ("propose", {"data": "not json", "headers": {"Content-Type": "text/plain"}},
         "bad_request", "must be JSON"),
        ("propose", {"data": "[" * 50_000 + "]" * 50_000, "headers": raw}, "bad_request",
         "nested too deeply"),
        ("chat", {"data": '{"text": "hi \\ud800", "to": "seller"}', "headers": raw},
         "bad_request", "lone surrogate"),
        ("propose", {"data": '{"package": {"price\\udfff": "x"}}', "headers": raw},
         "bad_request", "lone surrogate"),
        ("propose", {"json": [GOOD]}, "bad_request", "JSON object"),
        ("propose", {"json": {"package": {**GOOD, "price": "price9"}}}, "invalid_package",
         "price9"),
        ("propose", {"json": {"packages": [GOOD]}}, "bad_request", "packages"),
        ("propose", {"json": {"package": GOOD, "note": "n" * 501}}, "bad_request", "note"),
        ("answer", {"json": {"proposal_id": "x", "accept": True}}, "not_your_seat", "mediator"),
        ("confide", {"json": {"issues": ["price"]}}, "not_your_seat", "mediator"),
        ("walk_away", {"json": {}}, "not_your_seat", "mediator"),
        ("chat", {"json": {"text": ATTACK}}, "bad_request", "to must name a party"),
        ("chat", {"json": {"text": ATTACK, "to": "mediator"}}, "bad_request", "to must name"),
        ("chat", {"json": {"text": ATTACK, "to": "nobody"}}, "bad_request", "to must name"),
        ("chat", {"json": {"text": "x" * 1001, "to": "seller"}}, "bad_request", "text"),
        ("teleport", {"json": {}}, "bad_request", "unknown action 'teleport'"),
        ("draft", {"json": {"package": GOOD}}, "bad_request", "unknown action 'draft'"),
        ("accept", {"json": {"offer_id": "x", "package": 0}}, "bad_request", "'accept'"),
    ]  # fmt: skip
    for kind, body, code_, names in bad:
        r = s.api("POST", f"{url}/{kind}", **body)
        assert r.status_code == 400, (kind, body, r.text)
        assert r.json() == {"ok": False, "error": {"code": code_, "message": r.json()["error"][
            "message"]}} and names in r.json()["error"]["message"], (kind, r.text)  # fmt: skip
    # the console's cookie without its CSRF header (or with a wrong one) may read, not act
    web = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get(s.url + "/instructor").text)
    r = web.post(s.url + "/instructor/login", data={"key": s.key, "csrf_token": token.group(1)})
    assert r.ok and web.get(s.url + url).json() == view
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        r = web.post(s.url + url + "/propose", json={"package": GOOD}, headers=headers)
        assert r.status_code == 403 and "csrf" in r.json()["errors"][0], r.text
    assert s.api("GET", url).json() == view
    assert snapshot(s, seats) == states
    assert events(s, mine) == log  # nothing logged: the instructor is no participant
    # and the parties' own hostile events (ids of nowhere) are refused as in a trio
    attack = Attack()
    away = [Seat(p, r, nid, False, mine) for r, p in pair.items()]
    assert attack.barrage((away, mediated("n_x-m1", "n_x-m2", "n_x-m3"))) > 100
    assert s.api("GET", url).json() == view
    assert snapshot(s, seats) == states
    gained_only_refusals(log, events(s, mine), attack.logged(mine))
    assert "Traceback" not in s.log_path.read_text()
    for p in pair.values():
        assert ATTACK not in json.dumps(p.states)
    # the seat plays on; once the negotiation has ended its actions are refused
    r = s.api("POST", f"{url}/propose", json={"package": GOOD})
    assert r.status_code == 200 and r.json()["ok"] is True
    ok(pair["seller"].call("walk_away", {}))
    pair["buyer"].wait_phase("done")
    ended = s.api("GET", url).json()
    r = s.api("POST", f"{url}/propose", json={"package": GOOD})
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_negotiating"
    assert s.api("GET", url).json() == ended
    assert comparable(probe(s, pair["buyer"].token))["negotiation"]["status"] == "impasse"
