"""Who meets whom when a negotiation has three seats: two parties and a player in the middle.

Pure decisions, as in :mod:`game.core.lobby` (which pairs the parties of each trio): a seat
tuple is ``(role 0, role 1, middle)`` by participant id. A session mixing direct and middle-seat
conditions with a student in the middle forms pairs and trios (:func:`plan_slots`,
:func:`plan_mixed_round`).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from game.core import lobby, protocols


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
    middle least often; without it, to those who sat in the middle before; ties are drawn. The parties are paired by :func:`lobby.plan_round`
    (new partners where possible, roles alternating), and the pairs get their middles in order.
    """
    extra = len(participants) % 3
    groups = (len(participants) - extra) // 3
    pairs, middles, sitting = _seat(participants, history, sat_out, extra, groups, rotate, rng)
    return TrioPlan([(a, b, m) for (a, b), m in zip(pairs, middles, strict=True)], sitting)


def _seat(
    participants: Sequence[str],
    history: Sequence[Sequence[str]],
    sat_out: dict[str, int],
    extra: int,
    middles_n: int,
    rotate: bool,
    rng: random.Random,
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """A round's seats: the ``extra`` who sit out (those who sat out least recently, never
    first, the latest to join among equals), the ``middles_n`` middle seats (:func:`_middles`),
    and the rest paired by :func:`lobby.plan_round`: (pairs, middles, sitting)."""
    people = list(participants)
    order = {p: n for n, p in enumerate(people)}
    sitting = sorted(people, key=lambda p: (sat_out.get(p, -1), -order[p]))[:extra]
    people = [p for p in people if p not in sitting]
    middles = _middles(people, history, middles_n, rotate, rng)
    parties = [p for p in people if p not in middles]
    past = [lobby.Past(h[0], h[1]) for h in history]
    return lobby.plan_round(parties, past, {}, rng).pairs, middles, sitting


def _middles(
    people: list[str],
    history: Sequence[Sequence[str]],
    count: int,
    rotate: bool,
    rng: random.Random,
) -> list[str]:
    """Who takes the ``count`` middle seats: with ``rotate``, those who sat in the middle least
    often; without, those who sat in the middle before first. Ties are drawn with the round's
    ``rng`` (never the order of joining, which would put the first to arrive in the middle)."""
    times = {p: 0 for p in people}
    for h in history:
        if len(h) > 2 and h[2] in times:
            times[h[2]] += 1
    draw = {p: rng.random() for p in people}
    if rotate:
        return sorted(people, key=lambda p: (times[p], draw[p]))[:count]
    return sorted(people, key=lambda p: (-min(times[p], 1), draw[p]))[:count]


# ---------------------------------------------------------------- sessions mixing pairs and trios
# A session mixing protocols (``"protocol": "mixed"``) with a student in the middle seat
# (``"middle": "players"``) forms pairs for its direct conditions and trios for its middle-seat
# ones; docs/protocols.md states the rule a researcher reads.

TRIO_WAIT_S = 60.0  # arrival: two who waited this long together for a third play in a pair


def size_of(condition: str) -> int:
    """How many participants a negotiation of ``condition`` takes with a player in the middle."""
    return 3 if hasattr(protocols.for_condition(condition), "MIDDLE") else 2


def sizes_vary(protocol: str, middle: str, conditions: Sequence[str]) -> bool:
    """Whether a session forms pairs and trios: it mixes direct and middle-seat conditions and a
    student sits in the middle."""
    if protocol != protocols.MIXED or middle != "players":
        return False
    return len({size_of(c) for c in conditions}) > 1


@dataclass(frozen=True)
class Slot:
    """The next negotiation's place in the session's condition sequence, and its group size."""

    index: int  # the position in the sequence (lobby.condition_for), the condition_index
    condition: str
    size: int


def plan_slots(
    conditions: Sequence[str], seed: int, taken: Iterable[int], people: int, *, strict: bool
) -> list[Slot]:
    """The negotiations ``people`` participants form next, in order.

    The sequence is the session's balanced random order (:func:`lobby.condition_for`), fixed by
    its seed; ``taken`` are the positions earlier negotiations took. Each negotiation takes the
    lowest free position. ``strict`` (arrival): none forms while that condition needs more
    people than there are. Otherwise (a round; arrivals who waited :data:`TRIO_WAIT_S` together
    or whom the instructor pairs) the lowest free position is taken whenever there are people
    enough for it, even if one is then left alone (who sits out rotates); the groups after it
    take the next free positions whose size fits without leaving one alone where they can. A
    position passed over for want of people stays the lowest free one, and the next group that
    can fill it takes it first. No condition is dropped, only played later.
    """
    used = set(taken)
    out: list[Slot] = []
    n = len(conditions)
    while people >= 2:
        first = next(i for i in itertools.count() if i not in used)
        end = (max(used, default=0) // n + 2) * n  # past every position taken, a whole block
        slot = None
        for i in range(first, end):
            if i in used:
                continue
            c = lobby.condition_for(conditions, seed, i)
            size = size_of(c)
            # a round's first group takes the lowest free position whenever there are people
            # enough for it (one may then sit out), so no condition waits for ever for a count
            if size <= people and (strict or (i == first and not out) or people - size != 1):
                slot = Slot(i, c, size)
                break
            if strict:
                break
        if slot is None:
            break
        out.append(slot)
        used.add(slot.index)
        people -= slot.size
    return out


@dataclass(frozen=True)
class MixedPlan:
    groups: list[tuple[str, ...]]  # (role 0, role 1) or (role 0, role 1, middle), by size
    sitting_out: list[str]


def plan_mixed_round(
    participants: Sequence[str],
    history: Sequence[Sequence[str]],
    sat_out: dict[str, int],
    rng: random.Random,
    rotate: bool,
    sizes: Sequence[int],
) -> MixedPlan:
    """Seat a round's participants (in join order) in groups of the ``sizes`` given (2 or 3).

    Who sits out (everyone past the sum of the sizes), who takes the middle seats and how the
    parties are paired follow :func:`plan_trios`; then the pairs and the middles are shuffled
    into the groups with ``rng``, so which condition a participant plays is drawn, not set by
    the order of joining.
    """
    trios_n = sum(1 for k in sizes if k == 3)
    extra = len(participants) - sum(sizes)
    if extra < 0 or any(k not in (2, 3) for k in sizes):
        raise ValueError("sizes: groups of 2 or 3 that the participants can fill")
    pairs, middles, sitting = _seat(participants, history, sat_out, extra, trios_n, rotate, rng)
    rng.shuffle(pairs)
    rng.shuffle(middles)
    groups: list[tuple[str, ...]] = []
    for k, pair in zip(sizes, pairs, strict=True):
        groups.append((*pair, middles.pop()) if k == 3 else pair)
    return MixedPlan(groups, sitting)
