"""Who meets whom: join codes, condition assignment, arrival and round pairing.

Pure decisions: every function takes what it needs (including a seeded ``random.Random``) and
returns a decision; nothing here reads the clock, the database or the network.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6  # 31**6 ~ 8.9e8 codes


def make_code(rng: secrets.SystemRandom | random.Random | None = None) -> str:
    rng = rng or secrets.SystemRandom()
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """Codes are case-insensitive; people also type O for 0 and I/L for 1 — neither is used."""
    return "".join(code.split()).upper().replace("-", "")


def make_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


# ---------------------------------------------------------------- conditions


def condition_for(conditions: Sequence[str], seed: int, index: int) -> str:
    """The condition of a session's ``index``-th negotiation (from 0).

    Balanced random order: the list (a repeated condition weighs more) is shuffled afresh for
    every block of ``len(conditions)`` negotiations, with a generator seeded by the session's
    seed and the block number, so after every whole block each condition has had its share.
    """
    if not conditions:
        raise ValueError("no conditions")
    block, pos = divmod(index, len(conditions))
    order = list(conditions)
    random.Random(f"{seed}:{block}").shuffle(order)
    return order[pos]


# ---------------------------------------------------------------- arrival pairing


def arrival_roles(a: str, b: str, rng: random.Random) -> tuple[str, str]:
    """Two waiting participants become a negotiation; which takes role 0 is drawn at random."""
    return (a, b) if rng.random() < 0.5 else (b, a)


# ---------------------------------------------------------------- rounds


@dataclass(frozen=True)
class Past:
    """One earlier negotiation of the session: participant at role index 0 and 1."""

    p0: str
    p1: str


@dataclass(frozen=True)
class RoundPlan:
    pairs: list[tuple[str, str]]  # (participant at role 0, participant at role 1)
    sitting_out: str | None


REPEAT_COST = 1000  # a repeat partner costs more than any number of role breaks in a pair


def plan_round(
    participants: Sequence[str],
    history: Sequence[Past],
    sat_out: dict[str, int],
    rng: random.Random,
) -> RoundPlan:
    """Pair everyone in ``participants`` (in join order) for the next round.

    New partners where possible; then each participant alternates roles (takes the other role
    than in their last negotiation). With an odd count one participant sits out: the one who
    sat out least recently (``sat_out`` maps participant to the round they last sat out; one
    who never did comes first, the latest to join among equals).
    """
    people = list(participants)
    sitting = None
    if len(people) % 2 == 1:
        order = {p: n for n, p in enumerate(people)}
        sitting = min(people, key=lambda p: (sat_out.get(p, -1), -order[p]))
        people.remove(sitting)
    if not people:
        return RoundPlan([], sitting)

    met: dict[frozenset, int] = {}
    last_role: dict[str, int] = {}
    for h in history:
        key = frozenset((h.p0, h.p1))
        met[key] = met.get(key, 0) + 1
        last_role[h.p0] = 0
        last_role[h.p1] = 1

    def wants(p: str, role: int) -> int:
        """1 if giving ``p`` role index ``role`` breaks its alternation."""
        return 1 if last_role.get(p) == role else 0

    def oriented(a: str, b: str) -> tuple[int, tuple[str, str]]:
        c_ab = wants(a, 0) + wants(b, 1)
        c_ba = wants(b, 0) + wants(a, 1)
        repeat = REPEAT_COST * met.get(frozenset((a, b)), 0)
        if c_ab < c_ba or (c_ab == c_ba and rng.random() < 0.5):
            return repeat + c_ab, (a, b)
        return repeat + c_ba, (b, a)

    def cost(a: str, b: str) -> int:
        return REPEAT_COST * met.get(frozenset((a, b)), 0) + min(
            wants(a, 0) + wants(b, 1), wants(b, 0) + wants(a, 1)
        )

    if len(people) <= 12:
        best = _exact_matching(people, cost)
    else:
        best = _local_search(people, cost, rng)
    return RoundPlan([oriented(a, b)[1] for a, b in best], sitting)


def _exact_matching(people: list[str], cost) -> list[tuple[str, str]]:
    """The cheapest perfect matching by exhaustive search (at most 10,395 for 12 people)."""
    best: tuple[int, list] = (10**18, [])

    def go(rest: list[str], acc: list, total: int) -> None:
        nonlocal best
        if total >= best[0]:
            return
        if not rest:
            best = (total, list(acc))
            return
        a = rest[0]
        for n in range(1, len(rest)):
            b = rest[n]
            acc.append((a, b))
            go(rest[1:n] + rest[n + 1 :], acc, total + cost(a, b))
            acc.pop()

    go(people, [], 0)
    return best[1]


def _local_search(people: list[str], cost, rng: random.Random, restarts: int = 4) -> list:
    """A perfect matching improved by pair swaps until no swap helps; best of a few starts."""
    best_total, best_pairs = None, []
    for _ in range(restarts):
        order = people[:]
        rng.shuffle(order)
        pairs = [(order[i], order[i + 1]) for i in range(0, len(order), 2)]
        improved = True
        passes = 0
        while improved and passes < 50:
            improved = False
            passes += 1
            for i, j in combinations(range(len(pairs)), 2):
                a, b = pairs[i]
                c, d = pairs[j]
                now = cost(a, b) + cost(c, d)
                s1 = cost(a, c) + cost(b, d)
                s2 = cost(a, d) + cost(b, c)
                if s1 < now and s1 <= s2:
                    pairs[i], pairs[j] = (a, c), (b, d)
                    improved = True
                elif s2 < now:
                    pairs[i], pairs[j] = (a, d), (b, c)
                    improved = True
        total = sum(cost(a, b) for a, b in pairs)
        if best_total is None or total < best_total:
            best_total, best_pairs = total, pairs
        if best_total == 0:
            break
    return best_pairs


# ---------------------------------------------------------------- standings


def zscores(values: Sequence[float]) -> list[float]:
    """Population z-scores; all 0 when fewer than two values or no spread."""
    n = len(values)
    if n < 2:
        return [0.0] * n
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / n
    if var <= 1e-12:
        return [0.0] * n
    sd = var**0.5
    return [(v - mean) / sd for v in values]
