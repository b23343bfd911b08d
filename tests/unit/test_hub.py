"""The hub on its own: a real SQLite file in tmp_path and a fake clock, no server, no sockets.

Join, connect, arrival pairing, rounds (committed whole or not at all), play (propose, accept,
walk away, chat), deadlines by ``tick``, and recovery after the database is opened again.
"""

from __future__ import annotations

import sqlite3
import types

import pytest

from game.core import protocols
from game.core.protocols import offers
from game.core.protocols.common import RuleError
from game.core.scenario import parse
from game.server import records
from game.server import store as store_mod
from game.server.hub import ApiError, Hub
from game.server.store import SCHEMA_VERSION, Store
from tests.support import scenario_dict

T0 = 1_800_000_000.0
BEST_FOR_SELLER = {
    "price": "price3",
    "delivery": "delivery2",
    "warranty": "warranty0",
    "training": "training1",
}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class World:
    """A hub over a database file, reopened at will (as after a crash or a restart)."""

    def __init__(self, path, store_class=Store):
        self.path = path
        self.clock = Clock()
        self.store_class = store_class
        self.store = store_class(path)
        self.hub = Hub(self.store, clock=self.clock)

    def reopen(self, store_class=Store) -> Hub:
        self.store.close()
        self.store = store_class(self.path)
        self.hub = Hub(self.store, clock=self.clock)
        return self.hub

    def rows(self, sql: str, params=()) -> list[dict]:
        conn = sqlite3.connect(self.path)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()


def people(hub, code, *names, connect=True):
    """Join (and connect) participants; {name: (pid, sid)}."""
    out = {}
    for name in names:
        token, pid = hub.join(code, {"name": name})
        sid = f"sid-{name}"
        if connect:
            hub.connect(token, sid)
        out[name] = (pid, sid)
    return out


def roles(hub, ps):
    """{role: (pid, sid)} of the participants currently negotiating."""
    out = {}
    for pid, sid in ps.values():
        neg = hub.view(pid)["negotiation"]
        if neg is not None and neg["status"] == "open":
            out[neg["role"]] = (pid, sid)
    return out


def arrival_pair(world, **settings):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply", "conditions": ["any"], **settings})
    ps = people(hub, code, "Ann", "Bob")
    return code, roles(hub, ps)


# ---------------------------------------------------------------- join and connect


def test_join_records_a_participant_and_refuses_bad_bodies(world):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply"})
    token, pid = hub.join(code.lower(), {"name": "  Ann   Lee ", "label": " A1 "})
    p = hub.participant(pid)
    assert (p.name, p.label, p.code, p.connected) == ("Ann Lee", "A1", code, False)
    assert hub.participant_for_token(token) is p
    with pytest.raises(ApiError) as e:
        hub.join(code, {"name": "", "label": 5})
    assert e.value.status == 400
    assert e.value.errors == [
        "name: must be 1 to 80 characters",
        "label: must be text of at most 80 characters",
    ]
    with pytest.raises(ApiError) as e:
        hub.join("NOPE99", {"name": "Bob"})
    assert e.value.status == 404
    parts, negs = hub.members(code)
    assert [x.id for x in parts] == [pid] and negs == []
    assert world.rows("SELECT name FROM participants") == [{"name": "Ann Lee"}]


def test_create_session_refuses_every_problem_at_once_and_keeps_the_protocol(world):
    hub = world.hub
    with pytest.raises(ApiError) as e:
        hub.create_session(
            {"scenario": "nope", "conditions": ["odd"], "pairing": "x", "protocol": "auction"}
        )
    assert e.value.errors == [
        "scenario: unknown scenario 'nope'",
        "protocol: unknown protocol 'auction' (mediated, offers, pss, single_text, mixed)",
        "conditions[0]: unknown condition 'odd' (single, meso or any)",
        "pairing: must be arrival or rounds, not 'x'",
    ]
    assert hub.list_sessions() == []
    code = hub.create_session({"scenario": "test-supply", "protocol": "offers"})
    assert hub.session(code).protocol == "offers"
    assert world.rows("SELECT protocol FROM sessions") == [{"protocol": "offers"}]


def test_connect_with_an_unknown_token_is_refused_and_changes_nothing(world):
    hub = world.hub
    version = hub.version
    assert hub.connect("not-a-token", "sid-x") == (None, set())
    assert hub.connect(None, "sid-x") == (None, set())
    assert hub.owner("sid-x") is None and hub.version == version


def test_arrival_pairs_the_first_two_and_a_third_waits(world):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply"})
    ps = people(hub, code, "Ann")
    ann = ps["Ann"][0]
    view = hub.view(ann)
    assert view["phase"] == "lobby" and view["lobby"]["waiting"] == 1
    assert view["lobby"]["since"] == T0
    world.clock.now += 5
    token, bob = hub.join(code, {"name": "Bob"})
    p, touched = hub.connect(token, "sid-Bob")
    assert p.id == bob and touched == {ann, bob}
    assert {hub.view(x)["phase"] for x in (ann, bob)} == {"negotiating"}
    n = hub.current(hub.participant(ann))
    assert set(n.participants) == {ann, bob} and n.state.started_at == T0 + 5
    assert hub.negotiation(n.id) is n and hub.ready_count(code) == 0
    people(hub, code, "Cy")
    assert hub.ready_count(code) == 1
    assert world.rows("SELECT negotiation_id, status FROM negotiations") == [
        {"negotiation_id": n.id, "status": "open"}
    ]


def test_a_waiting_participant_who_disconnects_leaves_the_queue(world):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply"})
    ps = people(hub, code, "Ann")
    hub.disconnect(ps["Ann"][1])
    assert hub.session(code).waiting == []
    people(hub, code, "Bob")
    assert hub.view(ps["Ann"][0])["phase"] == "lobby"  # not paired while away


# ---------------------------------------------------------------- play


def test_propose_then_accept_ends_in_an_agreement(world):
    hub = world.hub
    _, by_role = arrival_pair(world)
    (seller, s_sid), (buyer, b_sid) = by_role["seller"], by_role["buyer"]
    answer, touched = hub.act(b_sid, "propose", {"packages": [BEST_FOR_SELLER]})
    assert answer["ok"] is False and answer["error"]["code"] == "not_your_turn"
    assert touched == set()
    world.clock.now += 3
    answer, touched = hub.act(s_sid, "propose", {"packages": [BEST_FOR_SELLER]})
    assert answer["ok"] is True and touched == {seller, buyer}
    offer = hub.view(buyer)["negotiation"]["offers"][0]
    assert offer["id"] == answer["offer_id"] and offer["at"] == T0 + 3
    answer, _ = hub.act(b_sid, "accept", {"offer_id": answer["offer_id"], "package": 0})
    assert answer == {"ok": True}
    for pid in (seller, buyer):
        v = hub.view(pid)
        assert v["phase"] == "done" and v["negotiation"]["status"] == "agreed"
        assert v["negotiation"]["debrief"] is not None
    assert world.rows("SELECT status, end_reason FROM negotiations") == [
        {"status": "agreed", "end_reason": "accepted"}
    ]


def test_chat_walk_away_and_refusals(world):
    hub = world.hub
    _, by_role = arrival_pair(world)
    (seller, s_sid), (buyer, b_sid) = by_role["seller"], by_role["buyer"]
    assert hub.act(b_sid, "chat", {"text": "  hello  "}) == ({"ok": True}, {seller, buyer})
    assert hub.view(seller)["negotiation"]["chat"][0]["text"] == "hello"
    bad, touched = hub.act(s_sid, "chat", {"text": 3})
    assert bad["error"]["code"] == "bad_request" and touched == set()
    nobody, _ = hub.act("sid-unknown", "chat", {"text": "hi"})
    assert nobody["error"]["code"] == "not_negotiating"
    assert hub.act(s_sid, "walk_away", None)[0] == {"ok": True}
    v = hub.view(buyer)["negotiation"]
    assert (v["status"], v["outcome"]["reason"], v["outcome"]["by"]) == (
        "impasse",
        "walked_away",
        "seller",
    )
    late, _ = hub.act(b_sid, "chat", {"text": "wait"})
    assert late["error"]["code"] == "not_negotiating"


def test_suggest_answers_through_the_sessions_protocol(world):
    hub = world.hub
    _, by_role = arrival_pair(world)
    _, s_sid = by_role["seller"]
    middle = {"price": "price2", "delivery": "delivery1", "warranty": "warranty1"}
    answer = hub.suggest(s_sid, {"packages": [{**middle, "training": "training0"}], "count": 2})
    assert answer["ok"] is True and len(answer["packages"]) == 1
    assert abs(answer["points"][0] - answer["target"]) <= 50
    assert hub.suggest("sid-unknown", {"packages": []})["error"]["code"] == "not_negotiating"


# ---------------------------------------------------------------- deadlines


def test_tick_ends_a_negotiation_at_its_deadline(world):
    hub = world.hub
    _, by_role = arrival_pair(world, time_limit_s=60)
    (seller, s_sid), (buyer, _) = by_role["seller"], by_role["buyer"]
    assert hub.next_deadline() == T0 + 60
    world.clock.now = T0 + 59.9
    assert hub.tick() == set()
    world.clock.now = T0 + 60
    assert hub.tick() == {seller, buyer}
    v = hub.view(seller)["negotiation"]
    assert (v["status"], v["outcome"]["reason"]) == ("impasse", "deadline")
    assert hub.next_deadline() is None
    late, _ = hub.act(s_sid, "propose", {"packages": [BEST_FOR_SELLER]})
    assert late["error"]["code"] == "not_negotiating"


def test_an_action_after_the_deadline_records_the_deadline_first(world):
    hub = world.hub
    _, by_role = arrival_pair(world, time_limit_s=60)
    (seller, s_sid), (buyer, _) = by_role["seller"], by_role["buyer"]
    world.clock.now = T0 + 61
    answer, touched = hub.act(s_sid, "propose", {"packages": [BEST_FOR_SELLER]})
    assert answer["error"]["code"] == "not_negotiating" and touched == {seller, buyer}
    assert world.rows("SELECT type, at FROM events WHERE type = 'deadline'") == [
        {"type": "deadline", "at": T0 + 60}
    ]


# ---------------------------------------------------------------- rounds


def rounds_session(world, *names):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply", "pairing": "rounds"})
    return code, people(hub, code, *names)


def test_a_round_pairs_the_ready_and_one_sits_out(world):
    hub = world.hub
    code, ps = rounds_session(world, "Ann", "Bob", "Cy")
    assert hub.ready_count(code) == 3
    round_no, count, touched = hub.start_round(code)
    assert (round_no, count) == (1, 1) and touched == {pid for pid, _ in ps.values()}
    phases = {name: hub.view(pid)["phase"] for name, (pid, _) in ps.items()}
    sitter = next(name for name, ph in phases.items() if ph == "lobby")
    assert sorted(phases.values()) == ["lobby", "negotiating", "negotiating"]
    assert "You sit out round 1" in hub.view(ps[sitter][0])["lobby"]["message"]
    assert hub.session(code).round == 1 and hub.ready_count(code) == 1
    # fewer than two ready: nothing starts, nothing changes
    assert hub.start_round(code) == (1, 0, set())
    assert [r["type"] for r in world.rows("SELECT type FROM events WHERE type != 'joined'")] == [
        "round_started",
        "paired",
        "sat_out",
    ]


def test_start_round_is_refused_in_an_arrival_session(world):
    code = world.hub.create_session({"scenario": "test-supply"})
    with pytest.raises(ApiError) as e:
        world.hub.start_round(code)
    assert e.value.status == 400


class FailingStore(Store):
    """A store whose n-th ``add_negotiation`` fails, as a crash between two pairings would."""

    fail_at = 2

    def __init__(self, path):
        super().__init__(path)
        self.added = 0

    def add_negotiation(self, row, session_events=()):
        self.added += 1
        if self.added == self.fail_at:
            raise OSError("disk gone between two pairings")
        super().add_negotiation(row, session_events)


def test_a_round_that_fails_between_pairings_leaves_nothing_in_the_database_or_memory(tmp_path):
    w = World(tmp_path / "hub.db", FailingStore)
    hub = w.hub
    hub.add_scenario(scenario_dict())
    code, ps = rounds_session(w, "Ann", "Bob", "Cy", "Dee", "Eve")
    version = hub.version
    with pytest.raises(OSError):
        hub.start_round(code)
    assert w.store.added == 2  # the first pairing was written inside the transaction
    assert w.rows("SELECT * FROM negotiations") == []
    assert w.rows("SELECT type FROM events WHERE type != 'joined'") == []
    s = hub.session(code)
    assert s.round == 0 and s.negotiation_count == 0
    assert hub.members(code)[1] == []
    for pid, _ in ps.values():
        p = hub.participant(pid)
        assert p.negotiations == [] and p.last_sat_out == -1
        assert hub.view(pid)["phase"] == "lobby"
    assert hub.ready_count(code) == 5 and hub.version == version
    # the same round can be started again once the store works
    w.store.fail_at = 0
    assert hub.start_round(code)[:2] == (1, 2)
    assert len(w.rows("SELECT * FROM negotiations WHERE round = 1")) == 2
    w.store.close()


def test_after_a_failed_round_a_restart_finds_no_round_and_plays_round_one(tmp_path):
    w = World(tmp_path / "hub.db", FailingStore)
    w.hub.add_scenario(scenario_dict())
    code, ps = rounds_session(w, "Ann", "Bob", "Cy", "Dee")
    with pytest.raises(OSError):
        w.hub.start_round(code)
    hub = w.reopen()
    assert hub.session(code).round == 0 and hub.members(code)[1] == []
    for pid, sid in ps.values():
        hub.connect(hub.participant(pid).token, sid)
    assert hub.start_round(code)[:2] == (1, 2)
    w.store.close()


# ---------------------------------------------------------------- recovery


def test_everything_comes_back_after_reopening(world):
    hub = world.hub
    code, ps = rounds_session(world, "Ann", "Bob", "Cy")
    hub.start_round(code)
    by_role = roles(hub, ps)
    _, s_sid = by_role["seller"]
    offer_id = hub.act(s_sid, "propose", {"packages": [BEST_FOR_SELLER]})[0]["offer_id"]
    hub.act(by_role["buyer"][1], "chat", {"text": "thinking"})
    before = {pid: hub.view(pid) for pid, _ in ps.values()}
    sitter = next(pid for pid, _ in ps.values() if before[pid]["phase"] == "lobby")

    hub = world.reopen()
    s = hub.session(code)
    assert s.round == 1 and s.protocol == "offers" and s.negotiation_count == 1
    assert hub.participant(sitter).last_sat_out == 1
    for pid, _ in ps.values():
        after = hub.view(pid)
        for key in ("phase", "participant", "session"):
            assert after[key] == before[pid][key]
        if after["negotiation"]:
            neg, old = after["negotiation"], before[pid]["negotiation"]
            assert neg["offers"] == old["offers"] and neg["chat"] == old["chat"]
            assert neg["offers"][0]["id"] == offer_id
    # nobody is connected after a restart; they come back with their tokens
    assert hub.ready_count(code) == 0
    for pid, sid in ps.values():
        hub.connect(hub.participant(pid).token, sid)
    # the buyer accepts the offer made before the restart
    buyer_sid = by_role["buyer"][1]
    assert hub.act(buyer_sid, "accept", {"offer_id": offer_id, "package": 0})[0] == {"ok": True}
    # round 2 pairs the one who sat out
    round_no, count, touched = hub.start_round(code)
    assert (round_no, count) == (2, 1) and sitter in touched
    assert hub.view(sitter)["phase"] == "negotiating"


def test_a_deadline_that_passed_while_down_ends_the_negotiation_on_reopening(world):
    _, by_role = arrival_pair(world, time_limit_s=60)
    seller = by_role["seller"][0]
    world.clock.now = T0 + 3600
    hub = world.reopen()
    v = hub.view(seller)["negotiation"]
    assert (v["status"], v["outcome"]["reason"]) == ("impasse", "deadline")
    assert world.rows("SELECT status FROM negotiations") == [{"status": "impasse"}]


def test_a_database_of_schema_one_opens_with_its_rounds_and_the_offers_protocol(
    tmp_path, monkeypatch
):
    """A database written before the protocol column, with the round in sessions.round and in
    its round_started events, opens: migrated, protocol "offers", round read from the events."""
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:1])
    old = Store(path)
    s = records.Session(
        "OLD234", parse(scenario_dict()), ["any"], None, 8, "rounds",
        seed=7, round=0, created_at="2026-01-01T00:00:00.000Z",
    )  # fmt: skip
    row = records.session_row(s)
    for later in (
        "protocol", "multiple_seats", "debrief", "middle", "rotate",  # schemas 2-5
        "name", "closed", "archived", "student_id", "count_instructor_ended",  # schema 6
        "study",  # schema 8
    ):  # fmt: skip
        del row[later]
    row["round"] = 3
    old.add_session(row)
    old.log("OLD234", None, "round_started", {"round": 3, "ready": []}, at=T0)
    assert old.schema_version == 1
    old.close()
    monkeypatch.undo()

    new = Store(path)
    assert new.schema_version == SCHEMA_VERSION
    hub = Hub(new, clock=Clock())
    s = hub.session("OLD234")
    assert (s.protocol, s.round) == ("offers", 3)
    assert (s.multiple_seats, s.debrief) == (False, "immediate")  # as before schema 3
    assert (s.name, s.closed, s.archived, s.student_id) == ("", False, False, None)
    new.close()


# ---------------------------------------------------------------- the protocol seam


def quiet_protocol() -> types.ModuleType:
    """A protocol made in the test: the offers protocol without chat and with one condition."""
    m = types.ModuleType("quiet")
    for name in (
        "new_state",
        "fold",
        "replay",
        "parse_action",
        "due",
        "end_by_instructor",
        "answer",
    ):
        setattr(m, name, getattr(offers, name))
    m.view, m.suggest = offers.view, offers.suggest
    m.NAME, m.CONDITIONS, m.ACTIONS = "quiet", ("any",), offers.ACTIONS

    def apply(state, role, action, now):
        if action["type"] == "chat":
            raise RuleError("bad_request", "no chat in a quiet negotiation")
        return offers.apply(state, role, action, now)

    m.apply = apply
    return m


def test_a_registered_protocol_plays_its_sessions_with_no_change_to_the_hub(world, monkeypatch):
    monkeypatch.setitem(protocols.REGISTRY, "quiet", quiet_protocol())
    hub = world.hub
    with pytest.raises(ApiError) as e:
        hub.create_session({"scenario": "test-supply", "protocol": "quiet", "conditions": ["meso"]})
    assert e.value.errors == ["conditions[0]: unknown condition 'meso' (any)"]
    code = hub.create_session({"scenario": "test-supply", "protocol": "quiet"})
    by_role = roles(hub, people(hub, code, "Ann", "Bob"))
    s_sid = by_role["seller"][1]
    answer, _ = hub.act(s_sid, "chat", {"text": "hello"})
    assert answer["error"] == {"code": "bad_request", "message": "no chat in a quiet negotiation"}
    assert hub.act(s_sid, "propose", {"packages": [BEST_FOR_SELLER]})[0]["ok"] is True
    # an offers session beside it still chats
    _, other = arrival_pair(world)
    assert hub.act(other["buyer"][1], "chat", {"text": "hi"})[0] == {"ok": True}
    hub = world.reopen()
    assert hub.session(code).protocol == "quiet"
    seller = by_role["seller"][0]
    assert len(hub.view(seller)["negotiation"]["offers"]) == 1
