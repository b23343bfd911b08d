"""Views as JSON text (``Hub.view_json``, ``views.ViewEncoder``): always the view itself.

The encoder reuses the JSON of a negotiation's scenario and offers while it is open, so these
tests play whole negotiations through the hub (a fixed clock: views are deterministic) and
compare, at every step and for both sides, the text sent with the view built afresh.
"""

from __future__ import annotations

import json

import pytest
import socketio.packet

from game.core.views import ViewEncoder, dumps
from game.server.hub import Hub
from game.server.store import Store
from game.server.transport import Encoded, Packet
from tests.support import scenario_dict

A = {"price": "price1", "delivery": "delivery0", "warranty": "warranty0", "training": "training0"}
B = {"price": "price0", "delivery": "delivery2", "warranty": "warranty0", "training": "training0"}
GREEDY = {
    "price": "price3",
    "delivery": "delivery2",
    "warranty": "warranty2",
    "training": "training1",
}
TRICKY = 'quotes " and \\ back, </script>, \u2028, émoji 🤝, \x00 and "scenario":{}'


@pytest.fixture
def hub(tmp_path):
    now = [1_800_000_000.0]
    store = Store(tmp_path / "v.db")
    h = Hub(store, clock=lambda: now[0])
    h.add_scenario(scenario_dict())
    h.now = now
    yield h
    store.close()


def pair(hub, **session):
    code = hub.create_session({"scenario": "test-supply", "conditions": ["meso"], **session})
    sids = {}
    for name in ("Ann", "Bob"):
        token, pid = hub.join(code, {"name": name})
        sids[pid] = f"sid-{name}"
        hub.connect(token, sids[pid])
    by_role = {hub.view(pid)["negotiation"]["role"]: pid for pid in sids}
    return {role: (pid, sids[pid]) for role, pid in by_role.items()}


def same(hub, *pids):
    for pid in pids:
        text = hub.view_json(pid)
        assert json.loads(text) == hub.view(pid)


def test_the_text_is_the_view_at_every_step_of_a_negotiation(hub):
    p = pair(hub)
    (seller, s_sid), (buyer, b_sid) = p["seller"], p["buyer"]
    same(hub, seller, buyer)
    answer, _ = hub.act(s_sid, "propose", {"packages": [A, B]})
    first = answer["offer_id"]
    same(hub, seller, buyer)
    hub.now[0] += 1
    hub.act(b_sid, "chat", {"text": TRICKY})
    same(hub, seller, buyer)
    hub.act(b_sid, "propose", {"packages": [GREEDY], "based_on": {"offer_id": first, "package": 1}})
    same(hub, seller, buyer)
    answer, _ = hub.act(s_sid, "propose", {"packages": [A, B]})
    same(hub, seller, buyer)
    assert len(hub.encoder) == 2  # both roles' parts kept while open
    hub.act(b_sid, "accept", {"offer_id": answer["offer_id"], "package": 0})
    same(hub, seller, buyer)  # done: the debrief with both roles' points
    assert json.loads(hub.view_json(seller))["negotiation"]["debrief"] is not None
    assert len(hub.encoder) == 0  # ended: nothing kept


def test_the_text_of_a_lobby_view_is_the_view(hub):
    code = hub.create_session({"scenario": "test-supply", "conditions": ["any"]})
    token, pid = hub.join(code, {"name": "Cat"})
    hub.connect(token, "sid-cat")
    assert hub.view(pid)["phase"] == "lobby"
    same(hub, pid)


def test_a_negotiation_ended_by_its_deadline_is_forgotten(hub):
    p = pair(hub, time_limit_s=60)
    (seller, s_sid), (buyer, _b) = p["seller"], p["buyer"]
    hub.act(s_sid, "propose", {"packages": [A, B]})
    same(hub, seller, buyer)
    assert len(hub.encoder) == 2
    hub.now[0] += 61
    hub.tick()
    assert len(hub.encoder) == 0
    same(hub, seller, buyer)


def test_each_role_gets_its_own_scenario_and_points_in_the_text(hub):
    p = pair(hub)
    (seller, s_sid), (buyer, _b) = p["seller"], p["buyer"]
    hub.act(s_sid, "propose", {"packages": [A, B]})
    s_text, b_text = hub.view_json(seller), hub.view_json(buyer)
    assert "SELLER-BRIEF-SECRET" in s_text and "SELLER-BRIEF-SECRET" not in b_text
    assert "BUYER-BRIEF-SECRET" in b_text and "BUYER-BRIEF-SECRET" not in s_text
    assert (
        json.loads(b_text)["negotiation"]["offers"][0]["points"]
        != (json.loads(s_text)["negotiation"]["offers"][0]["points"])
    )


def view(nid="n1", role="seller", offers=(), **neg):
    return {
        "phase": "negotiating",
        "version": 3,
        "negotiation": {
            "id": nid,
            "role": role,
            "status": "open",
            "scenario": {"id": "sc", "brief": "b"},
            "offers": [{"id": o, "points": [1]} for o in offers],
            **neg,
        },
    }


def test_parts_that_no_longer_match_the_view_are_encoded_afresh():
    enc = ViewEncoder()
    for v in (
        view(offers=["a", "b"]),
        view(offers=["a", "b", "c"]),
        view(offers=["x"]),  # other offers under the same key: not the cached ones
        view(offers=[]),
        view(offers=["y", "z"]),
        view(offers=["p", "q"]),  # as many offers as cached, other ones
        view(role="buyer", offers=["y"]),
    ):
        assert json.loads(enc.encode(v)) == v
    v = view(offers=["y", "z"])
    v["negotiation"]["scenario"] = {"id": "sc", "brief": "another"}
    enc.forget("n1")
    assert len(enc) == 0
    assert json.loads(enc.encode(v)) == v


@pytest.mark.parametrize(
    "v",
    [
        {"phase": "lobby", "negotiation": None},
        {"negotiation": None},
        {"negotiation": {"id": "n", "role": "r", "status": "open", "scenario": {}, "offers": []}},
        view(status="agreed", offers=["a"]),
    ],
)
def test_edge_shapes_encode_to_themselves(v):
    assert json.loads(ViewEncoder().encode(v)) == v


def test_an_ended_negotiation_drops_its_parts():
    enc = ViewEncoder()
    enc.encode(view(offers=["a"]))
    enc.encode(view(role="buyer", offers=["a"]))
    assert len(enc) == 2
    ended = view(offers=["a"], status="agreed")
    assert json.loads(enc.encode(ended)) == ended
    assert len(enc) == 1  # this role's parts; the other role's go with its own view or forget()


# ---------------------------------------------------------------- packets


@pytest.mark.parametrize(
    "kind,namespace,id_",
    [
        (socketio.packet.EVENT, None, None),
        (socketio.packet.EVENT, "/instructor", None),
        (socketio.packet.EVENT, "/", 7),
        (socketio.packet.ACK, "/instructor", 12),
    ],
)
def test_a_packet_sends_encoded_json_as_the_same_data(kind, namespace, id_):
    data = ["state", view(offers=["a", "b"]), {"n": [1, "é"]}]
    pre = ["state", Encoded(dumps(data[1])), data[2]]
    text = Packet(kind, data=pre, namespace=namespace, id=id_).encode()
    assert text == Packet(kind, data=data, namespace=namespace, id=id_).encode()
    back = socketio.packet.Packet(encoded_packet=text)
    assert (back.packet_type, back.id, back.data) == (kind, id_, data)
    assert back.namespace == (namespace if namespace != "/" else None)


def test_packets_never_scan_for_bytes_but_still_read_binary_ones():
    assert Packet(socketio.packet.EVENT, data=["x", {"a": 1}]).packet_type == socketio.packet.EVENT
    sent = socketio.packet.Packet(socketio.packet.EVENT, data=["chat", {"text": b"hi"}])
    text, attachment = sent.encode()
    got = Packet(encoded_packet=text)
    assert got.packet_type == socketio.packet.BINARY_EVENT
    assert got.add_attachment(attachment)
    assert got.data == ["chat", {"text": b"hi"}]


def test_dumps_is_compact_json():
    assert dumps({"a": [1, "é"]}) == '{"a":[1,"\\u00e9"]}'


def test_an_event_nested_too_deeply_is_decoded_as_itself_with_a_payload_to_refuse():
    """python-socketio's decoder raises RecursionError past about a thousand levels: an event
    that asks for an answer and names itself gets the payload TOO_DEEP (its handler answers
    bad_request naming the problem); anything else is a malformed frame."""
    from game.server.transport import TOO_DEEP, payload_problem

    deep = "[" * 5000 + "]" * 5000
    p = Packet(encoded_packet=f'27["propose",{{"package":{deep}}}]')
    assert (p.packet_type, p.id, p.data) == (socketio.packet.EVENT, 7, ["propose", TOO_DEEP])
    p = Packet(encoded_packet=f'2/instructor,12[ "watch",{deep}]')
    assert (p.namespace, p.id, p.data) == ("/instructor", 12, ["watch", TOO_DEEP])
    for frame in (
        f'2["propose",{deep}]',  # no id: nothing to answer
        f"27[{deep},{{}}]",  # the name itself too deep
        f'37["propose",{deep}]',  # an answer, not an event
    ):
        with pytest.raises(ValueError):
            Packet(encoded_packet=frame)
    assert payload_problem(TOO_DEEP) == "payload: JSON nested too deeply to read"
    assert payload_problem({"text": "a\ud800"}) == (
        "text: text with a lone surrogate (not valid Unicode)"
    )
    assert payload_problem({"text": [[["fine"]]]}) is None
