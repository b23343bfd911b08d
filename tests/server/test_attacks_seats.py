"""Issue 10's attacks that the hub answers, against the real server (``run.py serve``): a chat
flood, a second seat from the same browser, a squatter, a pair that ends early in a round, and
``walk_away`` with unknown fields. (The transport and store attacks are in
tests/server/test_attacks.py.) Figures in docs/security.md."""

from __future__ import annotations

import json
import time

import pytest
import requests

from game.core.protocols.offers_payloads import CHAT_SHOWN, MAX_CHAT, MAX_CHAT_CHARS
from tests.server.helpers import SCENARIO_ID, export, neg, new_pair, ok, pair_in, session_until
from tests.support import Server, scenario_dict


@pytest.fixture
def server(module_server):
    """The module's server (the test scenario uploaded); each test makes its own session."""
    return module_server


@pytest.fixture
def fresh(tmp_path):
    """A server of its own, for a test that measures its memory."""
    s = Server(tmp_path / "fresh").start()
    assert s.upload(scenario_dict()).status_code == 201
    yield s
    s.stop()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def browser_join(server, code: str, name: str, browser: requests.Session) -> requests.Response:
    """A join from one browser: ``browser`` keeps its cookies, as a browser does."""
    return browser.post(f"{server.url}/api/sessions/{code}/join", json={"name": name}, timeout=15)


# ---------------------------------------------------------------- chat flood


def test_a_chat_flood_inside_the_rate_limit_is_capped_and_the_other_pair_plays_on(fresh, players):
    server = fresh
    flood = new_pair(server, players)
    quiet = new_pair(server, players)
    pid = server.proc.pid
    before = rss_mb(pid)
    text = "x" * MAX_CHAT
    answers = []
    quiet_times = []
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < 8:
        # 19 chats a second (the contract serves 10 a second and more), the partner reading
        answers.append(flood.seller.call("chat", {"text": text}))
        n += 1
        if n % 10 == 0:  # the other pair talks meanwhile
            t0 = time.monotonic()
            ok(quiet.buyer.call("chat", {"text": f"still here {n}"}))
            quiet_times.append(time.monotonic() - t0)
        pause = start + n / 19 - time.monotonic()
        if pause > 0:
            time.sleep(pause)  # pacing the flood, not waiting for anything
    codes = [a.get("error", {}).get("code") if not a.get("ok") else "ok" for a in answers]
    assert codes.count("ok") == MAX_CHAT_CHARS // MAX_CHAT == 60
    assert set(codes[60:]) == {"chat_limit"} and len(codes) > 100, codes[55:70]
    assert "60,000 characters" in answers[-1]["error"]["message"]
    # every state stays small: the last messages only, with the total
    last = flood.buyer.wait(lambda s: neg(s).get("chat_total") == 60)
    assert len(neg(last)["chat"]) == CHAT_SHOWN
    biggest = max(len(json.dumps(s)) for s in flood.buyer.states + flood.seller.states)
    assert biggest < 64_000, biggest
    grown = rss_mb(pid) - before
    print(
        f"\nchat flood: {len(codes)} chats, RSS {before:.1f} -> {before + grown:.1f} MB, biggest state {biggest} bytes, quiet max {max(quiet_times) * 1000:.0f} ms"
    )
    assert grown < 30, f"the server grew by {grown:.1f} MB"
    # the other pair was served throughout, and still plays
    assert max(quiet_times) < 1.0, quiet_times
    ok(quiet.buyer.call("walk_away", {}))
    quiet.seller.wait_phase("done")
    # the whole chat is in the export
    chats = [e for e in export(server, flood.code, "events") if e["type"] == "chat"]
    assert len(chats) == 60


# ---------------------------------------------------------------- seats


def test_a_second_and_third_join_from_the_same_browser_get_the_same_seat(server, players):
    """The attack: while negotiating, join twice more and pair the new seats with each other
    to read the other role's brief. Now the browser gets its own seat back each time."""
    code = server.create_session(scenario=SCENARIO_ID)
    browser = requests.Session()
    first = browser_join(server, code, "Ann", browser)
    assert first.status_code == 201 and first.json()["returning"] is False
    cookie = next(c for c in browser.cookies if c.name == "parley_device")
    assert cookie.has_nonstandard_attr("HttpOnly") and len(cookie.value) >= 16
    ann = players(server, first.json()["token"])
    bob = players(server, server.join(code, "Bob")["token"])
    role = ann.wait_phase("negotiating")["negotiation"]["role"]
    again = [browser_join(server, code, name, browser) for name in ("Ann 2", "Ann 3")]
    for r in again:
        assert r.status_code == 200, r.text
        assert r.json() == {**first.json(), "name": "Ann", "returning": True}
    # the "new" seats are Ann's: connected, they show Ann's negotiation in Ann's role
    tabs = [players(server, r.json()["token"]) for r in again]
    for tab in tabs:
        assert tab.wait_phase("negotiating")["negotiation"]["role"] == role
    other = bob.neg["role"]
    brief_of_other = bob.neg["scenario"]["brief"]
    for p in [ann, *tabs]:
        for s in p.states:
            assert neg(s).get("role") in (None, role)
            assert brief_of_other not in json.dumps(s)
    view = server.api("GET", f"/api/sessions/{code}").json()
    assert [p["name"] for p in view["participants"]] == ["Ann", "Bob"]
    assert other != role
    # a script without cookies is another client, and gets another seat
    assert server.join(code, "Cy")["participant_id"] != first.json()["participant_id"]


def test_a_session_with_multiple_seats_gives_one_browser_several_and_flags_them(server):
    code = server.create_session(scenario=SCENARIO_ID, multiple_seats=True)
    info = requests.get(f"{server.url}/api/sessions/{code}/info", timeout=5).json()
    assert info["multiple_seats"] is True
    browser = requests.Session()
    a = browser_join(server, code, "Demo", browser)
    b = browser_join(server, code, "demo", browser)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["participant_id"] != b.json()["participant_id"]
    parts = server.api("GET", f"/api/sessions/{code}").json()["participants"]
    assert [p["flags"] for p in parts] == [["name", "device"], ["name", "device"]]
    assert all(p["joined_at"] for p in parts)
    plain = server.create_session(scenario=SCENARIO_ID)
    assert (
        requests.get(f"{server.url}/api/sessions/{plain}/info", timeout=5).json()["multiple_seats"]
        is False
    )


def test_the_instructor_removes_a_squatter_before_it_is_paired(server, players):
    """The attack: a squatter's seat waits to pair with a real student and walk away. The
    instructor sees it, removes it; its token stops working and the students pair."""
    code = server.create_session(scenario=SCENARIO_ID)
    squat = server.join(code, "Squatter")
    sq = players(server, squat["token"])
    sq.wait_phase("lobby")
    view = session_until(server, code, lambda v: v["participants"][0]["waiting"])
    assert view["participants"][0]["removable"] is True
    path = f"/api/sessions/{code}/participants/{squat['participant_id']}"
    assert server.api("DELETE", path, key=None).status_code == 401
    r = server.api("DELETE", path)
    assert r.status_code == 200, r.text
    # its connection is closed and its token refused
    deadline = time.time() + 5
    while sq.client.connected and time.time() < deadline:
        time.sleep(0.05)  # polling the client's flag: python-socketio has no event to await
    assert not sq.client.connected
    again = players(server, squat["token"], connect=False)
    try:
        again.connect()
        refused = False
    except Exception:
        refused = True
    assert refused
    assert server.api("DELETE", path).status_code == 404
    # the students pair with each other, not with the squatter
    pair = pair_in(server, players, code, names=("Ann", "Bob"))
    names = {p.neg["partner"]["name"] for p in pair.both}
    assert names == {"Ann", "Bob"}
    # a paired seat cannot be removed; the log has the removal
    seated = server.api("GET", f"/api/sessions/{code}").json()["participants"]
    assert [p["name"] for p in seated] == ["Ann", "Bob"]
    r = server.api("DELETE", f"/api/sessions/{code}/participants/{seated[0]['participant_id']}")
    assert r.status_code == 409 and "paired" in r.json()["errors"][0]
    events = export(server, code, "events")
    assert [e["participant_id"] for e in events if e["type"] == "seat_removed"] == [
        squat["participant_id"]
    ]
    people = export(server, code, "participants")
    assert [p["removed_at"] != "" for p in people] == [True, False, False]


# ---------------------------------------------------------------- the round's debrief


def test_a_pair_that_ends_early_sees_the_debrief_only_when_the_round_ends(server, players):
    code = server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = [players(server, server.join(code, n)["token"]) for n in ("Ann", "Bob", "Cy", "Dee")]
    for p in ps:
        p.wait_phase("lobby")
    r = server.api("POST", f"/api/sessions/{code}/rounds")
    assert r.status_code == 201 and r.json()["negotiations"] == 2
    states = [p.wait_phase("negotiating") for p in ps]
    ids = sorted({neg(s)["id"] for s in states})
    early = [p for p, s in zip(ps, states, strict=True) if neg(s)["id"] == ids[0]]
    late = [p for p in ps if p not in early]
    ok(early[0].call("walk_away", {}))
    for p in early:
        s = p.wait_phase("done")
        assert neg(s)["debrief"] is None and neg(s)["debrief_pending"] is True
        assert neg(s)["outcome"]["points"] is not None
    # until then no state of theirs held the other role's numbers
    pending = [s for p in early for s in p.states]
    assert all(neg(s).get("debrief") is None for s in pending)
    assert not any(
        '"batnas"' in json.dumps(s) or "partner_points" in json.dumps(s) for s in pending
    )
    # the instructor opens the round's debrief: the early pair sees it, the others play on
    r = server.api("POST", f"/api/sessions/{code}/debrief", json={"round": 1})
    assert r.status_code == 200 and r.json()["round"] == 1
    for p in early:
        s = p.wait(lambda s: (neg(s).get("debrief") or {}).get("batnas"))
        assert neg(s)["debrief_pending"] is False
    for p in late:
        assert p.neg["status"] == "open" and p.neg["debrief"] is None
    events = export(server, code, "events")
    opened = [json.loads(e["payload"]) for e in events if e["type"] == "debrief_opened"]
    assert opened == [{"round": 1}]


def test_the_round_debrief_opens_by_itself_when_the_last_pair_ends(server, players):
    code = server.create_session(scenario=SCENARIO_ID, pairing="rounds")
    ps = [players(server, server.join(code, n)["token"]) for n in ("Ann", "Bob", "Cy", "Dee")]
    for p in ps:
        p.wait_phase("lobby")
    assert server.api("POST", f"/api/sessions/{code}/rounds").status_code == 201
    states = [p.wait_phase("negotiating") for p in ps]
    first_id = neg(states[0])["id"]
    a = ps[0]
    b = next(p for p, s in zip(ps, states, strict=True) if p is not a and neg(s)["id"] != first_id)
    ok(a.call("walk_away", {}))
    assert a.wait_phase("done")["negotiation"]["debrief"] is None
    ok(b.call("walk_away", {}))
    for p in ps:
        p.wait(lambda s: neg(s).get("debrief") is not None)


# ---------------------------------------------------------------- walk_away


def test_walk_away_with_unknown_fields_is_bad_request_and_ends_nothing(server, players):
    pair = new_pair(server, players)
    for payload in ({"x": 1}, {"role": "buyer"}, {"offer_id": "n_1-1", "package": 0}):
        answer = pair.seller.call("walk_away", payload)
        assert answer["error"]["code"] == "bad_request", answer
    assert pair.seller.call("chat", {"text": "still open"})["ok"] is True
    assert pair.buyer.wait(lambda s: neg(s).get("chat_total") == 1)["negotiation"]["status"] == (
        "open"
    )
