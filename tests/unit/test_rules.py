"""The rules of play (game/core/protocols/offers.py), one rule or error code at a time, in the
field's words.

The scenario is made here so every number can be checked by hand. Buyer's points first:

    price:     low (40, 0)   mid (20, 20)   high (0, 40)
    delivery:  fast (30, 0)  slow (0, 10)
    warranty:  long (20, 0)  short (0, 5)

BATNAs: buyer 10, seller 15. The buyer moves first; offers hold up to 3 packages whose values to
the proposer differ by at most 10 points; 4 proposals in all; 600 s per negotiation.
"""

from __future__ import annotations

import pytest

from game.core.protocols import offers
from game.core.protocols.common import RuleError
from game.core.scenario import parse

T0 = 1_000_000.0


def scenario_doc(**overrides):
    doc = {
        "id": "widgets",
        "title": "Widgets",
        "description": "A buyer and a seller.",
        "roles": [
            {"id": "buyer", "name": "Buyer", "brief": "Buy cheap.", "batna": 10},
            {"id": "seller", "name": "Seller", "brief": "Sell dear.", "batna": 15},
        ],
        "issues": [
            {
                "id": "price",
                "name": "Price",
                "options": [
                    {"id": "low", "label": "Low", "points": {"buyer": 40, "seller": 0}},
                    {"id": "mid", "label": "Mid", "points": {"buyer": 20, "seller": 20}},
                    {"id": "high", "label": "High", "points": {"buyer": 0, "seller": 40}},
                ],
            },
            {
                "id": "delivery",
                "name": "Delivery",
                "options": [
                    {"id": "fast", "label": "Fast", "points": {"buyer": 30, "seller": 0}},
                    {"id": "slow", "label": "Slow", "points": {"buyer": 0, "seller": 10}},
                ],
            },
            {
                "id": "warranty",
                "name": "Warranty",
                "options": [
                    {"id": "long", "label": "Long", "points": {"buyer": 20, "seller": 0}},
                    {"id": "short", "label": "Short", "points": {"buyer": 0, "seller": 5}},
                ],
            },
        ],
        "first_mover": "buyer",
        "max_packages": 3,
        "meso_tolerance": 10,
        "time_limit_s": 600,
        "max_offers": 4,
    }
    doc.update(overrides)
    return doc


SC = parse(scenario_doc())

# Packages and their (buyer, seller) points.
P_LOW = {"price": "low", "delivery": "slow", "warranty": "short"}  # (40, 15)
P_MID = {"price": "mid", "delivery": "slow", "warranty": "long"}  # (40, 30)
P_HIGH = {"price": "high", "delivery": "fast", "warranty": "short"}  # (30, 45)
P_SELLER = {"price": "high", "delivery": "slow", "warranty": "short"}  # (0, 55)
P_BUYER = {"price": "low", "delivery": "fast", "warranty": "long"}  # (90, 0)


def start(condition="any", *, sc=SC, **kw):
    kw.setdefault("time_limit_s", sc.time_limit_s)
    return offers.new_state("n1", sc, condition, started_at=T0, **kw)


def act(state, role, kind, payload=None, now=T0 + 1):
    """Parse and apply one action; the new state (raises RuleError when refused)."""
    action = offers.parse_action(kind, payload)
    events = offers.apply(state, role, action, now)
    return offers.replay(state, events)


def refused(state, role, kind, payload=None, now=T0 + 1) -> str:
    """The error code an action is refused with (fails if it is not refused)."""
    with pytest.raises(RuleError) as info:
        action = offers.parse_action(kind, payload)
        offers.apply(state, role, action, now)
    return info.value.code


def propose(state, role, *packages, based_on=None, now=T0 + 1):
    payload = {"packages": list(packages)}
    if based_on is not None:
        payload["based_on"] = based_on
    return act(state, role, "propose", payload, now)


def accept(state, role, offer_id, package=0, now=T0 + 1):
    return act(state, role, "accept", {"offer_id": offer_id, "package": package}, now)


# ---------------------------------------------------------------- the scenario used here


def test_the_packages_of_these_tests_are_worth_what_the_docstring_says():
    assert SC.points(P_LOW) == (40, 15)
    assert SC.points(P_MID) == (40, 30)
    assert SC.points(P_HIGH) == (30, 45)
    assert SC.points(P_SELLER) == (0, 55)
    assert SC.points(P_BUYER) == (90, 0)


# ---------------------------------------------------------------- a new negotiation


def test_new_negotiation_is_open_with_the_first_mover_to_propose():
    s = start()
    assert s.status == "open" and s.is_open
    assert s.turn == "buyer"
    assert s.offers == () and s.outcome is None and s.ended_at is None
    assert s.offers_left == 4
    assert s.latest is None


def test_time_limit_sets_the_deadline_from_the_start():
    assert start(time_limit_s=600).deadline == T0 + 600
    assert start(time_limit_s=None).deadline is None


def test_an_explicit_deadline_wins_over_the_time_limit():
    s = offers.new_state("n", SC, "any", started_at=T0, time_limit_s=600, deadline=T0 + 5)
    assert s.deadline == T0 + 5


def test_max_offers_defaults_to_the_scenario_and_can_be_overridden():
    assert start().max_offers == 4
    assert start(max_offers=2).max_offers == 2


def test_an_unknown_condition_is_refused():
    with pytest.raises(ValueError):
        offers.new_state("n", SC, "bargain", started_at=T0)


# ---------------------------------------------------------------- strict alternation


def test_proposals_alternate_starting_with_the_first_mover():
    s = start()
    s = propose(s, "buyer", P_LOW)
    assert s.turn == "seller"
    s = propose(s, "seller", P_SELLER)
    assert s.turn == "buyer"
    s = propose(s, "buyer", P_MID)
    assert [o.by for o in s.offers] == ["buyer", "seller", "buyer"]
    assert [o.seq for o in s.offers] == [1, 2, 3]
    assert [o.id for o in s.offers] == ["n1-1", "n1-2", "n1-3"]


def test_the_first_mover_can_be_the_second_role():
    sc = parse(scenario_doc(first_mover="seller"))
    s = start(sc=sc)
    assert s.turn == "seller"
    assert refused(s, "buyer", "propose", {"packages": [P_LOW]}) == "not_your_turn"
    s = propose(s, "seller", P_SELLER)
    assert s.turn == "buyer"


def test_the_second_mover_cannot_open():
    assert refused(start(), "seller", "propose", {"packages": [P_SELLER]}) == "not_your_turn"


def test_a_proposer_cannot_make_two_offers_in_a_row():
    s = propose(start(), "buyer", P_LOW)
    assert refused(s, "buyer", "propose", {"packages": [P_MID]}) == "not_your_turn"


def test_a_chat_message_does_not_change_whose_turn_it_is():
    s = act(start(), "seller", "chat", {"text": "hello"})
    assert s.turn == "buyer"
    assert s.chat == ({"by": "seller", "text": "hello", "at": T0 + 1},)


def test_a_role_outside_the_negotiation_is_not_negotiating():
    assert refused(start(), "broker", "propose", {"packages": [P_LOW]}) == "not_negotiating"


@pytest.mark.parametrize("kind,payload", [("walk_away", {}), ("chat", {"text": "hi"})])
def test_a_role_outside_the_negotiation_cannot_walk_away_or_chat(kind, payload):
    # Only the negotiation's two roles take part: a role id that is not in the scenario can
    # neither end the negotiation nor post to its chat.
    with pytest.raises(RuleError):
        offers.apply(start(), "broker", offers.parse_action(kind, payload), T0 + 1)


# ---------------------------------------------------------------- offers as recorded


def test_an_offer_records_its_packages_in_scenario_order_with_both_roles_points():
    reordered = {"warranty": "short", "price": "high", "delivery": "fast"}
    s = propose(start(), "buyer", reordered, P_LOW, now=T0 + 7)
    offer = s.latest
    assert list(offer.packages[0]) == ["price", "delivery", "warranty"]
    assert offer.packages == (P_HIGH, P_LOW)
    assert offer.points == ((30, 45), (40, 15))
    assert offer.by == "buyer" and offer.based_on is None and offer.at == T0 + 7


def test_the_proposed_event_is_json_shaped_and_names_the_offer():
    action = offers.parse_action("propose", {"packages": [P_LOW]})
    [event] = offers.apply(start(), "buyer", action, T0 + 3)
    assert event == {
        "type": "proposed",
        "role": "buyer",
        "offer_id": "n1-1",
        "packages": [P_LOW],
        "based_on": None,
        "at": T0 + 3,
    }


def test_a_counteroffer_can_say_which_package_it_is_based_on():
    s = propose(start(), "buyer", P_LOW, P_MID)
    s = propose(s, "seller", P_HIGH, based_on={"offer_id": "n1-1", "package": 1})
    assert s.latest.based_on == {"offer_id": "n1-1", "package": 1}


def test_an_offer_can_be_based_on_the_proposers_own_earlier_offer():
    s = propose(start(), "buyer", P_LOW)
    s = propose(s, "seller", P_SELLER)
    s = propose(s, "buyer", P_MID, based_on={"offer_id": "n1-1", "package": 0})
    assert s.latest.based_on == {"offer_id": "n1-1", "package": 0}


def test_offers_left_counts_down_to_zero():
    s = start()
    for n, (role, package) in enumerate(
        [("buyer", P_LOW), ("seller", P_SELLER), ("buyer", P_MID), ("seller", P_HIGH)]
    ):
        assert s.offers_left == 4 - n
        s = propose(s, role, package)
    assert s.offers_left == 0


# ---------------------------------------------------------------- accepting


def test_the_recipient_accepts_the_latest_offer_and_gets_the_package_points():
    s = propose(start(), "buyer", P_MID)
    s = accept(s, "seller", "n1-1", 0, now=T0 + 30)
    assert s.status == "agreed" and not s.is_open
    assert s.outcome.reason == "accepted"
    assert s.outcome.package == P_MID
    assert s.outcome.points == (40, 30)
    assert s.outcome.by == "seller"
    assert s.ended_at == T0 + 30
    assert s.turn is None


def test_accepting_one_package_of_a_meso_gives_that_packages_points():
    s = propose(start("meso"), "buyer", P_LOW, P_MID, P_HIGH)
    s = accept(s, "seller", "n1-1", 2)
    assert s.outcome.package == P_HIGH
    assert s.outcome.points == (30, 45)


def test_the_proposer_cannot_accept_its_own_offer():
    s = propose(start(), "buyer", P_MID)
    assert refused(s, "buyer", "accept", {"offer_id": "n1-1", "package": 0}) == "not_your_turn"


def test_a_recipient_can_accept_after_proposing_earlier():
    s = propose(start(), "buyer", P_LOW)
    s = propose(s, "seller", P_HIGH)
    s = accept(s, "buyer", "n1-2")
    assert s.outcome.points == (30, 45) and s.outcome.by == "buyer"


def test_accepting_an_earlier_offer_is_an_unknown_offer():
    s = propose(start(), "buyer", P_LOW)
    s = propose(s, "seller", P_HIGH)
    s = propose(s, "buyer", P_MID)
    assert refused(s, "seller", "accept", {"offer_id": "n1-1", "package": 0}) == "unknown_offer"


def test_accepting_an_offer_that_does_not_exist_is_an_unknown_offer():
    s = propose(start(), "buyer", P_LOW)
    assert refused(s, "seller", "accept", {"offer_id": "n9-1", "package": 0}) == "unknown_offer"


def test_accepting_before_any_offer_is_an_unknown_offer_for_the_first_mover():
    s = start()
    assert refused(s, "buyer", "accept", {"offer_id": "n1-1", "package": 0}) == "unknown_offer"
    # ... and not the other side's turn for the second mover
    assert refused(s, "seller", "accept", {"offer_id": "n1-1", "package": 0}) == "not_your_turn"


def test_accepting_a_package_index_beyond_the_latest_offer_is_a_bad_request():
    s = propose(start(), "buyer", P_LOW, P_MID)
    assert refused(s, "seller", "accept", {"offer_id": "n1-1", "package": 2}) == "bad_request"
    s2 = accept(s, "seller", "n1-1", 1)
    assert s2.outcome.package == P_MID


# ---------------------------------------------------------------- walking away, chat


@pytest.mark.parametrize("who", ["buyer", "seller"])
def test_either_side_may_walk_away_whoever_has_the_turn(who):
    s = propose(start(), "buyer", P_LOW)  # the seller's turn
    s = act(s, who, "walk_away", {}, now=T0 + 42)
    assert s.status == "impasse"
    assert s.outcome.reason == "walked_away"
    assert s.outcome.by == who
    assert s.outcome.package is None
    assert s.outcome.points == (10, 15)  # the BATNAs
    assert s.ended_at == T0 + 42


def test_walking_away_needs_no_payload():
    s = act(start(), "seller", "walk_away", None)
    assert s.outcome.reason == "walked_away"


def test_walking_away_before_any_offer_ends_at_the_batnas():
    s = act(start(), "seller", "walk_away", {})
    assert s.outcome.points == SC.batnas == (10, 15)


@pytest.mark.parametrize("who", ["buyer", "seller"])
def test_either_side_may_chat_while_open(who):
    s = act(start(), who, "chat", {"text": "  let us talk  "})
    assert s.chat[-1]["by"] == who
    assert s.chat[-1]["text"] == "let us talk"  # trimmed


def test_chat_is_still_allowed_after_the_last_offer():
    s = start(max_offers=1)
    s = propose(s, "buyer", P_LOW)
    s = act(s, "seller", "chat", {"text": "hmm"})
    s = act(s, "buyer", "chat", {"text": "take it or leave it"})
    assert len(s.chat) == 2


# ---------------------------------------------------------------- the deadline


def test_no_deadline_means_nothing_is_due():
    s = start(time_limit_s=None)
    assert offers.due(s, T0 + 10**9) == []
    assert propose(s, "buyer", P_LOW, now=T0 + 10**9).latest is not None


def test_nothing_is_due_before_the_deadline():
    assert offers.due(start(), T0 + 599.999) == []


def test_the_deadline_is_due_once_it_has_passed_and_is_dated_at_the_deadline():
    s = start()
    assert offers.due(s, T0 + 600) == [{"type": "deadline", "at": T0 + 600}]
    assert offers.due(s, T0 + 5000) == [{"type": "deadline", "at": T0 + 600}]


def test_the_deadline_ends_the_negotiation_as_an_impasse_at_the_batnas():
    s = propose(start(), "buyer", P_MID)
    s = offers.replay(s, offers.due(s, T0 + 700))
    assert s.status == "impasse"
    assert s.outcome.reason == "deadline"
    assert s.outcome.by is None and s.outcome.package is None
    assert s.outcome.points == (10, 15)
    assert s.ended_at == T0 + 600
    assert offers.due(s, T0 + 800) == []


def test_nothing_is_due_after_the_negotiation_ended():
    s = act(start(), "buyer", "walk_away", {})
    assert offers.due(s, T0 + 10_000) == []


@pytest.mark.parametrize("now", [T0 + 600, T0 + 601, T0 + 10**6])
@pytest.mark.parametrize(
    "role,kind,payload",
    [
        ("buyer", "propose", {"packages": [P_LOW]}),
        ("seller", "walk_away", {}),
        ("buyer", "walk_away", {}),
        ("seller", "chat", {"text": "still there?"}),
    ],
)
def test_after_a_passed_deadline_nothing_is_allowed_even_before_it_is_recorded(
    now, role, kind, payload
):
    assert refused(start(), role, kind, payload, now=now) == "not_negotiating"


def test_accepting_after_a_passed_deadline_is_not_negotiating():
    s = propose(start(), "buyer", P_MID)
    assert (
        refused(s, "seller", "accept", {"offer_id": "n1-1", "package": 0}, now=T0 + 600)
        == "not_negotiating"
    )


def test_just_before_the_deadline_an_offer_can_still_be_accepted():
    s = propose(start(), "buyer", P_MID)
    s = accept(s, "seller", "n1-1", now=T0 + 599.5)
    assert s.status == "agreed"


# ---------------------------------------------------------------- ended by an instructor


def test_an_instructor_can_end_an_open_negotiation_as_an_impasse():
    s = propose(start(), "buyer", P_MID)
    s = offers.replay(s, offers.end_by_instructor(s, T0 + 50))
    assert s.status == "impasse"
    assert s.outcome.reason == "instructor"  # PROTOCOL.md section 6
    assert s.outcome.by == "instructor"
    assert s.outcome.points == (10, 15)
    assert s.ended_at == T0 + 50
    with pytest.raises(RuleError) as info:
        offers.end_by_instructor(s, T0 + 60)
    assert info.value.code == "not_negotiating"


# ---------------------------------------------------------------- not_negotiating


def ended_states():
    agreed = accept(propose(start(), "buyer", P_MID), "seller", "n1-1")
    walked = act(propose(start(), "buyer", P_MID), "seller", "walk_away", {})
    timed_out = offers.replay(start(), offers.due(start(), T0 + 600))
    return {"agreed": agreed, "walked_away": walked, "deadline": timed_out}


@pytest.mark.parametrize("how", ["agreed", "walked_away", "deadline"])
@pytest.mark.parametrize(
    "role,kind,payload",
    [
        ("buyer", "propose", {"packages": [P_LOW]}),
        ("seller", "propose", {"packages": [P_HIGH]}),
        ("seller", "accept", {"offer_id": "n1-1", "package": 0}),
        ("buyer", "accept", {"offer_id": "n1-1", "package": 0}),
        ("buyer", "walk_away", {}),
        ("seller", "walk_away", {}),
        ("buyer", "chat", {"text": "good game"}),
    ],
)
def test_after_the_end_every_action_is_not_negotiating(how, role, kind, payload):
    s = ended_states()[how]
    assert refused(s, role, kind, payload, now=T0 + 2) == "not_negotiating"


# ---------------------------------------------------------------- offer_limit


def at_the_offer_limit():
    s = start()  # max_offers 4
    s = propose(s, "buyer", P_LOW)
    s = propose(s, "seller", P_SELLER)
    s = propose(s, "buyer", P_MID)
    s = propose(s, "seller", P_HIGH)
    assert s.offers_left == 0 and s.turn == "buyer"
    return s


def test_after_the_last_offer_its_recipient_cannot_propose():
    s = at_the_offer_limit()
    assert refused(s, "buyer", "propose", {"packages": [P_MID]}) == "offer_limit"


def test_after_the_last_offer_its_recipient_may_still_accept():
    s = accept(at_the_offer_limit(), "buyer", "n1-4")
    assert s.outcome.points == (30, 45)


def test_after_the_last_offer_either_side_may_still_walk_away():
    assert act(at_the_offer_limit(), "buyer", "walk_away", {}).status == "impasse"
    assert act(at_the_offer_limit(), "seller", "walk_away", {}).status == "impasse"


def test_a_session_can_lower_the_offer_limit():
    s = propose(start(max_offers=1), "buyer", P_LOW)
    assert refused(s, "seller", "propose", {"packages": [P_HIGH]}) == "offer_limit"
    assert accept(s, "seller", "n1-1").status == "agreed"


# ---------------------------------------------------------------- package counts per condition


def test_a_single_offer_with_two_packages_is_refused():
    s = start("single")
    assert refused(s, "buyer", "propose", {"packages": [P_LOW, P_MID]}) == "too_many_packages"
    assert propose(s, "buyer", P_LOW).latest.packages == (P_LOW,)


def test_single_condition_allows_one_package_in_every_later_offer():
    s = propose(start("single"), "buyer", P_LOW)
    assert refused(s, "seller", "propose", {"packages": [P_HIGH, P_SELLER]}) == "too_many_packages"


def test_an_offer_with_more_packages_than_the_scenario_allows_is_refused():
    fourth = {"price": "mid", "delivery": "fast", "warranty": "short"}  # (50, 20)
    payload = {"packages": [P_LOW, P_MID, P_HIGH, fourth]}
    assert refused(start("any"), "buyer", "propose", payload) == "too_many_packages"
    assert refused(start("meso"), "buyer", "propose", payload) == "too_many_packages"
    sc2 = parse(scenario_doc(max_packages=2))
    payload3 = {"packages": [P_LOW, P_MID, P_HIGH]}
    assert refused(start("any", sc=sc2), "buyer", "propose", payload3) == "too_many_packages"


def test_meso_first_offer_with_one_package_is_refused():
    assert refused(start("meso"), "buyer", "propose", {"packages": [P_LOW]}) == "too_few_packages"


def test_meso_first_offer_may_hold_two_or_three_packages():
    assert len(propose(start("meso"), "buyer", P_LOW, P_MID).latest.packages) == 2
    assert len(propose(start("meso"), "buyer", P_LOW, P_MID, P_HIGH).latest.packages) == 3


def test_meso_counteroffer_and_later_offers_may_be_single_packages():
    s = propose(start("meso"), "buyer", P_LOW, P_MID)
    s = propose(s, "seller", P_HIGH)  # the recipient's first offer: one package is fine
    s = propose(s, "buyer", P_MID)  # the first offerer's second offer too
    assert [len(o.packages) for o in s.offers] == [2, 1, 1]


def test_an_offer_without_packages_is_too_few_packages():
    assert refused(start("any"), "buyer", "propose", {"packages": []}) == "too_few_packages"
    assert refused(start("single"), "buyer", "propose", {"packages": []}) == "too_few_packages"


def test_any_condition_allows_one_to_max_packages():
    assert len(propose(start("any"), "buyer", P_LOW).latest.packages) == 1
    assert len(propose(start("any"), "buyer", P_LOW, P_MID, P_HIGH).latest.packages) == 3


def test_package_bounds_per_condition():
    assert start("single").package_bounds("buyer") == (1, 1)
    assert start("any").package_bounds("buyer") == (1, 3)
    assert start("meso").package_bounds("buyer") == (2, 3)
    s = propose(start("meso"), "buyer", P_LOW, P_MID)
    assert s.package_bounds("seller") == (1, 3)


# ---------------------------------------------------------------- invalid_package


@pytest.mark.parametrize(
    "package",
    [
        {"price": "low", "delivery": "slow", "warranty": "short", "colour": "red"},
        {"price": "low", "delivery": "slow", "colour": "red"},
    ],
    ids=["extra-unknown-issue", "unknown-issue-instead-of-one"],
)
def test_a_package_with_an_unknown_issue_is_an_invalid_package(package):
    assert refused(start(), "buyer", "propose", {"packages": [package]}) == "invalid_package"


def test_a_package_with_an_unknown_option_is_an_invalid_package():
    package = {"price": "free", "delivery": "slow", "warranty": "short"}
    assert refused(start(), "buyer", "propose", {"packages": [package]}) == "invalid_package"


def test_an_option_of_another_issue_is_an_invalid_package():
    package = {"price": "fast", "delivery": "slow", "warranty": "short"}
    assert refused(start(), "buyer", "propose", {"packages": [package]}) == "invalid_package"


@pytest.mark.parametrize("package", [{}, {"price": "low"}, {"price": "low", "delivery": "slow"}])
def test_an_incomplete_package_is_an_invalid_package(package):
    assert refused(start(), "buyer", "propose", {"packages": [package]}) == "invalid_package"


def test_two_identical_packages_in_one_offer_are_an_invalid_package():
    assert refused(start(), "buyer", "propose", {"packages": [P_LOW, P_LOW]}) == "invalid_package"


def test_the_same_package_written_in_another_order_is_still_a_duplicate():
    same = dict(reversed(list(P_MID.items())))
    payload = {"packages": [P_MID, P_LOW, same]}
    assert refused(start(), "buyer", "propose", payload) == "invalid_package"


def test_the_invalid_package_message_names_the_package_and_the_problem():
    bad = {"price": "free", "delivery": "slow", "warranty": "short"}
    with pytest.raises(RuleError) as info:
        offers.apply(
            start(), "buyer", offers.parse_action("propose", {"packages": [P_LOW, bad]}), T0
        )
    assert "package 2" in info.value.message and "free" in info.value.message


# ---------------------------------------------------------------- not_equivalent


def test_meso_with_unequal_packages_is_refused():
    # P_LOW is worth 40 to the buyer, P_SELLER 0: 40 apart, tolerance 10
    payload = {"packages": [P_LOW, P_SELLER]}
    assert refused(start("meso"), "buyer", "propose", payload) == "not_equivalent"
    assert refused(start("any"), "buyer", "propose", payload) == "not_equivalent"


def test_packages_exactly_the_tolerance_apart_are_equivalent():
    # P_MID 40 and P_HIGH 30 to the buyer: 10 apart, tolerance 10
    assert propose(start("meso"), "buyer", P_MID, P_HIGH).latest.points == ((40, 30), (30, 45))


def test_equivalence_is_judged_by_the_proposers_points_only():
    # to the buyer P_LOW and P_MID are both 40; to the seller they are 15 and 30
    s = propose(start(), "buyer", P_LOW, P_MID)
    assert len(s.latest.packages) == 2
    # the seller's points: P_HIGH 45, P_MID 30 -> 15 apart: not equivalent for the seller
    s = propose(start(), "buyer", P_LOW)
    assert refused(s, "seller", "propose", {"packages": [P_HIGH, P_MID]}) == "not_equivalent"


def test_a_zero_tolerance_needs_exactly_equal_values():
    sc0 = parse(scenario_doc(meso_tolerance=0))
    assert len(propose(start(sc=sc0), "buyer", P_LOW, P_MID).latest.packages) == 2
    assert refused(start(sc=sc0), "buyer", "propose", {"packages": [P_MID, P_HIGH]}) == (
        "not_equivalent"
    )


# ---------------------------------------------------------------- unknown_offer through based_on


def test_based_on_an_offer_not_in_this_negotiation_is_an_unknown_offer():
    s = propose(start(), "buyer", P_LOW)
    payload = {"packages": [P_HIGH], "based_on": {"offer_id": "other-1", "package": 0}}
    assert refused(s, "seller", "propose", payload) == "unknown_offer"


def test_based_on_a_later_offer_id_is_an_unknown_offer():
    s = propose(start(), "buyer", P_LOW)
    payload = {"packages": [P_HIGH], "based_on": {"offer_id": "n1-2", "package": 0}}
    assert refused(s, "seller", "propose", payload) == "unknown_offer"


def test_based_on_a_package_index_beyond_that_offer_is_a_bad_request():
    s = propose(start(), "buyer", P_LOW, P_MID)
    payload = {"packages": [P_HIGH], "based_on": {"offer_id": "n1-1", "package": 2}}
    assert refused(s, "seller", "propose", payload) == "bad_request"


# ---------------------------------------------------------------- bad_request: payload shapes


@pytest.mark.parametrize("kind", ["propose", "accept", "chat"])
@pytest.mark.parametrize("payload", [None, [], "text", 3, True])
def test_a_payload_that_is_not_an_object_is_a_bad_request(kind, payload):
    assert refused(start(), "buyer", kind, payload) == "bad_request"


@pytest.mark.parametrize("payload", [[], "x", 1])
def test_walk_away_with_a_payload_that_is_not_an_object_is_a_bad_request(payload):
    assert refused(start(), "buyer", "walk_away", payload) == "bad_request"


def test_an_unknown_action_is_a_bad_request():
    assert refused(start(), "buyer", "haggle", {}) == "bad_request"
    with pytest.raises(RuleError) as info:
        offers.apply(start(), "buyer", {"type": "haggle"}, T0)
    assert info.value.code == "bad_request"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"packages": None},
        {"packages": P_LOW},
        {"packages": "low"},
        {"packages": [P_LOW], "note": "hi"},
        {"packages": [P_LOW] * 11},
        {"packages": ["low"]},
        {"packages": [None]},
        {"packages": [[["price", "low"]]]},
        {"packages": [{"price": 1, "delivery": "slow", "warranty": "short"}]},
        {"packages": [{"price": None, "delivery": "slow", "warranty": "short"}]},
        {"packages": [{"price": "x" * 101, "delivery": "slow", "warranty": "short"}]},
        {"packages": [{f"i{n}": "x" for n in range(101)}]},
        {"packages": [P_LOW], "based_on": "n1-1"},
        {"packages": [P_LOW], "based_on": {"offer_id": "n1-1"}},
        {"packages": [P_LOW], "based_on": {"package": 0}},
        {"packages": [P_LOW], "based_on": {"offer_id": "n1-1", "package": 0, "x": 1}},
        {"packages": [P_LOW], "based_on": {"offer_id": "", "package": 0}},
        {"packages": [P_LOW], "based_on": {"offer_id": 7, "package": 0}},
        {"packages": [P_LOW], "based_on": {"offer_id": "n1-1", "package": -1}},
        {"packages": [P_LOW], "based_on": {"offer_id": "n1-1", "package": True}},
        {"packages": [P_LOW], "based_on": {"offer_id": "n1-1", "package": 0.0}},
        {"packages": [P_LOW], "based_on": {"offer_id": "n1-1", "package": "0"}},
    ],
)
def test_a_malformed_offer_is_a_bad_request(payload):
    assert refused(start(), "buyer", "propose", payload) == "bad_request"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"offer_id": "n1-1"},
        {"package": 0},
        {"offer_id": "n1-1", "package": -1},
        {"offer_id": "n1-1", "package": 1.0},
        {"offer_id": "n1-1", "package": False},
        {"offer_id": "n1-1", "package": "0"},
        {"offer_id": "", "package": 0},
        {"offer_id": None, "package": 0},
        {"offer_id": 1, "package": 0},
        {"offer_id": "x" * 101, "package": 0},
        {"offer_id": "n1-1", "package": 0, "points": 99},
    ],
)
def test_a_malformed_acceptance_is_a_bad_request(payload):
    s = propose(start(), "buyer", P_LOW)
    assert refused(s, "seller", "accept", payload) == "bad_request"


@pytest.mark.parametrize(
    "payload",
    [{}, {"text": None}, {"text": 5}, {"text": ""}, {"text": "   "}, {"text": "x" * 1001}],
)
def test_a_malformed_chat_message_is_a_bad_request(payload):
    assert refused(start(), "buyer", "chat", payload) == "bad_request"


def test_a_chat_message_of_exactly_a_thousand_characters_is_allowed():
    assert act(start(), "buyer", "chat", {"text": "x" * 1000}).chat[0]["text"] == "x" * 1000


def test_a_based_on_of_null_is_no_based_on():
    s = propose(start(), "buyer", P_LOW)
    s = act(s, "seller", "propose", {"packages": [P_HIGH], "based_on": None})
    assert s.latest.based_on is None


def test_a_rule_error_answers_with_its_code_and_message():
    err = RuleError("not_your_turn", "it is the other side's turn")
    assert err.as_answer() == {
        "ok": False,
        "error": {"code": "not_your_turn", "message": "it is the other side's turn"},
    }


# ---------------------------------------------------------------- order of the checks


def test_an_index_out_of_range_is_a_bad_request_even_after_the_end():
    s = propose(start(), "buyer", P_LOW, P_MID)
    s = act(s, "buyer", "walk_away", {})
    assert refused(s, "seller", "accept", {"offer_id": "n1-1", "package": 5}) == "bad_request"
    payload = {"packages": [P_HIGH], "based_on": {"offer_id": "n1-1", "package": 5}}
    assert refused(s, "seller", "propose", payload) == "bad_request"


def test_an_index_out_of_range_is_a_bad_request_before_not_your_turn():
    s = propose(start(), "buyer", P_LOW)
    assert refused(s, "buyer", "accept", {"offer_id": "n1-1", "package": 1}) == "bad_request"


def test_after_the_end_it_is_not_negotiating_rather_than_not_your_turn():
    s = act(start(), "seller", "walk_away", {})
    assert refused(s, "seller", "propose", {"packages": [P_HIGH]}) == "not_negotiating"


def test_not_your_turn_comes_before_the_offer_limit():
    s = at_the_offer_limit()  # the seller made the last offer
    assert refused(s, "seller", "propose", {"packages": [P_SELLER]}) == "not_your_turn"


def test_the_offer_limit_comes_before_package_counts_and_contents():
    s = start("single", max_offers=1)
    s = propose(s, "buyer", P_LOW)
    payload = {"packages": [P_LOW, P_LOW, {"price": "free"}]}
    assert refused(s, "seller", "propose", payload) == "offer_limit"


def test_too_many_packages_comes_before_invalid_packages():
    payload = {"packages": [{"price": "free"}, {"price": "free"}]}
    assert refused(start("single"), "buyer", "propose", payload) == "too_many_packages"


def test_too_few_packages_comes_before_an_invalid_package():
    assert refused(start("meso"), "buyer", "propose", {"packages": [{}]}) == "too_few_packages"


def test_an_invalid_package_comes_before_not_equivalent():
    unknown = {"price": "free", "delivery": "slow", "warranty": "short"}
    payload = {"packages": [P_BUYER, P_SELLER, unknown]}  # 90 and 0: far apart too
    assert refused(start(), "buyer", "propose", payload) == "invalid_package"
    # a duplicate too
    payload = {"packages": [P_BUYER, P_SELLER, P_SELLER]}
    assert refused(start(), "buyer", "propose", payload) == "invalid_package"


def test_not_equivalent_comes_before_an_unknown_based_on():
    s = propose(start(), "buyer", P_LOW)
    payload = {"packages": [P_BUYER, P_SELLER], "based_on": {"offer_id": "zzz", "package": 0}}
    assert refused(s, "seller", "propose", payload) == "not_equivalent"


def test_an_invalid_package_comes_before_an_unknown_based_on():
    s = propose(start(), "buyer", P_LOW)
    payload = {"packages": [{"price": "free"}], "based_on": {"offer_id": "zzz", "package": 0}}
    assert refused(s, "seller", "propose", payload) == "invalid_package"


def test_an_unknown_offer_in_based_on_is_not_checked_for_its_index():
    # the index cannot be out of range of an offer that does not exist: unknown_offer
    s = propose(start(), "buyer", P_LOW)
    payload = {"packages": [P_HIGH], "based_on": {"offer_id": "zzz", "package": 9}}
    assert refused(s, "seller", "propose", payload) == "unknown_offer"


# ---------------------------------------------------------------- refusals change nothing


def test_a_refused_action_changes_nothing():
    s = propose(start(), "buyer", P_LOW)
    before = s
    for role, kind, payload in [
        ("buyer", "propose", {"packages": [P_MID]}),
        ("seller", "accept", {"offer_id": "n1-9", "package": 0}),
        ("seller", "propose", {"packages": [P_BUYER, P_SELLER]}),
    ]:
        refused(s, role, kind, payload)
    assert s == before and s.events == 1


# ---------------------------------------------------------------- the fold


def test_fold_counts_every_event_and_ignores_kinds_it_does_not_know():
    s = offers.fold(start(), {"type": "joined", "role": "buyer", "at": T0})
    assert s.events == 1 and s.offers == () and s.is_open


def test_replaying_the_events_rebuilds_the_same_state():
    events = []
    s = start("meso")
    for role, kind, payload in [
        ("buyer", "propose", {"packages": [P_LOW, P_MID]}),
        ("seller", "chat", {"text": "hm"}),
        (
            "seller",
            "propose",
            {"packages": [P_HIGH], "based_on": {"offer_id": "n1-1", "package": 1}},
        ),
        ("buyer", "accept", {"offer_id": "n1-2", "package": 0}),
    ]:
        new = offers.apply(s, role, offers.parse_action(kind, payload), T0 + len(events))
        events += new
        s = offers.replay(s, new)
    assert offers.replay(start("meso"), events) == s
    assert s.events == 4
    assert s.outcome.points == (30, 45)


# ---------------------------------------------------------------- the rule shown to participants


def test_the_rule_text_names_the_package_counts():
    assert "one package" in offers.condition_rule(start("single"))
    assert "1–3" in offers.condition_rule(start("any"))
    assert "2–3" in offers.condition_rule(start("meso"))


def test_meso_rule_text_asks_a_meso_of_the_first_mover_only():
    # PROTOCOL.md: in `meso` only "the negotiation's first offer has 2..max_packages"
    s = start("meso")
    assert offers.condition_rule(s, "buyer").startswith("Your first offer must be 2–3 packages")
    to_second = offers.condition_rule(s, "seller")
    assert "other side opens with 2–3" in to_second
    assert "Your offers may have 1–3" in to_second
    assert offers.condition_rule(s).startswith("The first offer must be 2–3")


# ---------------------------------------------------------------- points that are not integers


def test_meso_with_decimal_points_that_add_up_to_the_same_value_is_equivalent():
    # PROTOCOL.md allows any finite points. 0.1 + 0.2 and 0.3 are the same value to the
    # proposer, so with meso_tolerance 0 the two packages are equivalent; summing floats
    # makes them differ by 5.5e-17 and the offer is refused as not_equivalent.
    doc = scenario_doc(meso_tolerance=0)
    doc["issues"] = [
        {
            "id": "a",
            "name": "A",
            "options": [
                {"id": "x", "label": "X", "points": {"buyer": 0.1, "seller": 0}},
                {"id": "y", "label": "Y", "points": {"buyer": 0.3, "seller": 1}},
            ],
        },
        {
            "id": "b",
            "name": "B",
            "options": [
                {"id": "x", "label": "X", "points": {"buyer": 0.2, "seller": 0}},
                {"id": "y", "label": "Y", "points": {"buyer": 0, "seller": 1}},
            ],
        },
    ]
    sc = parse(doc)
    s = propose(start(sc=sc), "buyer", {"a": "x", "b": "x"}, {"a": "y", "b": "y"})
    assert len(s.latest.packages) == 2


def test_in_meso_only_the_first_mover_is_told_its_next_offer_needs_two_packages():
    from tests.support import scenario_dict

    sc = parse(scenario_dict())
    st = offers.new_state("n1", sc, "meso", started_at=0.0)
    assert st.package_bounds("seller") == (2, 3)  # seller moves first
    assert st.package_bounds("buyer") == (1, 3)  # the buyer's first offer is a counteroffer


def test_an_old_databases_instructor_end_folds_to_the_instructor_reason():
    """Databases made before reason ``instructor`` hold the same ``ended`` event: it reads as
    ``instructor`` too (their exports say so), not ``deadline``."""
    s = propose(start(), "buyer", P_MID)
    s = offers.replay(s, [{"type": "ended", "by": "instructor", "at": T0 + 20}])
    assert (s.status, s.outcome.reason, s.outcome.by) == ("impasse", "instructor", "instructor")


# ---------------------------------------------------------------- issue 10: bounded chat, walk_away


@pytest.mark.parametrize("payload", [{"x": 1}, {"role": "buyer"}, {"reason": "bored"}])
def test_walk_away_with_unknown_fields_is_bad_request_and_changes_nothing(payload):
    s = start()
    with pytest.raises(RuleError) as e:
        offers.parse_action("walk_away", payload)
    assert e.value.code == "bad_request"
    assert sorted(payload)[0] in e.value.message
    assert s.is_open and s.events == 0


def test_the_chat_is_capped_in_messages_then_answered_chat_limit():
    s = start()
    for n in range(offers.MAX_CHAT_MESSAGES):
        s = offers.fold(s, {"type": "chat", "role": "buyer", "text": f"m{n}", "at": T0})
    assert refused(s, "seller", "chat", {"text": "one more"}) == "chat_limit"
    # the cap is on chat only: offers and walking away go on
    s = propose(s, "buyer", P_MID)
    assert act(s, "seller", "walk_away", {}).outcome.reason == "walked_away"


def test_the_chat_is_capped_in_characters():
    s = start()
    long = "x" * offers.MAX_CHAT
    for _ in range(offers.MAX_CHAT_CHARS // offers.MAX_CHAT):
        s = act(s, "buyer", "chat", {"text": long})
    assert len(s.chat) < offers.MAX_CHAT_MESSAGES
    with pytest.raises(RuleError) as e:
        offers.apply(s, "seller", {"type": "chat", "text": "x"}, T0 + 1)
    assert e.value.code == "chat_limit" and "60,000 characters" in e.value.message


def test_a_view_carries_the_last_messages_and_the_total():
    from game.core.views import negotiation_view

    s = start()
    for n in range(offers.CHAT_SHOWN + 7):
        s = act(s, "buyer", "chat", {"text": f"m{n}"})
    v = negotiation_view(s, "seller", partner={"name": "B", "connected": True})
    assert v["chat_total"] == offers.CHAT_SHOWN + 7
    assert len(v["chat"]) == offers.CHAT_SHOWN
    assert v["chat"][0]["text"] == "m7" and v["chat"][-1]["text"] == f"m{offers.CHAT_SHOWN + 6}"
