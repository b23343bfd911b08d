"""The computer facilitator and mediator (game/core/computer_middle.py); the simulation
(game/core/middle_sim.py) is tested in tests/unit/test_agents_middle.py. The scenario is tests/unit/test_rules.py's:

    price:     low (40, 0)   mid (20, 20)   high (0, 40)
    delivery:  fast (30, 0)  slow (0, 10)
    warranty:  long (20, 0)  short (0, 5)
"""

from __future__ import annotations

import json

from game.core import computer_middle
from game.core.protocols import mediated, single_text
from tests.unit.test_rules import SC, T0

OK = {"ok": True}


def st_play(*steps):
    s = single_text.new_state("n1", SC, "single_text", started_at=T0)
    for seat, kind, payload in steps:
        events = single_text.apply(s, seat, single_text.parse_action(kind, payload), T0 + 1)
        s = single_text.replay(s, events)
    return s


def fac(state):
    return computer_middle.facilitator_draft(single_text.view(state, "facilitator"))


def change(issue, option):
    return {"ok": False, "option": option, "comment": ""}


def test_the_first_draft_is_the_middle_of_every_issue():
    assert fac(st_play())["package"] == {"price": "mid", "delivery": "fast", "warranty": "long"}


def test_the_facilitator_waits_for_both_parties():
    first = fac(st_play())
    s = st_play(("facilitator", "draft", first))
    assert fac(s) is None
    s = st_play(
        ("facilitator", "draft", first),
        (
            "buyer",
            "mark",
            {
                "draft_id": "n1-d1",
                "marks": {"price": change("price", "low"), "delivery": OK, "warranty": OK},
            },
        ),
    )
    assert fac(s) is None


def test_one_sided_requests_are_traded_pairwise():
    d1 = {"package": {"price": "mid", "delivery": "fast", "warranty": "long"}}
    s = st_play(
        ("facilitator", "draft", d1),
        (
            "buyer",
            "mark",
            {
                "draft_id": "n1-d1",
                "marks": {"price": change("price", "low"), "delivery": OK, "warranty": OK},
            },
        ),
        (
            "seller",
            "mark",
            {
                "draft_id": "n1-d1",
                "marks": {"price": OK, "delivery": change("delivery", "slow"), "warranty": OK},
            },
        ),
    )
    assert fac(s)["package"] == {"price": "low", "delivery": "slow", "warranty": "long"}


def test_a_request_without_counterpart_moves_one_step_and_shared_issues_split():
    d1 = {"package": {"price": "high", "delivery": "slow", "warranty": "short"}}
    s = st_play(
        ("facilitator", "draft", d1),
        (
            "buyer",
            "mark",
            {
                "draft_id": "n1-d1",
                "marks": {
                    "price": change("price", "low"),
                    "delivery": change("delivery", "fast"),
                    "warranty": OK,
                },
            },
        ),
        ("seller", "endorse", {"draft_id": "n1-d1"}),
    )
    # the buyer asked two things and the seller none: only the first moves, by one step
    assert fac(s)["package"] == {"price": "mid", "delivery": "slow", "warranty": "short"}
    d1 = {"package": {"price": "mid", "delivery": "slow", "warranty": "short"}}
    s = st_play(
        ("facilitator", "draft", d1),
        (
            "buyer",
            "mark",
            {
                "draft_id": "n1-d1",
                "marks": {"price": change("price", "low"), "delivery": OK, "warranty": OK},
            },
        ),
        (
            "seller",
            "mark",
            {
                "draft_id": "n1-d1",
                "marks": {"price": change("price", "high"), "delivery": OK, "warranty": OK},
            },
        ),
    )
    assert fac(s)["package"]["price"] == "mid"  # midway between low and high


def md_play(*steps):
    s = mediated.new_state("n1", SC, "mediated", started_at=T0)
    for seat, kind, payload in steps:
        events = mediated.apply(s, seat, mediated.parse_action(kind, payload), T0 + 1)
        s = mediated.replay(s, events)
    return s


def med(state):
    return computer_middle.mediator_proposal(mediated.view(state, "mediator"))


def test_the_mediator_with_nothing_confided_proposes_the_middle():
    assert med(md_play())["package"] == {"price": "mid", "delivery": "fast", "warranty": "long"}


def test_the_mediator_uses_what_was_confided_and_waits_for_answers():
    s = md_play(
        ("buyer", "confide", {"issues": ["delivery", "warranty"]}),
        ("seller", "confide", {"issues": ["price"]}),
    )
    p = med(s)["package"]
    # each party gets what it confided it values: the max joint package here
    assert p == {"price": "high", "delivery": "fast", "warranty": "long"}
    assert SC.points(p) == (50, 40)
    s2 = md_play(
        ("buyer", "confide", {"issues": ["delivery", "warranty"]}),
        ("seller", "confide", {"issues": ["price"]}),
        ("mediator", "propose", {"package": p}),
    )
    assert med(s2) is None


def test_the_mediator_never_repeats_a_proposal_and_favours_who_rejected():
    p = {"price": "mid", "delivery": "fast", "warranty": "long"}
    s = md_play(
        ("buyer", "confide", {"issues": ["price"]}),
        ("seller", "confide", {"issues": ["price"]}),
        ("mediator", "propose", {"package": p}),
        ("seller", "answer", {"proposal_id": "n1-m1", "accept": False}),
    )
    nxt = med(s)["package"]
    assert nxt != p and nxt["price"] == "high"  # the seller, who rejected, weighs more


def test_the_computer_rules_read_only_the_middle_seats_view():
    """The rules take the view: a view with a party's table removed gives the same answer."""
    s = md_play(("buyer", "confide", {"issues": ["price"]}))
    v = mediated.view(s, "mediator")
    assert "Buy cheap." not in json.dumps(v)
    assert med(s) == computer_middle.mediator_proposal(json.loads(json.dumps(v)))
