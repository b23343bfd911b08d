"""Every refusal of PROTOCOL.md section 4 through the socket, and the order of the checks."""

from __future__ import annotations

import time

import pytest

from tests.server.helpers import (
    GREEDY,
    MESO,
    code_of,
    emit_many,
    most_served,
    neg,
    new_pair,
    offers,
    ok,
    pkg,
)

A, B, C = MESO  # worth 500, 500, 550 to the seller


def refused(player, event, data, code):
    answer = player.call(event, data)
    assert answer.get("ok") is False, answer
    assert set(answer["error"]) >= {"code", "message"}
    assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]
    assert answer["error"]["code"] == code, answer
    return answer


@pytest.fixture
def any_pair(module_server, players):
    return new_pair(module_server, players, conditions=["any"])


# ---------------------------------------------------------------- rate_limited


def test_a_flood_of_quick_events_is_rate_limited_and_nothing_else_happens(any_pair):
    seller = any_pair.seller
    start = time.monotonic()
    answers = emit_many(seller, "chat", [{"text": ""}] * 150)
    elapsed = time.monotonic() - start
    codes = [a["error"]["code"] for a in answers]
    assert set(codes) <= {"bad_request", "rate_limited"}
    # the contract's floor: at least 10 events a second are served
    assert codes[:10] == ["bad_request"] * 10
    # and no more than the bucket gives in the time the flood took (a bound that follows the
    # measured time: 150 at once are refused from the 41st on a machine of any usual speed)
    assert codes.count("bad_request") <= most_served(elapsed), (codes, elapsed)


def test_rate_limit_comes_before_every_other_check(module_server, players):
    # before pairing: a well-formed action is not_negotiating, a malformed one bad_request;
    # a flood of either is rate_limited first
    code = module_server.create_session(scenario="test-supply")
    p = players(module_server, module_server.join(code, "Flooder")["token"])
    p.wait_phase("lobby")
    payloads = [{"packages": [A]}, {"packages": "nope"}] * 75
    start = time.monotonic()
    answers = emit_many(p, "propose", payloads)
    elapsed = time.monotonic() - start
    codes = [a["error"]["code"] for a in answers]
    assert codes.count("rate_limited") >= len(codes) - most_served(elapsed), (codes, elapsed)
    for payload, code_ in zip(payloads, codes, strict=True):
        expected = "not_negotiating" if payload["packages"] != "nope" else "bad_request"
        assert code_ in ("rate_limited", expected)


def test_ten_events_a_second_are_served_even_after_a_flood(any_pair):
    seller = any_pair.seller
    emit_many(seller, "chat", [{"text": ""}] * 120)
    # pacing at 10 a second is the behaviour under test, so this waits on the wall clock
    served = []
    sent = time.monotonic()
    for _ in range(10):  # each at least 0.1 s after the last: never a catch-up burst
        time.sleep(max(0.0, sent + 0.1 - time.monotonic()))
        sent = time.monotonic()
        served.append(code_of(seller.call("chat", {"text": ""})))
    assert served == ["bad_request"] * 10


# ---------------------------------------------------------------- bad_request


@pytest.mark.parametrize(
    "event,data",
    [
        ("propose", None),
        ("propose", "packages"),
        ("propose", [MESO[0]]),
        ("propose", 7),
        ("propose", {}),
        ("propose", {"packages": None}),
        ("propose", {"packages": "price1"}),
        ("propose", {"packages": {"0": A}}),
        ("propose", {"packages": [A, "B"]}),
        ("propose", {"packages": [[["price", "price1"]]]}),
        ("propose", {"packages": [{**A, "price": 1}]}),
        ("propose", {"packages": [{**A, "price": None}]}),
        ("propose", {"packages": [A] * 11}),
        ("propose", {"packages": [{**A, "price": "p" * 5000}]}),
        ("propose", {"packages": [{f"issue{n}": "x" for n in range(200)}]}),
        ("propose", {"packages": [A], "colour": "red"}),
        ("propose", {"packages": [A], "based_on": "offer-1"}),
        ("propose", {"packages": [A], "based_on": {"offer_id": 3, "package": 0}}),
        ("propose", {"packages": [A], "based_on": {"offer_id": "x", "package": "0"}}),
        ("propose", {"packages": [A], "based_on": {"offer_id": "x", "package": -1}}),
        ("propose", {"packages": [A], "based_on": {"offer_id": "x", "package": True}}),
        ("propose", {"packages": [A], "based_on": {"offer_id": "x", "package": 0, "z": 1}}),
        ("accept", None),
        ("accept", "offer"),
        ("accept", {}),
        ("accept", {"offer_id": "x"}),
        ("accept", {"package": 0}),
        ("accept", {"offer_id": 12, "package": 0}),
        ("accept", {"offer_id": "", "package": 0}),
        ("accept", {"offer_id": "x", "package": "0"}),
        ("accept", {"offer_id": "x", "package": 1.5}),
        ("accept", {"offer_id": "x", "package": -1}),
        ("accept", {"offer_id": "x", "package": False}),
        ("accept", {"offer_id": "x" * 5000, "package": 0}),
        ("accept", {"offer_id": "x", "package": 0, "extra": 1}),
        ("walk_away", "now"),
        ("walk_away", [1]),
        ("chat", None),
        ("chat", "hello"),
        ("chat", {}),
        ("chat", {"text": None}),
        ("chat", {"text": 42}),
        ("chat", {"text": ["hi"]}),
        ("chat", {"text": ""}),
        ("chat", {"text": "   \n\t "}),
        ("chat", {"text": "x" * 1001}),
        # binary packets: decoded (the server only never sends bytes), then refused
        ("propose", b"\x00packages"),
        ("propose", {"packages": [{**A, "price": b"price1"}]}),
        ("chat", {"text": b"hello"}),
    ],
)
def test_a_payload_of_the_wrong_type_shape_or_size_is_a_bad_request(any_pair, event, data):
    refused(any_pair.seller, event, data, "bad_request")
    # and changed nothing
    ok(any_pair.seller.call("chat", {"text": "still fine"}))
    st = any_pair.buyer.wait(lambda s: len(neg(s)["chat"]) == 1)
    assert offers(st) == [] and neg(st)["status"] == "open"


def test_chat_of_exactly_1000_characters_is_served(any_pair):
    ok(any_pair.seller.call("chat", {"text": "y" * 1000}))
    st = any_pair.buyer.wait(lambda s: len(neg(s)["chat"]) == 1)
    assert neg(st)["chat"][0]["text"] == "y" * 1000


def test_a_package_index_out_of_range_is_a_bad_request(module_server, players):
    pair = new_pair(module_server, players, conditions=["meso"])
    offer_id = ok(pair.seller.call("propose", {"packages": MESO}))["offer_id"]
    pair.buyer.wait(lambda s: len(offers(s)) == 1)
    refused(pair.buyer, "accept", {"offer_id": offer_id, "package": 3}, "bad_request")
    refused(pair.buyer, "accept", {"offer_id": offer_id, "package": 99}, "bad_request")
    # based_on naming a package the offer does not have
    refused(
        pair.buyer,
        "propose",
        {"packages": [GREEDY], "based_on": {"offer_id": offer_id, "package": 3}},
        "bad_request",
    )
    # the index out of range wins over not_your_turn: the seller may not accept its own offer
    refused(pair.seller, "accept", {"offer_id": offer_id, "package": 5}, "bad_request")
    refused(pair.seller, "accept", {"offer_id": offer_id, "package": 0}, "not_your_turn")
    ok(pair.buyer.call("accept", {"offer_id": offer_id, "package": 2}))


# ---------------------------------------------------------------- not_negotiating


def test_actions_before_pairing_are_not_negotiating(module_server, players):
    code = module_server.create_session(scenario="test-supply")
    p = players(module_server, module_server.join(code, "Early")["token"])
    p.wait_phase("lobby")
    refused(p, "propose", {"packages": [A]}, "not_negotiating")
    refused(p, "accept", {"offer_id": "n_x-1", "package": 0}, "not_negotiating")
    refused(p, "walk_away", {}, "not_negotiating")
    refused(p, "chat", {"text": "anyone?"}, "not_negotiating")
    # bad_request is checked first
    refused(p, "propose", {"packages": 5}, "bad_request")
    refused(p, "chat", {"text": ""}, "bad_request")


def test_actions_in_a_rounds_session_before_the_first_round_are_not_negotiating(
    module_server, players
):
    code = module_server.create_session(scenario="test-supply", pairing="rounds")
    p = players(module_server, module_server.join(code, "Waiting")["token"])
    p.wait_phase("lobby")
    refused(p, "propose", {"packages": [A]}, "not_negotiating")
    refused(p, "chat", {"text": "hello"}, "not_negotiating")


def test_actions_after_the_end_are_not_negotiating(module_server, players):
    pair = new_pair(module_server, players, conditions=["any"])
    offer_id = ok(pair.seller.call("propose", {"packages": [A, B]}))["offer_id"]
    pair.buyer.wait(lambda s: len(offers(s)) == 1)
    ok(pair.buyer.call("accept", {"offer_id": offer_id, "package": 0}))
    pair.seller.wait_phase("done")
    for p in pair.both:
        refused(p, "propose", {"packages": [A]}, "not_negotiating")
        refused(p, "accept", {"offer_id": offer_id, "package": 1}, "not_negotiating")
        refused(p, "walk_away", {}, "not_negotiating")
        refused(p, "chat", {"text": "thanks"}, "not_negotiating")
    # bad_request first, including a package index out of range
    refused(pair.buyer, "accept", {"offer_id": offer_id, "package": 2}, "bad_request")
    refused(pair.buyer, "chat", {"text": 1}, "bad_request")


# ---------------------------------------------------------------- not_your_turn


def test_only_the_role_whose_turn_it_is_may_propose_or_accept(any_pair):
    seller, buyer = any_pair.both
    refused(buyer, "propose", {"packages": [A]}, "not_your_turn")
    offer_id = ok(seller.call("propose", {"packages": [A]}))["offer_id"]
    buyer.wait(lambda s: len(offers(s)) == 1)
    refused(seller, "propose", {"packages": [B]}, "not_your_turn")
    refused(seller, "accept", {"offer_id": offer_id, "package": 0}, "not_your_turn")
    # not_your_turn comes before package counts, invalid packages and unknown offers
    refused(seller, "propose", {"packages": [A, B, C, GREEDY]}, "not_your_turn")
    refused(seller, "propose", {"packages": [{"price": "gold"}]}, "not_your_turn")
    refused(seller, "propose", {"packages": [A, GREEDY]}, "not_your_turn")
    refused(seller, "accept", {"offer_id": "nope", "package": 0}, "not_your_turn")


# ---------------------------------------------------------------- offer_limit


def test_after_the_last_offer_its_recipient_may_only_accept(module_server, players):
    pair = new_pair(module_server, players, conditions=["any"], max_offers=2)
    seller, buyer = pair.both
    assert seller.neg["offers_left"] == 2
    ok(seller.call("propose", {"packages": [A]}))
    buyer.wait(lambda s: len(offers(s)) == 1)
    last = ok(buyer.call("propose", {"packages": [GREEDY]}))["offer_id"]
    st = seller.wait(lambda s: len(offers(s)) == 2)
    assert neg(st)["offers_left"] == 0
    assert neg(st)["turn"] == "seller"
    refused(seller, "propose", {"packages": [B]}, "offer_limit")
    # offer_limit comes before package counts and package checks
    refused(seller, "propose", {"packages": [A, B, C, GREEDY]}, "offer_limit")
    refused(seller, "propose", {"packages": [{"colour": "red"}]}, "offer_limit")
    # but not_your_turn still comes first for the other side
    refused(buyer, "propose", {"packages": [B]}, "not_your_turn")
    # chat is not an offer
    ok(buyer.call("chat", {"text": "final offer"}))
    ok(seller.call("accept", {"offer_id": last, "package": 0}))
    assert neg(buyer.wait_phase("done"))["status"] == "agreed"


def test_after_the_last_offer_its_recipient_may_walk_away(module_server, players):
    pair = new_pair(module_server, players, conditions=["single"], max_offers=1)
    ok(pair.seller.call("propose", {"packages": [GREEDY]}))
    pair.buyer.wait(lambda s: len(offers(s)) == 1)
    refused(pair.buyer, "propose", {"packages": [A]}, "offer_limit")
    ok(pair.buyer.call("walk_away", {}))
    assert neg(pair.seller.wait_phase("done"))["outcome"]["reason"] == "walked_away"


# ---------------------------------------------------------------- package counts


def test_more_than_one_package_in_the_single_condition_is_too_many(module_server, players):
    pair = new_pair(module_server, players, conditions=["single"])
    refused(pair.seller, "propose", {"packages": [A, B]}, "too_many_packages")
    # too_many_packages comes before invalid and unequal packages
    refused(pair.seller, "propose", {"packages": [A, {"price": "gold"}]}, "too_many_packages")
    refused(pair.seller, "propose", {"packages": [A, GREEDY]}, "too_many_packages")
    ok(pair.seller.call("propose", {"packages": [A]}))


def test_more_than_max_packages_is_too_many(any_pair):
    fourth = pkg(0, 1, 1, 1)
    refused(any_pair.seller, "propose", {"packages": [A, B, C, fourth]}, "too_many_packages")


def test_a_meso_negotiation_must_open_with_two_or_more_packages(module_server, players):
    pair = new_pair(module_server, players, conditions=["meso"])
    refused(pair.seller, "propose", {"packages": [A]}, "too_few_packages")
    refused(pair.seller, "propose", {"packages": []}, "too_few_packages")
    # too_few_packages comes before invalid packages
    refused(pair.seller, "propose", {"packages": [{"price": "gold"}]}, "too_few_packages")
    offer_id = ok(pair.seller.call("propose", {"packages": [A, B]}))["offer_id"]
    pair.buyer.wait(lambda s: len(offers(s)) == 1)
    # later offers may hold a single package
    ok(
        pair.buyer.call(
            "propose", {"packages": [GREEDY], "based_on": {"offer_id": offer_id, "package": 0}}
        )
    )


# ---------------------------------------------------------------- invalid_package


@pytest.mark.parametrize(
    "packages",
    [
        [{**A, "colour": "red"}],
        [{**A, "price": "price9"}],
        [{k: v for k, v in A.items() if k != "training"}],
        [{}],
        [A, {**B, "price": "gold"}],
        [A, dict(A)],
        [A, dict(reversed(list(A.items())))],
    ],
    ids=[
        "unknown-issue",
        "unknown-option",
        "incomplete",
        "empty",
        "second-invalid",
        "identical",
        "identical-reordered",
    ],
)
def test_an_invalid_package_is_refused(any_pair, packages):
    refused(any_pair.seller, "propose", {"packages": packages}, "invalid_package")


def test_invalid_package_comes_before_not_equivalent_and_unknown_offer(any_pair):
    refused(
        any_pair.seller,
        "propose",
        {
            "packages": [GREEDY, {**A, "price": "gold"}],
            "based_on": {"offer_id": "zz", "package": 0},
        },
        "invalid_package",
    )


# ---------------------------------------------------------------- not_equivalent


def test_meso_with_unequal_packages_is_refused(module_server, players):
    pair = new_pair(module_server, players, conditions=["meso"])
    refused(pair.seller, "propose", {"packages": [A, GREEDY]}, "not_equivalent")
    refused(pair.seller, "propose", {"packages": [A, B, GREEDY]}, "not_equivalent")
    st = pair.seller.state
    assert offers(st) == []


def test_equivalence_is_judged_by_the_proposers_points(any_pair):
    # A and B are worth 500 and 500 to the seller but 1000 and 900 to the buyer
    offer_id = ok(any_pair.seller.call("propose", {"packages": [A, B]}))["offer_id"]
    any_pair.buyer.wait(lambda s: len(offers(s)) == 1)
    refused(any_pair.buyer, "propose", {"packages": [A, B]}, "not_equivalent")
    # within the tolerance (50) for the buyer: 1000 and 1000
    ok(
        any_pair.buyer.call(
            "propose",
            {"packages": [A, pkg(0, 2, 0, 1)], "based_on": {"offer_id": offer_id, "package": 0}},
        )
    )


def test_packages_exactly_the_tolerance_apart_are_equivalent(any_pair):
    ok(any_pair.seller.call("propose", {"packages": [A, C]}))  # 500 and 550, tolerance 50


def test_not_equivalent_comes_before_unknown_offer(any_pair):
    refused(
        any_pair.seller,
        "propose",
        {"packages": [A, GREEDY], "based_on": {"offer_id": "no-such-offer", "package": 0}},
        "not_equivalent",
    )


# ---------------------------------------------------------------- unknown_offer


def test_only_the_latest_offer_may_be_accepted(any_pair):
    seller, buyer = any_pair.both
    refused(seller, "accept", {"offer_id": "nothing-yet", "package": 0}, "unknown_offer")
    first = ok(seller.call("propose", {"packages": [A, B]}))["offer_id"]
    buyer.wait(lambda s: len(offers(s)) == 1)
    second = ok(buyer.call("propose", {"packages": [GREEDY]}))["offer_id"]
    seller.wait(lambda s: len(offers(s)) == 2)
    third = ok(seller.call("propose", {"packages": [C]}))["offer_id"]
    buyer.wait(lambda s: len(offers(s)) == 3)
    refused(buyer, "accept", {"offer_id": first, "package": 0}, "unknown_offer")
    refused(buyer, "accept", {"offer_id": second, "package": 0}, "unknown_offer")
    refused(buyer, "accept", {"offer_id": "no-such-offer", "package": 0}, "unknown_offer")
    ok(buyer.call("accept", {"offer_id": third, "package": 0}))


def test_based_on_an_offer_not_in_this_negotiation_is_unknown(module_server, players):
    one = new_pair(module_server, players, conditions=["any"])
    other = new_pair(module_server, players, conditions=["any"])
    elsewhere = ok(other.seller.call("propose", {"packages": [A]}))["offer_id"]
    refused(
        one.seller,
        "propose",
        {"packages": [A], "based_on": {"offer_id": "no-such-offer", "package": 0}},
        "unknown_offer",
    )
    refused(
        one.seller,
        "propose",
        {"packages": [A], "based_on": {"offer_id": elsewhere, "package": 0}},
        "unknown_offer",
    )
    # nor can an offer of another negotiation be accepted
    other.buyer.wait(lambda s: len(offers(s)) == 1)
    mine = ok(one.seller.call("propose", {"packages": [B]}))["offer_id"]
    one.buyer.wait(lambda s: len(offers(s)) == 1)
    refused(one.buyer, "accept", {"offer_id": elsewhere, "package": 0}, "unknown_offer")
    ok(one.buyer.call("accept", {"offer_id": mine, "package": 0}))


def test_refusals_change_nothing(any_pair):
    seller, buyer = any_pair.both
    refused(seller, "propose", {"packages": [A, GREEDY]}, "not_equivalent")
    refused(buyer, "propose", {"packages": [A]}, "not_your_turn")
    refused(seller, "propose", {"packages": [A, A]}, "invalid_package")
    offer_id = ok(seller.call("propose", {"packages": [A]}))["offer_id"]
    st = buyer.wait(lambda s: len(offers(s)) == 1)
    assert offers(st)[0]["id"] == offer_id
    assert neg(st)["offers_left"] == neg(st)["max_offers"] - 1
