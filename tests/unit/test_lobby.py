"""game.lobby: join codes, tokens, condition assignment, arrival roles, round planning."""

from __future__ import annotations

import collections
import itertools
import random
import string

import pytest

from game.core import lobby
from game.core.lobby import Past, plan_round

# ---------------------------------------------------------------- codes and tokens


def test_the_code_alphabet_has_no_characters_that_read_alike():
    assert not set(lobby.CODE_ALPHABET) & set("0O1I")
    assert len(set(lobby.CODE_ALPHABET)) == len(lobby.CODE_ALPHABET)
    assert set(lobby.CODE_ALPHABET) <= set(string.ascii_uppercase + string.digits)


def test_codes_are_short_drawn_from_the_alphabet_and_hard_to_guess():
    codes = [lobby.make_code() for _ in range(2000)]
    for c in codes:
        assert 4 <= len(c) <= 10
        assert set(c) <= set(lobby.CODE_ALPHABET)
    assert len(set(codes)) >= 1995
    assert len(lobby.CODE_ALPHABET) ** len(codes[0]) >= 10**8  # a classroom cannot guess one


def test_a_seeded_generator_makes_the_same_codes():
    assert lobby.make_code(random.Random(7)) == lobby.make_code(random.Random(7))


@pytest.mark.parametrize(
    "typed,code",
    [
        ("abc234", "ABC234"),
        ("ABC234", "ABC234"),
        (" abc 234 ", "ABC234"),
        ("abc-234", "ABC234"),
        ("aBc\t234\n", "ABC234"),
        ("", ""),
    ],
)
def test_codes_are_normalized_to_upper_case_without_spaces_or_dashes(typed, code):
    assert lobby.normalize_code(typed) == code


def test_a_normalized_code_is_stable():
    for _ in range(100):
        c = lobby.make_code()
        assert lobby.normalize_code(lobby.normalize_code(c.lower())) == c


def test_join_tokens_carry_at_least_128_bits_and_differ():
    tokens = {lobby.make_token() for _ in range(500)}
    assert len(tokens) == 500
    for t in tokens:
        # URL-safe base64: 6 bits a character
        assert len(t) * 6 >= 128
        assert set(t) <= set(string.ascii_letters + string.digits + "-_")


# ---------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    "conditions",
    [["single", "meso"], ["meso", "meso", "any"], ["any"], ["single", "meso", "any"]],
)
@pytest.mark.parametrize("seed", [0, 1, 12345, 2**31 - 1])
def test_every_block_of_negotiations_holds_each_condition_its_share(conditions, seed):
    k = len(conditions)
    drawn = [lobby.condition_for(conditions, seed, i) for i in range(k * 12)]
    for block in range(12):
        assert collections.Counter(drawn[block * k : (block + 1) * k]) == collections.Counter(
            conditions
        )


def test_conditions_after_any_number_of_negotiations_are_at_most_one_block_off():
    conditions = ["single", "meso"]
    for seed in range(20):
        drawn = [lobby.condition_for(conditions, seed, i) for i in range(17)]
        for n in range(1, 18):
            c = collections.Counter(drawn[:n])
            assert abs(c["single"] - c["meso"]) <= 1


def test_condition_order_is_seeded_and_random():
    conditions = ["single", "meso", "any"]
    one = [lobby.condition_for(conditions, 99, i) for i in range(30)]
    assert one == [lobby.condition_for(conditions, 99, i) for i in range(30)]
    orders = {
        tuple(lobby.condition_for(conditions, seed, i) for i in range(3)) for seed in range(200)
    }
    assert len(orders) == 6  # every order of a block turns up
    firsts = collections.Counter(lobby.condition_for(conditions, s, 0) for s in range(3000))
    assert all(800 < firsts[c] < 1200 for c in conditions), firsts


def test_no_conditions_is_an_error():
    with pytest.raises(ValueError):
        lobby.condition_for([], 1, 0)


# ---------------------------------------------------------------- arrival


def test_arrival_roles_keep_both_participants_and_draw_the_order_at_random():
    rng = random.Random(5)
    orders = collections.Counter(lobby.arrival_roles("a", "b", rng) for _ in range(2000))
    assert set(orders) == {("a", "b"), ("b", "a")}
    assert 850 < orders[("a", "b")] < 1150


# ---------------------------------------------------------------- rounds


def ids(n):
    return [f"p{k}" for k in range(n)]


def check_plan(plan, people):
    placed = [p for pair in plan.pairs for p in pair]
    if plan.sitting_out is not None:
        placed.append(plan.sitting_out)
    assert sorted(placed) == sorted(people), "everyone plays once or sits out"
    assert (plan.sitting_out is not None) == (len(people) % 2 == 1)


@pytest.mark.parametrize("n", range(0, 15))
def test_a_first_round_pairs_everyone_and_sits_out_one_of_an_odd_count(n):
    plan = plan_round(ids(n), [], {}, random.Random(n))
    check_plan(plan, ids(n))
    assert len(plan.pairs) == n // 2


def test_the_one_who_sits_out_is_the_one_who_sat_out_least_recently():
    people = ids(5)
    # never sat out comes first; among those, the latest to join
    assert plan_round(people, [], {}, random.Random(0)).sitting_out == "p4"
    assert plan_round(people, [], {"p4": 1}, random.Random(0)).sitting_out == "p3"
    sat = {"p0": 3, "p1": 1, "p2": 4, "p3": 2, "p4": 5}
    assert plan_round(people, [], sat, random.Random(0)).sitting_out == "p1"


def test_sitting_out_rotates_through_everyone_over_rounds():
    people = ids(7)
    sat: dict[str, int] = {}
    history: list[Past] = []
    seen = []
    for rnd in range(1, 8):
        plan = plan_round(people, history, sat, random.Random(rnd))
        check_plan(plan, people)
        seen.append(plan.sitting_out)
        sat[plan.sitting_out] = rnd
        history += [Past(a, b) for a, b in plan.pairs]
    assert sorted(seen) == sorted(people)


def test_partners_are_new_while_new_ones_are_possible():
    people = ids(8)
    history: list[Past] = []
    met = set()
    for rnd in range(7):  # 8 people can have 7 rounds without a repeat
        plan = plan_round(people, history, {}, random.Random(rnd))
        check_plan(plan, people)
        for a, b in plan.pairs:
            assert frozenset((a, b)) not in met, f"round {rnd + 1} repeats {a}-{b}"
            met.add(frozenset((a, b)))
        history += [Past(a, b) for a, b in plan.pairs]
    assert len(met) == 8 * 7 // 2


def test_roles_alternate_for_each_participant():
    people = ids(6)
    history: list[Past] = []
    last: dict[str, int] = {}
    # 3 + 3 people who alternate always meet across the two groups: 3 rounds of new partners
    for rnd in range(3):
        plan = plan_round(people, history, {}, random.Random(rnd))
        for a, b in plan.pairs:
            if rnd > 0:
                assert last[a] == 1 and last[b] == 0, "roles did not alternate"
            last[a], last[b] = 0, 1
        history += [Past(a, b) for a, b in plan.pairs]


def test_a_repeat_partner_only_when_nothing_else_is_possible():
    plan = plan_round(["a", "b"], [Past("a", "b")], {}, random.Random(0))
    assert plan.pairs in ([("b", "a")],)  # the repeat, with roles swapped


def test_new_partners_come_before_alternating_roles():
    # a and b both last played role 0; c and d both role 1; a-d and b-c already met.
    history = [Past("a", "d"), Past("b", "c")]
    plan = plan_round(["a", "b", "c", "d"], history, {}, random.Random(0))
    pairs = {frozenset(p) for p in plan.pairs}
    assert frozenset(("a", "d")) not in pairs and frozenset(("b", "c")) not in pairs


def all_matchings(people):
    if not people:
        yield []
        return
    a, rest = people[0], people[1:]
    for i, b in enumerate(rest):
        for m in all_matchings(rest[:i] + rest[i + 1 :]):
            yield [(a, b), *m]


def cost_of(pairs, history):
    """(repeat partners, role breaks) of oriented ``pairs`` after ``history``."""
    met = collections.Counter(frozenset((h.p0, h.p1)) for h in history)
    last = {}
    for h in history:
        last[h.p0], last[h.p1] = 0, 1
    repeats = sum(met[frozenset(p)] for p in pairs)
    breaks = sum((last.get(a) == 0) + (last.get(b) == 1) for a, b in pairs)
    return repeats, breaks


def best_cost(people, history):
    best = None
    for m in all_matchings(list(people)):
        for flips in itertools.product((False, True), repeat=len(m)):
            oriented = [(b, a) if f else (a, b) for (a, b), f in zip(m, flips, strict=True)]
            c = cost_of(oriented, history)
            if best is None or c < best:
                best = c
    return best


@pytest.mark.parametrize("seed", range(60))
def test_small_rounds_are_the_best_possible_by_exhaustive_search(seed):
    rng = random.Random(seed)
    n = rng.choice([2, 3, 4, 5, 6, 7, 8])
    people = ids(n)
    history: list[Past] = []
    sat: dict[str, int] = {}
    for rnd in range(1, rng.randint(1, 5) + 1):
        # a random past: some of the people met in some roles
        present = [p for p in people if rng.random() < 0.85]
        rng.shuffle(present)
        for k in range(0, len(present) - 1, 2):
            history.append(Past(present[k], present[k + 1]))
        if len(present) % 2:
            sat[present[-1]] = rnd
    plan = plan_round(people, history, sat, random.Random(seed))
    check_plan(plan, people)
    playing = [p for p in people if p != plan.sitting_out]
    assert cost_of(plan.pairs, history) == best_cost(playing, history)


def test_large_rounds_still_pair_everyone_without_repeats_when_easy():
    people = ids(40)
    history: list[Past] = []
    met = set()
    for rnd in range(3):
        plan = plan_round(people, history, {}, random.Random(rnd))
        check_plan(plan, people)
        for a, b in plan.pairs:
            assert frozenset((a, b)) not in met
            met.add(frozenset((a, b)))
        history += [Past(a, b) for a, b in plan.pairs]


def test_a_round_plan_is_reproducible_from_its_seed():
    people = ids(9)
    history = [Past("p0", "p1"), Past("p2", "p3")]
    a = plan_round(people, history, {"p8": 1}, random.Random("s:round:2"))
    b = plan_round(people, history, {"p8": 1}, random.Random("s:round:2"))
    assert a == b


# ---------------------------------------------------------------- standings


def test_zscores_use_the_population_standard_deviation():
    z = lobby.zscores([2, 4, 4, 4, 5, 5, 7, 9])  # mean 5, population sd 2
    assert z == pytest.approx([-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2])


@pytest.mark.parametrize("values", [[], [42], [3, 3, 3], [1e6, 1e6]])
def test_zscores_are_zero_for_fewer_than_two_or_no_spread(values):
    assert lobby.zscores(values) == [0.0] * len(values)


def test_zscores_sum_to_zero_and_have_unit_spread():
    rng = random.Random(3)
    values = [rng.uniform(-500, 3000) for _ in range(25)]
    z = lobby.zscores(values)
    assert sum(z) == pytest.approx(0, abs=1e-9)
    assert sum(x * x for x in z) / len(z) == pytest.approx(1)
