"""What the Socket.IO server accepts at the transport level: same origin, small messages."""

from __future__ import annotations

import threading

import pytest
import requests
import websocket

from tests.server.helpers import neg, new_pair, ok


def handshake(server, origin: str | None):
    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    kwargs = {"origin": origin} if origin else {"suppress_origin": True}
    return websocket.create_connection(url, timeout=10, **kwargs)


def test_a_socket_from_the_same_origin_is_accepted(module_server):
    ws = handshake(module_server, module_server.url)
    try:
        assert ws.recv().startswith("0{")  # the Engine.IO open packet
    finally:
        ws.close()


@pytest.mark.parametrize("origin", ["http://evil.example", "https://127.0.0.1.evil.example"])
def test_a_socket_from_another_origin_is_refused(module_server, origin):
    with pytest.raises(websocket.WebSocketBadStatusException):
        handshake(module_server, origin)
    r = requests.get(
        module_server.url + "/socket.io/?EIO=4&transport=polling",
        headers={"Origin": origin},
        timeout=10,
    )
    assert r.status_code == 400


def test_an_oversized_message_drops_only_that_connection(module_server, players):
    pair = new_pair(module_server, players)
    dropped = threading.Event()
    pair.seller.client.on("disconnect", lambda *_: dropped.set())
    pair.seller.client.emit("chat", {"text": "x" * 200_000})
    assert dropped.wait(10), "a 200 kB message was taken"
    # the partner plays on, and the same token comes back
    ok(pair.buyer.call("chat", {"text": "still here"}))
    again = players(module_server, pair.seller.token)
    st = again.wait(lambda s: len(neg(s)["chat"]) == 1)
    assert neg(st)["chat"][0]["text"] == "still here"
    assert neg(st)["role"] == "seller"


def test_the_health_check_answers(module_server):
    r = requests.get(module_server.url + "/healthz", timeout=10)
    assert r.status_code == 200 and r.json()["ok"] is True
