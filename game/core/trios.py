"""Who meets whom when a negotiation has three seats: two parties and a player in the middle.

Pure decisions, as in :mod:`game.core.lobby` (which pairs the parties of each trio): a seat
tuple is ``(role 0, role 1, middle)`` by participant id.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from game.core import lobby


def arrival_seats(group: Sequence[str], rng: random.Random) -> tuple[str, str, str]:
    """Three waiting participants become a trio; who takes which seat is drawn at random."""
    order = list(group)
    rng.shuffle(order)
    return order[0], order[1], order[2]


@dataclass(frozen=True)
class TrioPlan:
    trios: list[tuple[str, str, str]]  # (role 0, role 1, middle)
    sitting_out: list[str]


def plan_trios(
    participants: Sequence[str],
    history: Sequence[Sequence[str]],
    sat_out: dict[str, int],
    rng: random.Random,
    rotate: bool,
) -> TrioPlan:
    """Group everyone in ``participants`` (in join order) into trios for the next round.

    ``history`` holds each earlier negotiation's participants by seat. The remainder of a
    division by three sits out: those who sat out least recently (never first, the latest to
    join among equals). The middle seats go, with ``rotate``, to those who have sat in the
    middle least often (then the earliest to join); without it, to those who sat in the middle
    before, then to the earliest to join. The parties are paired by :func:`lobby.plan_round`
    (new partners where possible, roles alternating), and the pairs get their middles in order.
    """
    people = list(participants)
    order = {p: n for n, p in enumerate(people)}
    extra = len(people) % 3
    sitting = sorted(people, key=lambda p: (sat_out.get(p, -1), -order[p]))[:extra]
    people = [p for p in people if p not in sitting]
    groups = len(people) // 3
    if groups == 0:
        return TrioPlan([], sitting)
    middles_count = {p: 0 for p in people}
    for h in history:
        if len(h) > 2 and h[2] in middles_count:
            middles_count[h[2]] += 1
    if rotate:
        middles = sorted(people, key=lambda p: (middles_count[p], order[p]))[:groups]
    else:
        middles = sorted(people, key=lambda p: (-min(middles_count[p], 1), order[p]))[:groups]
    parties = [p for p in people if p not in middles]
    past = [lobby.Past(h[0], h[1]) for h in history]
    plan = lobby.plan_round(parties, past, {}, rng)
    return TrioPlan([(a, b, m) for (a, b), m in zip(plan.pairs, middles, strict=True)], sitting)
