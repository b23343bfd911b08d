"""Properties of the offers protocol (game/core/protocols/offers.py) that hold for every
scenario and every action sequence.

Random small scenarios, random conditions and limits, and random actions by random roles (the
two roles and an outsider) with payloads that are sometimes valid, sometimes nearly valid and
sometimes junk. The shell's loop is imitated: before each action the server records whatever
``due`` says (unless the draw says it was slow to), then parses and applies the action. Whatever
happens, the invariants of a negotiation hold after every step.
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.core.protocols import offers
from game.core.protocols.common import RuleError
from game.core.scenario import parse

T0 = 1_000_000.0

CODES = {
    "bad_request",
    "not_negotiating",
    "not_your_turn",
    "offer_limit",
    "too_many_packages",
    "too_few_packages",
    "invalid_package",
    "not_equivalent",
    "unknown_offer",
}

PROPS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------- strategies

# actions, weighted so that negotiations usually get somewhere before someone walks away
KINDS = ["propose"] * 12 + ["accept"] * 3 + ["chat", "haggle"] + ["walk_away"]

ids = st.text(alphabet="abcxyz019_-", min_size=1, max_size=4)
points = st.integers(min_value=-5, max_value=12)


@st.composite
def scenarios(draw):
    n_issues = draw(st.integers(1, 3))
    issues = []
    for i in range(n_issues):
        n_options = draw(st.integers(2, 3))
        issues.append(
            {
                "id": f"i{i}",
                "name": f"Issue {i}",
                "options": [
                    {
                        "id": f"o{j}",
                        "label": f"Option {j}",
                        "points": {"r0": draw(points), "r1": draw(points)},
                    }
                    for j in range(n_options)
                ],
            }
        )
    doc = {
        "id": "random",
        "title": "Random",
        "description": "",
        "roles": [
            {"id": "r0", "name": "Role 0", "brief": "", "batna": draw(points)},
            {"id": "r1", "name": "Role 1", "brief": "", "batna": draw(points)},
        ],
        "issues": issues,
        "first_mover": draw(st.sampled_from(["r0", "r1"])),
        "max_packages": draw(st.integers(1, 3)),
        "meso_tolerance": draw(st.sampled_from([0, 1, 3, 10, 100])),
        "time_limit_s": draw(st.sampled_from([None, 30, 100])),
        "max_offers": draw(st.integers(1, 6)),
    }
    return parse(doc)


@st.composite
def negotiations(draw):
    sc = draw(scenarios())
    condition = draw(st.sampled_from(offers.CONDITIONS))
    max_offers = draw(st.one_of(st.none(), st.integers(1, 6)))
    return offers.new_state(
        "n", sc, condition, started_at=T0, max_offers=max_offers, time_limit_s=sc.time_limit_s
    )


junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), ids),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(ids, inner, max_size=3)),
    max_leaves=6,
)


def chance(draw, n):
    """True about once in ``n`` draws (sampled_from draws evenly; integers lean to edges)."""
    return draw(st.sampled_from([False] * (n - 1) + [True]))


def package_of(draw, sc):
    """A package of the scenario, or one that is nearly right, or junk."""
    kind = draw(st.sampled_from(["valid"] * 16 + ["missing", "extra", "unknown", "junk"]))
    pkg = {i.id: draw(st.sampled_from([o.id for o in i.options])) for i in sc.issues}
    if kind == "missing":
        pkg.pop(draw(st.sampled_from(sorted(pkg))))
    elif kind == "extra":
        pkg["zz"] = "o0"
    elif kind == "unknown":
        pkg[draw(st.sampled_from(sorted(pkg)))] = "nope"
    elif kind == "junk":
        return draw(junk)
    if draw(st.booleans()):  # the same package in another key order
        pkg = dict(reversed(list(pkg.items())))
    return pkg


def equivalent_of(draw, sc, role, n):
    """Up to ``n`` distinct packages within the MESO tolerance of each other for ``role``."""
    k = sc.role_index(role)
    every = [
        dict(zip([i.id for i in sc.issues], c, strict=True))
        for c in product(*[[o.id for o in i.options] for i in sc.issues])
    ]
    anchor = draw(st.sampled_from(every))
    v = sc.points(anchor)[k]
    near = [p for p in every if v <= sc.points(p)[k] <= v + sc.meso_tolerance]
    return draw(st.permutations(near))[:n]


def offer_id_of(draw, state):
    """Usually the latest offer's id, sometimes an earlier one, a made-up one or junk."""
    known = [o.id for o in state.offers]
    kind = draw(st.sampled_from(["latest"] * 6 + ["earlier"] * 2 + ["made-up", "junk"]))
    if kind == "latest" and known:
        return known[-1]
    if kind == "earlier" and known:
        return draw(st.sampled_from(known))
    if kind == "junk":
        return draw(junk)
    return draw(st.sampled_from(["n-1", "n-2", "n-99", "other-1", ""]))


def index_of(draw, offer):
    """Usually a package index of ``offer``, sometimes one out of range, rarely junk."""
    kind = draw(st.sampled_from(["in range"] * 6 + ["any", "junk"]))
    if kind == "in range" and offer is not None:
        return draw(st.sampled_from(range(len(offer.packages))))
    if kind == "junk":
        return draw(junk)
    return draw(st.sampled_from(range(4)))


def payload_of(draw, kind, state):
    if chance(draw, 30):
        return draw(junk)
    sc = state.scenario
    if kind == "propose":
        lo, hi = state.package_bounds(state.turn or "r0")
        n = draw(st.sampled_from(list(range(lo, hi + 1)) * 3 + [0, 1, 2, 3, 4]))
        if n > 1 and chance(draw, 2):
            packages = equivalent_of(draw, sc, state.turn or "r0", n)
        else:
            packages = [package_of(draw, sc) for _ in range(n)]
        payload = {"packages": packages}
        if chance(draw, 2 if state.offers else 6):
            offer_id = offer_id_of(draw, state)
            payload["based_on"] = {
                "offer_id": offer_id,
                "package": index_of(
                    draw, state.offer(offer_id) if isinstance(offer_id, str) else None
                ),
            }
        return payload
    if kind == "accept":
        return {"offer_id": offer_id_of(draw, state), "package": index_of(draw, state.latest)}
    if kind == "chat":
        if chance(draw, 4):
            return {"text": draw(st.one_of(st.text(max_size=3), junk))}
        return {"text": draw(st.sampled_from(["hi", "  ok  ", "x" * 1000]))}
    if kind == "walk_away":
        return draw(st.sampled_from([{}, {}, None, {"why": "x"}]))
    return draw(junk)


def run(draw, state):
    """Play random steps; the initial state, every event recorded, and the states in between."""
    initial = state
    events: list[dict] = []
    states = [state]
    now = T0
    steps = draw(st.sampled_from(range(31)))
    for _ in range(steps):
        now += draw(st.sampled_from([0, 0.5, 1, 1, 2, 2, 3, 40]))
        if not chance(draw, 5):  # usually the shell records the deadline in time
            for event in offers.due(state, now):
                events.append(event)
                state = offers.fold(state, event)
                states.append(state)
        kind = draw(st.sampled_from(KINDS))
        # the role whose turn it is acts more often than the other; a role outside the
        # negotiation only tries to propose or accept (offers.apply trusts the shell's role for
        # walking away and chat: see test_a_role_outside_the_negotiation_cannot_walk_away_or_chat)
        roles = [state.turn or "r0"] * 4 + ["r0", "r1"]
        if kind in ("propose", "accept"):
            roles.append("outsider")
        role = draw(st.sampled_from(roles))
        payload = payload_of(draw, kind, state)
        was_open = state.is_open and (state.deadline is None or now < state.deadline)
        try:
            action = offers.parse_action(kind, payload)
            new = offers.apply(state, role, action, now)
        except RuleError as e:
            assert e.code in CODES, e.code
            assert e.message
            continue
        assert was_open, "an action was allowed after the end"
        assert role in state.scenario.role_ids, "a role outside the negotiation acted"
        for event in new:
            events.append(event)
            state = offers.fold(state, event)
            states.append(state)
    return initial, events, states


# ---------------------------------------------------------------- invariants


def check_invariants(state):
    sc = state.scenario
    first, second = sc.first_mover, sc.other(sc.first_mover)

    # proposals alternate starting with the first mover
    assert [o.by for o in state.offers] == [
        first if n % 2 == 0 else second for n in range(len(state.offers))
    ]
    # never more than max_offers proposals; seq counts from 1; ids are unique
    assert len(state.offers) <= state.max_offers
    assert [o.seq for o in state.offers] == list(range(1, len(state.offers) + 1))
    assert len({o.id for o in state.offers}) == len(state.offers)

    # every recorded offer is valid for its condition
    for n, offer in enumerate(state.offers):
        hi = 1 if state.condition == "single" else sc.max_packages
        lo = min(2, hi) if state.condition == "meso" and n == 0 else 1
        assert lo <= len(offer.packages) <= hi
        for p in offer.packages:
            assert sc.package_problem(p) is None  # known issues and options, complete
            assert list(p) == [i.id for i in sc.issues]
        assert len({tuple(p.items()) for p in offer.packages}) == len(offer.packages)  # distinct
        assert offer.points == tuple(sc.points(p) for p in offer.packages)
        k = sc.role_index(offer.by)
        own = [pts[k] for pts in offer.points]
        assert max(own) - min(own) <= sc.meso_tolerance  # equivalent for the proposer
        if offer.based_on is not None:
            base = state.offer(offer.based_on["offer_id"])
            assert base is not None and base.seq < offer.seq
            assert 0 <= offer.based_on["package"] < len(base.packages)

    # the outcome
    o = state.outcome
    if o is None:
        assert state.status == "open" and state.ended_at is None
        assert state.turn == (state.latest and sc.other(state.latest.by) or first)
    else:
        assert state.turn is None and state.ended_at is not None
        assert state.ended_at >= state.started_at
        if o.reason == "accepted":
            assert state.status == "agreed"
            assert o.package in state.latest.packages
            assert o.points == sc.points(o.package)
            assert o.by == sc.other(state.latest.by)  # only the recipient accepts
        else:
            assert state.status == "impasse"
            assert o.reason in ("walked_away", "deadline")
            assert o.package is None
            assert o.points == sc.batnas
        if o.reason == "deadline":
            assert state.ended_at == state.deadline
    for m in state.chat:
        assert 1 <= len(m["text"]) <= offers.MAX_CHAT
        assert m["by"] in sc.role_ids


# ---------------------------------------------------------------- the properties


@PROPS
@given(negotiations(), st.data())
def test_random_play_never_breaks_the_invariants(state, data):
    _, _, states = run(data.draw, state)
    for s in states:
        check_invariants(s)


@PROPS
@given(negotiations(), st.data())
def test_folding_the_same_events_always_gives_the_same_state(state, data):
    initial, events, states = run(data.draw, state)
    final = states[-1]
    assert offers.replay(initial, events) == final
    assert offers.replay(initial, events) == offers.replay(initial, events)
    # the event log goes through JSON (the store); the fold does not care
    stored = json.loads(json.dumps(events))
    assert offers.replay(initial, stored) == final
    # every prefix of the log is a state the negotiation went through
    assert final.events == len(events)
    for n in range(len(events) + 1):
        assert offers.replay(initial, events[:n]) == states[n]


@PROPS
@given(negotiations(), st.data())
def test_nothing_happens_after_the_end(state, data):
    _, _, states = run(data.draw, state)
    final = states[-1]
    ended = [s for s in states if not s.is_open]
    if ended:
        # the first ended state is the last one: nothing was recorded after the end
        assert ended[0] is final
    else:
        final = offers.replay(final, offers.end_by_instructor(final, T0 + 10_000))
    sc = final.scenario
    latest = final.latest
    attempts = [
        ("propose", {"packages": [sc.compromise()]}),
        ("walk_away", {}),
        ("chat", {"text": "hello"}),
    ]
    if latest is not None:
        attempts.append(("accept", {"offer_id": latest.id, "package": 0}))
    for role in sc.role_ids:
        for kind, payload in attempts:
            action = offers.parse_action(kind, payload)
            try:
                offers.apply(final, role, action, (final.ended_at or T0) + 1)
            except RuleError as e:
                assert e.code == "not_negotiating"
            else:
                raise AssertionError(f"{kind} by {role} was allowed after the end")
    assert offers.due(final, T0 + 10**9) == []


@PROPS
@given(negotiations(), st.data())
def test_a_refused_action_is_refused_again_on_the_same_state(state, data):
    # the rules are pure: the same state, action and time always give the same answer
    _, _, states = run(data.draw, state)
    s = states[-1]
    copy = replace(s)
    kind = data.draw(st.sampled_from(["propose", "accept", "walk_away", "chat"]))
    payload = payload_of(data.draw, kind, s)
    role = data.draw(st.sampled_from(["r0", "r1"]))
    answers = []
    for target in (s, copy):
        try:
            answers.append(offers.apply(target, role, offers.parse_action(kind, payload), T0 + 5))
        except RuleError as e:
            answers.append(e.code)
    assert answers[0] == answers[1]
    assert s == copy
