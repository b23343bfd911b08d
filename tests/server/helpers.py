"""Shared helpers of the server tests: packages of the test scenario, pairing, async floods.

The scenario is ``tests.support.scenario_dict()`` ("test-supply"): role 0 ``seller`` (first
mover, BATNA 300), role 1 ``buyer`` (BATNA 250), four issues, ``meso_tolerance`` 50.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from game.server.transport import BURST, RATE
from tests.support import Player, Server, scenario_dict

SCENARIO = scenario_dict()
SCENARIO_ID = SCENARIO["id"]
ROLES = [r["id"] for r in SCENARIO["roles"]]  # ["seller", "buyer"]
BATNAS = {r["id"]: r["batna"] for r in SCENARIO["roles"]}

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")


def pkg(price: int, delivery: int, warranty: int, training: int) -> dict[str, str]:
    """A package of the test scenario by option numbers."""
    return {
        "price": f"price{price}",
        "delivery": f"delivery{delivery}",
        "warranty": f"warranty{warranty}",
        "training": f"training{training}",
    }


def points(package: dict[str, str], scenario: dict = SCENARIO) -> dict[str, float]:
    """Both roles' points of a package, computed here from the scenario dict."""
    out = {r["id"]: 0 for r in scenario["roles"]}
    for issue in scenario["issues"]:
        option = next(o for o in issue["options"] if o["id"] == package[issue["id"]])
        for role, value in option["points"].items():
            out[role] += value
    return out


def all_packages(scenario: dict = SCENARIO) -> list[dict[str, str]]:
    ids = [i["id"] for i in scenario["issues"]]
    options = [[o["id"] for o in i["options"]] for i in scenario["issues"]]
    return [dict(zip(ids, combo, strict=True)) for combo in itertools.product(*options)]


# Three packages worth 500, 500 and 550 to the seller (equivalent within 50), distinct for the
# buyer (1000, 900, 1100).
MESO = [pkg(1, 0, 0, 0), pkg(0, 2, 0, 0), pkg(1, 1, 1, 0)]
# Worth 900 + 300 + 200 = 1400 to the seller: far from the MESO packages.
GREEDY = pkg(3, 2, 0, 0)
# The buyer's counter (built on MESO[2], training added): seller 650, buyer 1200.
COUNTER = pkg(1, 1, 1, 1)


@dataclass
class Pair:
    code: str
    seller: Player
    buyer: Player

    def by_role(self, role: str) -> Player:
        return self.seller if role == "seller" else self.buyer

    @property
    def both(self) -> tuple[Player, Player]:
        return self.seller, self.buyer


def neg(state: dict) -> dict:
    return state.get("negotiation") or {}


def offers(state: dict) -> list[dict]:
    return neg(state).get("offers") or []


def pair_in(server: Server, players, code: str, names=("Ann", "Bob")) -> Pair:
    """Join two participants to ``code`` (an arrival session), connect, wait until paired."""
    a = players(server, server.join(code, names[0])["token"])
    a.wait(lambda s: s.get("phase") == "lobby")
    b = players(server, server.join(code, names[1])["token"])
    sa = a.wait_phase("negotiating")
    sb = b.wait_phase("negotiating")
    assert neg(sa)["id"] == neg(sb)["id"]
    if neg(sa)["role"] == "seller":
        return Pair(code, a, b)
    return Pair(code, b, a)


def new_pair(server: Server, players, **session: Any) -> Pair:
    """A new arrival session on the test scenario with one negotiation started in it."""
    session.setdefault("scenario", SCENARIO_ID)
    code = server.create_session(**session)
    return pair_in(server, players, code)


def ok(answer: dict) -> dict:
    assert answer.get("ok") is True, answer
    return answer


def code_of(answer: dict) -> str:
    assert answer.get("ok") is False, answer
    return answer["error"]["code"]


def most_served(elapsed: float) -> float:
    """The most events one participant's bucket serves in ``elapsed`` seconds (a burst, then a
    rate: game.server.transport). Given the client's measured time around a flood (the server
    took the flood in a span no longer than that), it bounds what was served whatever the
    machine's speed: slower means more time, so more tokens."""
    return BURST + RATE * elapsed + 1


def emit_many(player: Player, event: str, payloads: list, timeout: float = 20) -> list[dict]:
    """Send every payload at once (no waiting between them); the answers in sending order."""
    answers: list[dict | None] = [None] * len(payloads)
    done = threading.Condition()
    left = [len(payloads)]

    def callback_for(n: int):
        def cb(answer=None, *_):
            with done:
                answers[n] = answer
                left[0] -= 1
                done.notify_all()

        return cb

    for n, data in enumerate(payloads):
        player.client.emit(event, data, callback=callback_for(n))
    end = time.monotonic() + timeout
    with done:
        while left[0]:
            remaining = end - time.monotonic()
            assert remaining > 0, f"{left[0]} of {len(payloads)} answers missing"
            done.wait(remaining)
    return answers  # type: ignore[return-value]


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def export(server: Server, code: str, table: str) -> list[dict[str, str]]:
    r = server.api("GET", f"/api/sessions/{code}/export/{table}.csv")
    assert r.status_code == 200, r.text
    return read_csv(r.text)


def session_until(server: Server, code: str, pred, timeout: float = 20) -> dict:
    """GET the session view until ``pred(view)`` holds (for what no state reports, such as
    another participant's disconnect); the view. ``timeout`` is a liveness bound."""
    end = time.monotonic() + timeout
    while True:
        view = server.api("GET", f"/api/sessions/{code}").json()
        if pred(view):
            return view
        assert time.monotonic() < end, f"the session never got there: {view}"
