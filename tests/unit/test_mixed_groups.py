"""A session mixing direct and middle-seat conditions with a student in the middle: the pure
planning of pairs and trios by condition (game.core.trios), and the hub forming them on
arrival (waiting for a third, then a pair after the wait or on the instructor's Pair button)
and in rounds (everyone seated, the middle seat rotating), the log naming each condition."""

from __future__ import annotations

import collections
import json
import random

import pytest

from game.core import lobby, trios
from tests.unit.test_hub import people

FOUR = ["single", "meso", "mediated", "single_text"]


def sizes_of(slots):
    return [s.size for s in slots]


# ---------------------------------------------------------------- pure planning


def test_group_sizes_by_condition_and_when_sessions_form_pairs_and_trios():
    assert [trios.size_of(c) for c in FOUR] == [2, 2, 3, 3]
    assert trios.sizes_vary("mixed", "players", FOUR)
    assert not trios.sizes_vary("mixed", "computer", FOUR)
    assert not trios.sizes_vary("mixed", "players", ["mediated", "single_text"])
    assert not trios.sizes_vary("mediated", "players", ["mediated"])


def test_strict_arrival_planning_follows_the_sequence_and_waits_for_a_third():
    seq = [lobby.condition_for(FOUR, 7, i) for i in range(8)]
    first_trio = next(i for i, c in enumerate(seq) if trios.size_of(c) == 3)
    taken = set(range(first_trio))
    assert trios.plan_slots(FOUR, 7, taken, 2, strict=True) == []
    (slot,) = trios.plan_slots(FOUR, 7, taken, 3, strict=True)
    assert (slot.index, slot.condition, slot.size) == (first_trio, seq[first_trio], 3)
    # not strict: the two play the next direct condition; the trio's position stays first
    (pair,) = trios.plan_slots(FOUR, 7, taken, 2, strict=False)
    assert pair.index > first_trio and pair.size == 2 and pair.condition == seq[pair.index]
    assert all(trios.size_of(seq[i]) == 3 for i in range(first_trio, pair.index))
    (after,) = trios.plan_slots(FOUR, 7, taken | {pair.index}, 3, strict=True)
    assert after.index == first_trio


@pytest.mark.parametrize("seed", range(20))
def test_rounds_take_the_lowest_free_position_first_and_seat_all_but_at_most_one(seed):
    rng = random.Random(seed)
    taken: set[int] = set()
    for _ in range(15):
        people = rng.randint(2, 11)
        slots = trios.plan_slots(FOUR, seed, taken, people, strict=False)
        first = min(set(range(len(taken) + 1)) - taken)
        size = trios.size_of(lobby.condition_for(FOUR, seed, first))
        if size <= people:  # the lowest free position fits: it goes first, whatever is left
            assert slots[0].index == first
        # everyone is seated (2s and 3s make any count >= 2), except one left alone when the
        # lowest free position, taken first, leaves one
        alone = size <= people and people - size == 1
        assert sum(sizes_of(slots)) == people - (1 if alone else 0)
        for s in slots:
            assert s.index not in taken and s.condition == lobby.condition_for(FOUR, seed, s.index)
            assert s.size == trios.size_of(s.condition)
            taken.add(s.index)
    # a round with people enough takes every position passed over first, in order
    gaps = sorted(set(range(max(taken) + 1)) - taken)
    need = sum(trios.size_of(lobby.condition_for(FOUR, seed, i)) for i in gaps)
    slots = trios.plan_slots(FOUR, seed, taken, need + 2, strict=False)
    assert [s.index for s in slots][: len(gaps)] == gaps
    assert trios.plan_slots(FOUR, seed, taken, 1, strict=False) == []


def test_a_round_that_can_take_the_passed_over_positions_takes_them_first():
    seq = [lobby.condition_for(FOUR, 3, i) for i in range(12)]
    taken: set[int] = set()
    (a,) = trios.plan_slots(FOUR, 3, taken, 2, strict=False)
    taken.add(a.index)
    passed = [i for i in range(a.index) if i not in taken]
    assert all(trios.size_of(seq[i]) == 3 for i in passed)
    nine = trios.plan_slots(FOUR, 3, taken, 9, strict=False)
    assert [s.index for s in nine][: len(passed)] == passed


def test_the_mixed_round_plan_seats_groups_of_the_sizes_and_rotates_the_middle():
    people_ = [f"p{n}" for n in range(8)]
    history: list[tuple[str, ...]] = []
    middles = []
    for r in range(4):
        plan = trios.plan_mixed_round(people_, history, {}, random.Random(f"r{r}"), True, [3, 2, 3])
        assert [len(g) for g in plan.groups] == [3, 2, 3] and plan.sitting_out == []
        assert sorted(x for g in plan.groups for x in g) == sorted(people_)
        middles.append({g[2] for g in plan.groups if len(g) == 3})
        history += plan.groups
    # eight people, two middles a round: four rounds give the middle to eight different people
    assert len(set().union(*middles)) == 8
    plan = trios.plan_mixed_round(people_[:7], [], {"p6": 1}, random.Random(1), False, [3, 3])
    assert plan.sitting_out == ["p5"]  # one who never sat out, the latest to join
    with pytest.raises(ValueError):
        trios.plan_mixed_round(people_[:4], [], {}, random.Random(1), False, [3, 2])


def test_which_participant_plays_which_condition_and_seat_is_drawn_not_set_by_join_order():
    """Every participant, the first to join included, plays a pair and a trio in some seeds and
    sits in the middle in some (about 1 in 5 here), in a mixed round and in trios alone."""
    people_ = ["a", "b", "c", "d", "e"]
    in_pair = collections.Counter()
    middle = collections.Counter()
    for seed in range(200):
        plan = trios.plan_mixed_round(people_, [], {}, random.Random(seed), False, [2, 3])
        for g in plan.groups:
            for x in g:
                in_pair[x] += len(g) == 2
            if len(g) == 3:
                middle[g[2]] += 1
    for x in people_:
        assert 50 < in_pair[x] < 120, (x, in_pair)  # 2 of 5 are in the pair: 80 expected
        assert 15 < middle[x] < 70, (x, middle)  # 1 of 5 in the middle: 40 expected
    middles = collections.Counter(
        trios.plan_trios(people_[:3], [], {}, random.Random(seed), False).trios[0][2]
        for seed in range(150)
    )
    assert all(25 < middles[x] < 75 for x in people_[:3]), middles  # 50 each expected


# ---------------------------------------------------------------- the hub


def mixed_session(hub, conditions, first: str, **extra) -> str:
    """A session mixing ``conditions`` with a student in the middle whose sequence starts with
    the condition ``first`` (sessions are made until one's seed gives it)."""
    for _ in range(200):
        code = hub.create_session({"scenario": "test-supply", "protocol": "mixed",
                                   "conditions": conditions, **extra})  # fmt: skip
        if lobby.condition_for(conditions, hub.session(code).seed, 0) == first:
            return code
    raise AssertionError("no seed starts with " + first)


def paired(world, code):
    """(condition_index, condition, how many seats) of every paired event, in order."""
    rows = world.rows(
        "SELECT payload FROM events WHERE type = 'paired' AND session_code = ? ORDER BY event_id",
        (code,),
    )
    out = []
    for r in rows:
        p = json.loads(r["payload"])
        out.append((p["condition_index"], p["condition"], len(p["participants"])))
    return out


def phase(hub, ps, name):
    return hub.view(ps[name][0])["phase"]


def test_a_mixed_session_with_a_student_in_the_middle_is_accepted(world):
    code = world.hub.create_session({"scenario": "test-supply", "protocol": "mixed",
                                     "conditions": FOUR, "middle": "players"})  # fmt: skip
    s = world.hub.session(code)
    assert (s.protocol, s.middle, s.group) == ("mixed", "players", 2)


def test_arrivals_wait_for_a_third_then_play_a_pair_after_the_wait(world):
    hub = world.hub
    conditions = ["single", "mediated"]
    code = mixed_session(hub, conditions, "mediated")
    seq = [lobby.condition_for(conditions, hub.session(code).seed, i) for i in range(4)]
    ps = people(hub, code, "A", "B")
    assert phase(hub, ps, "A") == phase(hub, ps, "B") == "lobby"
    assert "three with a mediator or facilitator" in hub.view(ps["A"][0])["lobby"]["message"]
    world.clock.now += trios.TRIO_WAIT_S - 1
    assert hub.pair_due() == set()
    world.clock.now += 1
    assert hub.pair_due() == {ps["A"][0], ps["B"][0]}
    neg = hub.view(ps["A"][0])["negotiation"]
    assert neg["condition"] == "single" and neg["role"] in ("seller", "buyer")
    # the next three take the trio's position, passed over, not dropped
    ps |= people(hub, code, "C", "D", "E")
    roles = {hub.view(ps[x][0])["negotiation"]["role"] for x in "CDE"}
    assert roles == {"seller", "buyer", "mediator"}
    single_at = seq.index("single")
    assert paired(world, code) == [(single_at, "single", 2), (0, "mediated", 3)]
    # after a restart the positions taken are known again
    hub2 = world.reopen()
    people(hub2, code, "F", "G", "H")
    got = paired(world, code)[2:]
    nxt = min(set(range(8)) - {0, single_at})
    assert got[0][:2] == (nxt, seq[nxt])


def test_arrivals_in_sequence_and_the_instructors_pair_button(world):
    hub = world.hub
    conditions = ["single", "mediated"]
    code = mixed_session(hub, conditions, "single")
    ps = people(hub, code, "A", "B", "C", "D")
    assert phase(hub, ps, "A") == "negotiating"  # position 0: a pair at once
    assert phase(hub, ps, "C") == "lobby"  # position 1: mediated, they wait for a third
    assert hub.pair_due() == set()
    count, touched = hub.pair_waiting(code)  # the instructor pairs them: a direct condition
    assert count == 1 and touched == {ps["C"][0], ps["D"][0]}
    assert hub.view(ps["C"][0])["negotiation"]["condition"] == "single"
    idx = [p[0] for p in paired(world, code)]
    assert idx[0] == 0 and idx[1] > 1
    ps |= people(hub, code, "E", "F", "G")
    assert paired(world, code)[2] == (1, "mediated", 3)


def test_rounds_form_pairs_and_trios_by_condition_and_rotate_the_middle(world):
    hub = world.hub
    code = hub.create_session({"scenario": "test-supply", "protocol": "mixed",
                               "conditions": FOUR, "pairing": "rounds", "rotate": True})  # fmt: skip
    ps = people(hub, code, *[f"P{n}" for n in range(8)])
    middles = []
    for r in range(1, 4):
        rnd, count, touched = hub.start_round(code)
        assert rnd == r and len(touched) == 8  # everyone plays: 3 + 3 + 2 or 2 + 2 + 2 + 2
        views = [hub.view(pid)["negotiation"] for pid, _ in ps.values()]
        by_neg = collections.defaultdict(list)
        for v in views:
            by_neg[v["id"]].append(v)
        assert len(by_neg) == count
        for vs in by_neg.values():
            assert len(vs) == trios.size_of(vs[0]["condition"])
            middles += [v["role"] for v in vs if v["role"] in ("mediator", "facilitator")]
        for nid in by_neg:
            hub.end_negotiation(nid)
    assert middles  # some trios were played
    events = paired(world, code)
    indexes = [e[0] for e in events]
    assert len(indexes) == len(set(indexes))
    seed = hub.session(code).seed
    assert all(c == lobby.condition_for(FOUR, seed, i) for i, c, _ in events)
    rows = world.rows("SELECT participant_2 FROM negotiations WHERE participant_2 IS NOT NULL")
    seated_middle = [r["participant_2"] for r in rows]
    assert len(seated_middle) == len(set(seated_middle))  # rotation: nobody twice yet
