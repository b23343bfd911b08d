"""Issue 10 in the hub: seats by device, removing a seat, flags, the round debrief's gate, and
arrival pairing that strands nobody when its write fails. A real SQLite file, a fake clock."""

from __future__ import annotations

import pytest

from game.core import seats
from game.core.requests import RequestError, parse_session
from game.server.hub import ApiError
from game.server.store import Store
from tests.support import scenario_dict
from tests.unit.test_hub import World, people, roles

DEV_A = seats.device_hash("device-cookie-of-ann-0001")
DEV_B = seats.device_hash("device-cookie-of-bob-0002")


def test_a_device_cookie_is_kept_as_a_hash_and_a_malformed_one_is_none():
    assert DEV_A and len(DEV_A) == 32 and DEV_A != DEV_B
    assert "device-cookie" not in DEV_A
    for bad in (None, "", "short", "x" * 65, "has space in it......", 5):
        assert seats.device_hash(bad) is None


def test_a_second_join_from_the_same_device_gets_the_same_seat(world):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply"})
    t1, p1, again1 = hub.take_seat(code, {"name": "Ann"}, DEV_A)
    t2, p2, again2 = hub.take_seat(code, {"name": "Someone else"}, DEV_A)
    assert (t2, p2, again1, again2) == (t1, p1, False, True)
    assert hub.participant(p1).name == "Ann"  # the seat as it was
    # another device, or no device (a script without cookies), is another seat
    assert hub.take_seat(code, {"name": "Bob"}, DEV_B)[1] != p1
    assert hub.take_seat(code, {"name": "Cy"}, None)[1] != p1
    assert len(hub.members(code)[0]) == 3
    assert len(world.rows("SELECT * FROM participants")) == 3
    # ... also after a restart
    hub = world.reopen()
    assert hub.take_seat(code, {"name": "Ann"}, DEV_A)[:2] == (t1, p1)
    # another session is another seat
    other = hub.create_session({"scenario": "test-supply"})
    assert hub.take_seat(other, {"name": "Ann"}, DEV_A)[1] != p1


def test_multiple_seats_lets_one_device_take_several_and_flags_them(world):
    from game.server import reads

    hub = world.hub
    code = hub.create_session({"scenario": "test-supply", "multiple_seats": True})
    a = hub.take_seat(code, {"name": "Ann"}, DEV_A)[1]
    b = hub.take_seat(code, {"name": "Tab two"}, DEV_A)[1]
    c = hub.take_seat(code, {"name": " ann "}, DEV_B)[1]
    d = hub.take_seat(code, {"name": "Dee"}, seats.device_hash("device-cookie-of-dee-0003"))[1]
    assert len({a, b, c, d}) == 4
    view = reads.session_view(hub, code)
    flags = {p["participant_id"]: p["flags"] for p in view["participants"]}
    assert flags == {a: ["name", "device"], b: ["device"], c: ["name"], d: []}
    assert view["multiple_seats"] is True
    assert all(p["joined_at"] and p["removable"] for p in view["participants"])


def test_the_demo_session_allows_several_seats(world):
    code = world.hub.create_session({"scenario": "test-supply"}, demo=True)
    assert world.hub.session(code).multiple_seats


@pytest.mark.parametrize(
    "body,error",
    [
        ({"multiple_seats": "yes"}, "multiple_seats: must be true or false"),
        ({"debrief": "later"}, "debrief: must be round_end or immediate"),
        ({"debrief": "round_end"}, "debrief: round_end needs pairing 'rounds'"),
    ],
)
def test_seat_and_debrief_settings_are_checked(world, body, error):
    with pytest.raises(RequestError) as e:
        parse_session({"scenario": "test-supply", **body}, world.hub._catalog.by_id())
    assert any(error in x for x in e.value.errors), e.value.errors


def test_the_debrief_defaults_to_round_end_for_rounds_and_immediate_for_arrival(world):
    hub = world.hub
    assert hub.session(hub.create_session({"scenario": "test-supply"})).debrief == "immediate"
    code = hub.create_session({"scenario": "test-supply", "pairing": "rounds"})
    assert hub.session(code).debrief == "round_end"


def test_the_instructor_removes_a_seat_before_it_is_paired(world):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply"})
    token, pid, _ = hub.take_seat(code, {"name": "Squatter"}, DEV_A)
    hub.connect(token, "sid-squat")
    assert hub.session(code).waiting == [pid]
    assert hub.remove_seat(code, pid) == {"sid-squat"}
    assert hub.participant(pid) is None and hub.participant_for_token(token) is None
    assert hub.session(code).waiting == [] and hub.owner("sid-squat") is None
    assert hub.connect(token, "sid-again") == (None, set())  # the token works no more
    ev = world.rows("SELECT type, participant_id FROM events WHERE type = 'seat_removed'")
    assert ev == [{"type": "seat_removed", "participant_id": pid}]
    # the same device joins afresh: a new seat, not the removed one
    assert hub.take_seat(code, {"name": "Again"}, DEV_A)[1] != pid
    # after a restart the removed seat is still gone
    hub = world.reopen()
    assert hub.participant(pid) is None and hub.participant_for_token(token) is None
    assert [p.name for p in hub.members(code)[0]] == ["Again"]


def test_a_paired_seat_cannot_be_removed_and_a_wrong_one_is_404(world):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply"})
    ps = people(hub, code, "Ann", "Bob")
    with pytest.raises(ApiError) as e:
        hub.remove_seat(code, ps["Ann"][0])
    assert e.value.status == 409 and "paired" in e.value.errors[0]
    with pytest.raises(ApiError) as e:
        hub.remove_seat(code, "p_nobody")
    assert e.value.status == 404
    other = hub.create_session({"scenario": "test-supply"})
    with pytest.raises(ApiError) as e:
        hub.remove_seat(other, ps["Bob"][0])
    assert e.value.status == 404
    assert hub.participant(ps["Ann"][0]) is not None


def rounds_of_two_pairs(world, **settings):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply", "pairing": "rounds", **settings})
    people(hub, code, "Ann", "Bob", "Cy", "Dee")
    hub.start_round(code)
    negs = hub.members(code)[1]
    return code, negs


def test_a_pair_that_ends_early_sees_its_own_outcome_only_until_the_round_ends(world):
    hub = world.hub
    code, (n1, n2) = rounds_of_two_pairs(world)
    first = n1.participants[0]
    sid = f"sid-{hub.participant(first).name}"
    answer, touched = hub.act(sid, "walk_away", {})
    assert answer == {"ok": True} and touched == set(n1.participants)
    v = hub.view(first)
    neg = v["negotiation"]
    assert v["phase"] == "done" and neg["debrief"] is None and neg["debrief_pending"] is True
    assert neg["outcome"]["points"] == hub.session(code).scenario.batnas[0]
    # the other pair ends: the round's debrief opens for all four
    touched = hub.end_negotiation(n2.id)
    assert touched == set(n1.participants) | set(n2.participants)
    for pid in touched:
        neg = hub.view(pid)["negotiation"]
        assert neg["debrief"] is not None and neg["debrief_pending"] is False
    # and stays open after a restart
    hub = world.reopen()
    assert hub.view(first)["negotiation"]["debrief"] is not None


def test_the_instructor_opens_a_rounds_debrief_and_the_log_says_so(world):
    hub = world.hub
    code, (n1, n2) = rounds_of_two_pairs(world)
    hub.end_negotiation(n1.id)
    assert hub.view(n1.participants[0])["negotiation"]["debrief"] is None
    with pytest.raises(ApiError) as e:
        hub.open_debrief(code, {"round": 2})
    assert e.value.status == 409
    with pytest.raises(ApiError) as e:
        hub.open_debrief(code, {"round": "1"})
    assert e.value.status == 400
    assert hub.open_debrief(code, None) == (1, set(n1.participants) | set(n2.participants))
    assert hub.view(n1.participants[1])["negotiation"]["debrief"] is not None
    # the open pair sees no debrief: its negotiation is open
    assert hub.view(n2.participants[0])["negotiation"]["debrief"] is None
    assert hub.open_debrief(code, {"round": 1}) == (1, set())  # already open: nothing to do
    assert [
        r["type"] for r in world.rows("SELECT type FROM events WHERE type LIKE 'debrief%'")
    ] == ["debrief_opened"]
    hub = world.reopen()
    assert hub.session(code).debrief_open == {1}
    assert hub.view(n1.participants[1])["negotiation"]["debrief"] is not None


def test_an_immediate_debrief_opens_as_soon_as_the_pair_ends(world):
    hub = world.hub
    code, (n1, _n2) = rounds_of_two_pairs(world, debrief="immediate")
    assert hub.end_negotiation(n1.id) == set(n1.participants)
    assert hub.view(n1.participants[0])["negotiation"]["debrief"] is not None


def test_open_debrief_is_refused_in_an_arrival_session(world):
    code = world.hub.create_session({"scenario": "test-supply"})
    with pytest.raises(ApiError) as e:
        world.hub.open_debrief(code, {})
    assert e.value.status == 400


class FailingPairs(Store):
    """A store whose ``add_negotiation`` fails while ``fail`` is set."""

    fail = True

    def add_negotiation(self, row, session_events=()):
        if self.fail:
            raise OSError("disk full")
        super().add_negotiation(row, session_events)


def test_a_failed_arrival_pairing_strands_nobody(tmp_path):
    w = World(tmp_path / "hub.db", FailingPairs)
    hub = w.hub
    hub.add_scenario(scenario_dict())
    code = hub.create_session({"scenario": "test-supply"})
    ps = people(hub, code, "Ann", "Bob")  # Bob's connect tries to pair them, and fails
    s = hub.session(code)
    assert s.waiting == [ps["Ann"][0], ps["Bob"][0]]  # both still in the queue
    assert hub.participant(ps["Bob"][0]).connected
    assert s.negotiation_count == 0 and hub.members(code)[1] == []
    assert w.rows("SELECT * FROM negotiations") == []
    for pid, _ in ps.values():
        assert hub.view(pid)["phase"] == "lobby"
    # the store works again: the instructor's Pair (or the next arrival) pairs them
    w.store.fail = False
    count, touched = hub.pair_waiting(code)
    assert count == 1 and touched == {pid for pid, _ in ps.values()}
    assert set(roles(hub, ps)) == {"buyer", "seller"}
    assert s.waiting == []
    w.store.close()


def test_only_chosen_names_are_flagged_alike():
    """A study's participants (entered with a panel id, all named alike by the study) and
    computer counterparts never get the 'same name' flag; people who chose a name do."""
    from types import SimpleNamespace as P

    parts = [
        P(id="s1", name="Participant", device=None, kind="human", external_id="PANEL-1"),
        P(id="s2", name="Participant", device=None, kind="human", external_id="PANEL-2"),
        P(id="c1", name="Computer", device=None, kind="agent", external_id=None),
        P(id="c2", name="Computer", device=None, kind="agent", external_id=None),
        P(id="h1", name="Ann", device=None, kind="human", external_id=None),
        P(id="h2", name="ann", device=None, kind="human", external_id=None),
    ]
    assert seats.flags(parts) == {
        "s1": [],
        "s2": [],
        "c1": [],
        "c2": [],
        "h1": ["name"],
        "h2": ["name"],
    }
