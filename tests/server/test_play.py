"""Playing through the real server: MESO to agreement, walk-away, chat, tabs, reconnection."""

from __future__ import annotations

import threading

import pytest
import socketio

from tests.server.helpers import (
    BATNAS,
    COUNTER,
    MESO,
    neg,
    new_pair,
    offers,
    ok,
    points,
)


def test_full_meso_negotiation_ends_in_agreement_with_both_sides_points(module_server, players):
    pair = new_pair(module_server, players, conditions=["meso"])
    seller, buyer = pair.both
    for p in pair.both:
        n = p.neg
        assert n["condition"] == "meso"
        assert n["status"] == "open"
        assert n["turn"] == "seller"
        assert n["offers"] == [] and n["outcome"] is None

    # the seller opens with three equivalent packages
    answer = ok(seller.call("propose", {"packages": MESO}))
    meso_id = answer["offer_id"]
    for p, role in ((seller, "seller"), (buyer, "buyer")):
        st = p.wait(lambda s: len(offers(s)) == 1)
        o = offers(st)[0]
        assert o["id"] == meso_id
        assert o["by"] == "seller"
        assert o["packages"] == MESO
        assert o["points"] == [points(x)[role] for x in MESO]
        assert o["based_on"] is None
        assert neg(st)["turn"] == "buyer"

    # the buyer counters, building on the third package
    based_on = {"offer_id": meso_id, "package": 2}
    answer = ok(buyer.call("propose", {"packages": [COUNTER], "based_on": based_on}))
    counter_id = answer["offer_id"]
    assert counter_id != meso_id
    for p, role in ((seller, "seller"), (buyer, "buyer")):
        st = p.wait(lambda s: len(offers(s)) == 2)
        o = offers(st)[1]
        assert o["id"] == counter_id
        assert o["by"] == "buyer"
        assert o["packages"] == [COUNTER]
        assert o["points"] == [points(COUNTER)[role]]
        assert o["based_on"] == based_on
        assert neg(st)["turn"] == "seller"

    # the seller accepts
    ok(seller.call("accept", {"offer_id": counter_id, "package": 0}))
    for p, role in ((seller, "seller"), (buyer, "buyer")):
        st = p.wait_phase("done")
        n = neg(st)
        assert n["status"] == "agreed"
        assert n["turn"] is None
        assert n["outcome"]["reason"] == "accepted"
        assert n["outcome"]["package"] == COUNTER
        assert n["outcome"]["points"] == points(COUNTER)[role]
        assert [o["id"] for o in n["offers"]] == [meso_id, counter_id]
        assert n["offers"][1]["based_on"] == based_on


def test_recipient_may_accept_any_package_of_a_meso(module_server, players):
    pair = new_pair(module_server, players, conditions=["meso"])
    offer_id = ok(pair.seller.call("propose", {"packages": MESO}))["offer_id"]
    pair.buyer.wait(lambda s: len(offers(s)) == 1)
    ok(pair.buyer.call("accept", {"offer_id": offer_id, "package": 1}))
    for p, role in ((pair.seller, "seller"), (pair.buyer, "buyer")):
        n = neg(p.wait_phase("done"))
        assert n["outcome"]["package"] == MESO[1]
        assert n["outcome"]["points"] == points(MESO[1])[role]


@pytest.mark.parametrize("who", ["seller", "buyer"])
def test_either_side_may_walk_away_and_both_get_their_batna(module_server, players, who):
    pair = new_pair(module_server, players, conditions=["any"])
    ok(pair.seller.call("propose", {"packages": [MESO[0]]}))
    pair.buyer.wait(lambda s: len(offers(s)) == 1)
    # walking away is allowed whoever's turn it is
    ok(pair.by_role(who).call("walk_away", {}))
    for p, role in ((pair.seller, "seller"), (pair.buyer, "buyer")):
        n = neg(p.wait_phase("done"))
        assert n["status"] == "impasse"
        assert n["outcome"]["reason"] == "walked_away"
        assert n["outcome"]["package"] is None
        assert n["outcome"]["points"] == BATNAS[role]


def test_chat_reaches_both_sides_in_order_with_the_writers_role(module_server, players):
    pair = new_pair(module_server, players)
    ok(pair.buyer.call("chat", {"text": "hello"}))  # not the buyer's turn: chat is still fine
    ok(pair.seller.call("chat", {"text": "  hi there  "}))
    for p in pair.both:
        st = p.wait(lambda s: len(neg(s)["chat"]) == 2)
        chat = neg(st)["chat"]
        assert [(c["by"], c["text"]) for c in chat] == [("buyer", "hello"), ("seller", "hi there")]
        assert all(isinstance(c["at"], (int, float)) for c in chat)


def test_two_tabs_of_one_participant_get_identical_states(module_server, players):
    pair = new_pair(module_server, players)
    token = pair.seller.token
    tab2 = players(module_server, token)
    st2 = tab2.wait_phase("negotiating")
    assert neg(st2)["id"] == pair.seller.neg["id"]
    assert neg(st2)["role"] == "seller"

    # an action from the second tab is the same participant's
    offer_id = ok(tab2.call("propose", {"packages": [MESO[0]]}))["offer_id"]
    ok(pair.buyer.call("chat", {"text": "thinking"}))

    def settled(s):
        return len(offers(s)) == 1 and len(neg(s)["chat"]) == 1

    a = pair.seller.wait(settled)
    b = tab2.wait(settled)
    assert a == b
    assert offers(a)[0]["id"] == offer_id
    # every state that both tabs received since the second one connected is the same
    versions2 = {s["version"]: s for s in tab2.states}
    common = [s for s in pair.seller.states if s["version"] in versions2]
    assert len(common) >= 2
    for s in common:
        assert s == versions2[s["version"]]


def test_presence_shows_whether_the_partner_is_connected(module_server, players):
    pair = new_pair(module_server, players)
    assert pair.seller.neg["partner"]["connected"] is True
    tab2 = players(module_server, pair.buyer.token)
    tab2.wait_phase("negotiating")
    pair.buyer.close()
    # one tab of the buyer is still open
    ok(pair.seller.call("chat", {"text": "still there?"}))
    st = pair.seller.wait(lambda s: len(neg(s)["chat"]) == 1)
    assert neg(st)["partner"]["connected"] is True
    tab2.close()
    pair.seller.wait(lambda s: neg(s)["partner"]["connected"] is False)
    back = players(module_server, pair.buyer.token)
    back.wait_phase("negotiating")
    pair.seller.wait(lambda s: neg(s)["partner"]["connected"] is True)


def test_reconnecting_with_the_same_token_gets_the_same_participant_back(module_server, players):
    pair = new_pair(module_server, players, conditions=["meso"])
    before = pair.seller.state
    offer_id = ok(pair.seller.call("propose", {"packages": MESO}))["offer_id"]
    ok(pair.seller.call("chat", {"text": "my opening"}))
    pair.seller.close()

    again = players(module_server, pair.seller.token)
    st = again.wait(lambda s: len(offers(s)) == 1 and len(neg(s)["chat"]) == 1)
    assert st["phase"] == "negotiating"
    assert st["participant"]["id"] == before["participant"]["id"]
    assert neg(st)["id"] == neg(before)["id"]
    assert neg(st)["role"] == "seller"
    assert offers(st)[0]["id"] == offer_id
    # and it plays on as that participant
    pair.buyer.wait(lambda s: len(offers(s)) == 1)
    ok(pair.buyer.call("accept", {"offer_id": offer_id, "package": 0}))
    assert neg(again.wait_phase("done"))["outcome"]["points"] == points(MESO[0])["seller"]


def test_first_state_follows_the_accepted_connection(module_server, players):
    code = module_server.create_session(scenario="test-supply")
    token = module_server.join(code, "Solo")["token"]
    p = players(module_server, token)
    st = p.wait(lambda s: True)
    assert st["phase"] == "lobby"
    assert st["negotiation"] is None


@pytest.mark.parametrize(
    "auth",
    [None, {}, {"token": "no-such-token"}, {"token": ""}, {"token": 12345}, "just-a-string"],
    ids=["no-auth", "empty", "unknown", "blank", "number", "string"],
)
def test_a_missing_or_unknown_token_is_refused_at_connect(module_server, auth):
    client = socketio.Client(reconnection=False)
    states, errors = [], []
    client.on("state", states.append)
    client.on("connect_error", errors.append)
    kwargs = {"transports": ["websocket"], "wait_timeout": 10}
    if auth is not None:
        kwargs["auth"] = auth
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(module_server.url, **kwargs)
    assert not client.connected
    assert states == []
    # the refusal names the problem
    assert errors[-1]["message"] == "unknown or missing token: join the session first"
    client.disconnect()


def test_a_token_of_another_session_is_that_sessions_participant(module_server, players):
    code_a = module_server.create_session(scenario="test-supply")
    code_b = module_server.create_session(scenario="test-supply")
    ta = module_server.join(code_a, "A")
    tb = module_server.join(code_b, "B")
    pa = players(module_server, ta["token"])
    pb = players(module_server, tb["token"])
    # two sessions never pair with each other
    sa = pa.wait_phase("lobby")
    sb = pb.wait_phase("lobby")
    assert sa["session"]["code"] == code_a and sa["participant"]["id"] == ta["participant_id"]
    assert sb["session"]["code"] == code_b and sb["participant"]["id"] == tb["participant_id"]


def test_a_client_on_http_long_polling_plays_too(module_server, players):
    code = module_server.create_session(scenario="test-supply", conditions=["single"])
    polling = socketio.Client(reconnection=False)
    got = []
    polling.on("state", got.append)
    token = module_server.join(code, "Old browser")["token"]
    polling.connect(
        module_server.url, auth={"token": token}, transports=["polling"], wait_timeout=10
    )
    try:
        other = players(module_server, module_server.join(code, "New browser")["token"])
        other.wait_phase("negotiating")
        mine = polling.call("chat", {"text": "over polling"}, timeout=10)
        assert mine == {"ok": True}
        st = other.wait(lambda s: len(neg(s)["chat"]) == 1)
        assert neg(st)["chat"][0]["text"] == "over polling"
        assert got and got[0]["phase"] in ("lobby", "negotiating")
    finally:
        polling.disconnect()


def test_two_tabs_accepting_at_once_make_one_agreement(module_server, players):
    pair = new_pair(module_server, players)
    offer_id = ok(pair.seller.call("propose", {"packages": [MESO[0]]}))["offer_id"]
    tab2 = players(module_server, pair.buyer.token)
    tab2.wait(lambda s: len(offers(s)) == 1)
    pair.buyer.wait(lambda s: len(offers(s)) == 1)
    answers = []
    done = threading.Condition()

    def cb(answer=None, *_):
        with done:
            answers.append(answer)
            done.notify_all()

    for tab, package in ((pair.buyer, 0), (tab2, 0)):
        tab.client.emit("accept", {"offer_id": offer_id, "package": package}, callback=cb)
    with done:
        assert done.wait_for(lambda: len(answers) == 2, timeout=10)
    assert sorted(str(a.get("ok")) for a in answers) == ["False", "True"]
    (refusal,) = [a for a in answers if not a["ok"]]
    assert refusal["error"]["code"] == "not_negotiating"
    pair.seller.wait_phase("done")


def test_two_tabs_proposing_at_once_make_one_offer(module_server, players):
    pair = new_pair(module_server, players)
    tab2 = players(module_server, pair.seller.token)
    tab2.wait_phase("negotiating")
    answers = []
    done = threading.Condition()

    def cb(answer=None, *_):
        with done:
            answers.append(answer)
            done.notify_all()

    pair.seller.client.emit("propose", {"packages": [MESO[0]]}, callback=cb)
    tab2.client.emit("propose", {"packages": [MESO[1]]}, callback=cb)
    with done:
        assert done.wait_for(lambda: len(answers) == 2, timeout=10)
    assert sorted(str(a.get("ok")) for a in answers) == ["False", "True"]
    (refusal,) = [a for a in answers if not a["ok"]]
    assert refusal["error"]["code"] == "not_your_turn"
    st = pair.buyer.wait(lambda s: len(offers(s)) == 1)
    assert len(offers(st)) == 1
