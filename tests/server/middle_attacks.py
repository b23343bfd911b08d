"""The hostile student's kit for tests/server/test_attacks_middle.py: seats, paced calls, the
catalogues of hostile payloads for the protocols with a middle seat, snapshots of every seat's
view and of the event log, and the privacy checks run over every state a client received.

The rate limit (20 events a second per connection and per participant, bursts of 40) is kept
on purpose: :class:`Pace` spends a participant's events at 16 a second after a burst of 30, so a
refusal is never an accidental ``rate_limited``; the flood test floods deliberately.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import websocket

from game.core import protocols
from tests.server.helpers import export, neg, pkg
from tests.support import Player, Server

# docs/protocols.md "Errors", PROTOCOL.md section 4, rate_limited, and the study events' codes
# (docs/protocol.md): every refusal a seat may get
DOCUMENTED = {
    "rate_limited", "bad_request", "not_negotiating", "not_your_seat", "not_your_turn",
    "offer_limit", "too_many_packages", "too_few_packages", "invalid_package", "not_equivalent",
    "unknown_offer", "already_answered", "unknown_issue", "invalid_mark", "chat_limit",
    "wrong_stage", "missing_answers",
}  # fmt: skip
STUDY = ("consent", "respond", "submit", "continue")
EVENTS = (*protocols.actions(), "suggest", *STUDY)  # every event the server listens to
GOOD = pkg(2, 1, 1, 1)
ALL_OK = {i: {"ok": True} for i in ("price", "delivery", "warranty", "training")}
ATTACK = "ATTACK-TEXT-REFUSED"  # the text of refused writes: it must reach nobody
HUGE = "x" * 30_000  # past every text limit, under the transport's 64 kB a message


def nest(depth: int) -> Any:
    x: Any = "deep"
    for _ in range(depth):
        x = [x]
    return x


@dataclass
class Seat:
    player: Player
    seat: str  # seller, buyer, mediator, facilitator
    nid: str
    home: bool  # in the negotiation whose ids the payloads name
    code: str  # its session

    @property
    def kind(self) -> str:
        return "party" if self.seat in ("seller", "buyer") else "middle"

    @property
    def pid(self) -> str:
        return self.player.state["participant"]["id"]

    def __repr__(self) -> str:
        return f"{self.seat}@{self.nid}{'*' if self.home else ''}"


def seat_all(players: list[Player], code: str) -> dict[str, dict[str, Player]]:
    """{negotiation id: {seat: player}} once every player negotiates."""
    out: dict[str, dict[str, Player]] = {}
    for p in players:
        n = neg(p.wait_phase("negotiating"))
        out.setdefault(n["id"], {})[n["role"]] = p
    return out


class Pace:
    """One participant's events kept under its rate limit on purpose (a burst of 30, then 16 a
    second): the limit is 20 a second with bursts of 40, per connection and per participant.

    Whatever the machine's speed: each call waits for its answer before the next is sent, so
    the server never takes a participant's events closer together than this pace sent them
    (bar the one in hand), and a slow machine only spaces them further apart."""

    def __init__(self) -> None:
        self.tokens, self.stamp = 30.0, time.monotonic()

    def spend(self) -> None:
        now = time.monotonic()
        self.tokens = min(30.0, self.tokens + (now - self.stamp) * 16)
        self.stamp = now
        if self.tokens < 1:
            time.sleep((1 - self.tokens) / 16)  # pacing under the limit, not synchronisation
            self.tokens, self.stamp = 1.0, time.monotonic()
        self.tokens -= 1


@dataclass(frozen=True)
class H:
    """A hostile call: ``code`` (and ``names``, a word its message must hold) is a str, or a
    dict by seat kind (``party``, ``middle``) or by ``home:<seat>``; ``away`` overrides it for
    seats of other negotiations; ``who`` restricts the senders (``party``, ``middle``,
    ``home``, ``home:<seat>``); ``transport``: refused before the hub, so not logged."""

    event: str
    payload: Any
    code: Any
    names: Any = None
    who: str | None = None
    away: Any = None
    transport: bool = False

    def sent_by(self, s: Seat) -> bool:
        if self.who is None:
            return True
        if self.who in ("party", "middle"):
            return s.kind == self.who
        if self.who == "home":
            return s.home
        return s.home and self.who == f"home:{s.seat}"

    def _pick(self, value: Any, s: Seat) -> Any:
        if isinstance(value, dict):
            return value.get(f"home:{s.seat}" if s.home else "", value.get(s.kind))
        return value

    def expect(self, s: Seat) -> tuple[Any, Any]:
        code = self.away if (self.away is not None and not s.home) else self.code
        return self._pick(code, s), self._pick(self.names, s)


@dataclass
class Attack:
    """Every hostile call made, with its answer."""

    calls: list[tuple[Seat, H, dict]] = field(default_factory=list)
    paces: dict[str, Pace] = field(default_factory=dict)

    def send(self, s: Seat, h: H) -> dict:
        self.paces.setdefault(s.pid, Pace()).spend()
        answer = s.player.call(h.event, h.payload)
        code, names = h.expect(s)
        where = f"{h.event} {json.dumps(h.payload)[:120]} from {s!r}: {answer}"
        assert answer.get("ok") is False and set(answer) == {"ok", "error"}, where
        assert set(answer["error"]) == {"code", "message"}, where
        got, message = answer["error"]["code"], answer["error"]["message"]
        assert got in DOCUMENTED, where
        assert isinstance(message, str) and message.strip() and message != "server error", where
        assert got in ((code,) if isinstance(code, str) else code), where
        if names:
            assert names.lower() in message.lower(), where
        self.calls.append((s, h, answer))
        return answer

    def barrage(self, *groups: tuple[list[Seat], list[H]]) -> int:
        """Every call of each group's catalogue from every seat of the group that may send it,
        the groups' calls interleaved (so each participant's pace stays low); how many."""
        queues = [[(s, h) for h in hs for s in seats if h.sent_by(s)] for seats, hs in groups]
        n = 0
        for row in itertools.zip_longest(*queues):
            for call in row:
                if call is not None:
                    self.send(*call)
                    n += 1
        return n

    def logged(self, code: str) -> Counter:
        """The ``refused`` events the session ``code``'s log should have gained."""
        return Counter(
            (s.pid, h.event, a["error"]["code"])
            for s, h, a in self.calls
            if s.code == code
            and not h.transport
            and not (
                h.event == "suggest" and a["error"]["code"] == "not_negotiating"
            )  # a suggest outside an open negotiation is answered before it is logged
        )


def junk(events: tuple[str, ...]) -> list[H]:
    """Payloads no event takes, for every event: wrong types, two arguments, surrogates."""
    out: list[H] = []
    for event in events:
        code = "wrong_stage" if event in STUDY else "bad_request"
        out += [H(event, "junk", code), H(event, [1, 2], code), H(event, 7, code)]
        out.append(H(event, {"x": "\ud800"}, "bad_request", "surrogate", transport=True))
        out.append(H(event, ({}, {}), "bad_request", "one payload", transport=True))
    return out


def study() -> list[H]:
    return [
        H("consent", {"agree": True}, "wrong_stage", "study"),
        H("respond", {"questionnaire": "q", "item": "i", "value": 1}, "wrong_stage", "study"),
        H("submit", {"questionnaire": "q", "page": 0}, "wrong_stage", "study"),
        H("continue", {}, "wrong_stage", "study"),
    ]


def texts(event: str = "chat", **extra: Any) -> list[H]:
    """Bad chat texts (any protocol)."""
    return [
        H(event, None, "bad_request"),  # offers: "the payload must be..."; others: "text..."
        H(event, {"text": 5, **extra}, "bad_request", "text"),
        H(event, {"text": "   ", **extra}, "bad_request", "text"),
        H(event, {"text": HUGE, **extra}, "bad_request", "1000"),
        H(event, {"text": nest(100), **extra}, "bad_request", "text must be a string"),
        H(event, {"text": "hi", "colour": "red", **extra}, "bad_request", "colour"),
        H(event, {"text": "hi \ud800", **extra}, "bad_request", "surrogate", transport=True),
    ]


def not_of(events: tuple[str, ...]) -> list[H]:
    """Events of other protocols, well formed for theirs."""
    payloads = {
        "accept": {"offer_id": "n_x-1", "package": 0},
        "decline": {"offer_id": "n_x-1"},
        "close_phase": {},
        "propose": {"packages": [GOOD]},
        "confide": {"issues": ["price"]},
        "answer": {"proposal_id": "n_x-m1", "accept": True},
        "draft": {"package": GOOD},
        "mark": {"draft_id": "n_x-d1", "marks": ALL_OK},
        "endorse": {"draft_id": "n_x-d1"},
    }
    return [
        H(e, payloads[e], "bad_request", f"unknown action {e!r}")
        for e in payloads
        if e not in events
    ]


def mediated(x: str, stale: str, other: str) -> list[H]:
    """``x``: the latest proposal (the home buyer accepted it), ``stale`` an earlier one the
    home seller rejected (it confided price), ``other`` the latest of another negotiation."""
    party_mid = {"party": "not_your_seat", "middle": "invalid_package"}
    stale_answer = {"party": "unknown_offer", "middle": "not_your_seat"}
    mine = {"party": "mediator", "middle": "to must name a party"}
    return [
        *texts(to="mediator"),
        H("chat", {"text": ATTACK, "to": "buyer"}, "not_your_seat", "mediator only", who="party"),
        H("chat", {"text": ATTACK, "to": "seller"}, "not_your_seat", "mediator only", who="party"),
        H(
            "chat",
            {"text": ATTACK, "to": "nobody"},
            {"party": "not_your_seat", "middle": "bad_request"},
            mine,
        ),  # fmt: skip
        H("chat", {"text": ATTACK, "to": "mediator"}, "bad_request", mine, who="middle"),
        H("chat", {"text": ATTACK}, "bad_request", "to must name a party", who="middle"),
        H("chat", {"text": ATTACK, "to": 7}, "bad_request", "to must be an id"),
        H("chat", {"text": ATTACK, "to": ["buyer"]}, "bad_request", "to must be an id"),
        H("chat", {"text": ATTACK, "to": "b" * 5000}, "bad_request", "to must be an id"),
        H("confide", None, "bad_request", "issues"),
        H("confide", {"issues": []}, "bad_request", "issues"),
        H("confide", {"issues": "price"}, "bad_request", "issues"),
        H("confide", {"issues": ["x"] * 101}, "bad_request", "issues"),
        H("confide", {"issues": [None]}, "bad_request", "issues[0]"),
        H("confide", {"issues": [nest(50)]}, "bad_request", "issues[0]"),
        H("confide", {"issues": ["price"], "role": "buyer"}, "bad_request", "role"),
        H("confide", {"issues": ["price"], "points": {"price0": 1}}, "bad_request", "points"),
        H(
            "confide",
            {"issues": ["colour"]},
            {"party": "unknown_issue", "middle": "not_your_seat"},
            {"party": "colour"},
        ),  # fmt: skip
        H("confide", {"issues": ["price"]}, "bad_request", "already confided", who="home:seller"),
        H("confide", {"issues": ["price"]}, "not_your_seat", "mediator", who="middle"),
        H("propose", {"package": GOOD}, "not_your_seat", "party", who="party"),
        H("propose", {"packages": [GOOD]}, "bad_request", "packages"),
        H("propose", {"package": "price1"}, "bad_request", "package"),
        H("propose", {"package": {**GOOD, "price": 1}}, "bad_request", "package"),
        H("propose", {"package": {**GOOD, "price": "price9"}}, party_mid, {"middle": "price9"}),
        H("propose", {"package": {**GOOD, "colour": "red"}}, party_mid, {"middle": "colour"}),
        H("propose", {"package": {"price": "price0"}}, party_mid),
        H("propose", {"package": GOOD, "note": "n" * 501}, "bad_request", "note"),
        H("propose", {"package": GOOD, "to": "seller"}, "bad_request", "'to'"),
        H("answer", {"proposal_id": stale, "accept": True}, stale_answer, {"party": "latest"}),
        H(
            "answer",
            {"proposal_id": other, "accept": True},
            stale_answer,
            {"party": "latest"},
            who="home",
        ),  # fmt: skip
        H("answer", {"proposal_id": x, "accept": "yes"}, "bad_request", "accept"),
        H("answer", {"proposal_id": x}, "bad_request", "accept"),
        H("answer", {"proposal_id": 5, "accept": False}, "bad_request", "proposal_id"),
        H(
            "answer",
            {"proposal_id": x, "accept": False, "reason": "r" * 501},
            "bad_request",
            "reason",
        ),  # fmt: skip
        H("answer", {"proposal_id": x, "accept": False, "role": "buyer"}, "bad_request", "role"),
        H(
            "answer",
            {"proposal_id": x, "accept": False},
            "already_answered",
            "answered",
            who="home:buyer",
        ),  # fmt: skip
        H("answer", {"proposal_id": x, "accept": True}, "not_your_seat", "mediator", who="middle"),
        H("walk_away", {"role": "buyer"}, "bad_request", "role"),
        H("walk_away", {}, "not_your_seat", "mediator", who="middle"),
        *not_of(protocols.get("mediated").ACTIONS),
        H("suggest", {"packages": [GOOD]}, "bad_request", "suggestions"),
        *junk(EVENTS),
        *study(),
    ]


def single_text(x: str, stale: str, other: str) -> list[H]:
    """``x``: the latest draft (the home buyer endorsed it), ``stale`` the one before it (both
    home parties marked it), ``other`` the latest of another negotiation."""
    stale_mark = {"party": "unknown_offer", "middle": "not_your_seat"}
    on_x = {"party": None, "home:buyer": "already_answered", "middle": "not_your_seat"}
    away = {"party": "unknown_offer", "middle": "not_your_seat"}

    def mark(marks: Any, code: str, names: str | None = None, **extra: Any) -> H:
        return H("mark", {"draft_id": x, "marks": marks, **extra}, code, names)

    def checked(marks: dict, code: str) -> H:  # a mark that passes the payload checks
        return H("mark", {"draft_id": x, "marks": marks}, {**on_x, "party": code}, away=away)

    return [
        *texts(),
        H("chat", {"text": ATTACK, "to": "buyer"}, "bad_request", "'to'"),
        H("chat", {"text": ATTACK, "to": "facilitator"}, "bad_request", "'to'"),
        H("draft", {"package": GOOD}, "not_your_seat", "party", who="party"),
        H(
            "draft",
            {"package": {**GOOD, "price": "price9"}},
            {"party": "not_your_seat", "middle": "invalid_package"},
            {"middle": "price9"},
        ),  # fmt: skip
        H("draft", {"package": GOOD, "note": "n" * 501}, "bad_request", "note"),
        H("draft", {"packages": [GOOD]}, "bad_request", "packages"),
        H("draft", {"package": nest(60)}, "bad_request", "package"),
        H("mark", {"draft_id": stale, "marks": ALL_OK}, stale_mark, {"party": "latest"}),
        H(
            "mark",
            {"draft_id": other, "marks": ALL_OK},
            stale_mark,
            {"party": "latest"},
            who="home",
        ),
        checked({**ALL_OK, "colour": {"ok": True}}, "unknown_issue"),
        checked({"price": {"ok": True}}, "invalid_mark"),
        checked({**ALL_OK, "price": {"ok": False, "option": "price9"}}, "invalid_mark"),
        checked({**ALL_OK, "price": {"ok": False, "option": "price2"}}, "invalid_mark"),
        mark({**ALL_OK, "price": {"ok": "yes"}}, "bad_request", "marks.price.ok"),
        mark([], "bad_request", "marks"),
        mark({}, "bad_request", "marks"),
        mark({f"i{n}": {"ok": True} for n in range(101)}, "bad_request", "marks"),
        mark(
            {**ALL_OK, "price": {"ok": False, "option": "price1", "comment": "c" * 301}},
            "bad_request",
            "comment",
        ),  # fmt: skip
        mark({**ALL_OK, "price": {"ok": True, "option": "price1"}}, "bad_request", "no option"),
        mark({**ALL_OK, "price": {"ok": False}}, "bad_request", "option"),
        mark(
            {**ALL_OK, "price": {"ok": False, "option": "price1", "role": "buyer"}},
            "bad_request",
            "marks.price",
        ),  # fmt: skip
        mark(ALL_OK, "bad_request", "role", role="buyer"),
        H("mark", {"marks": ALL_OK}, "bad_request", "draft_id"),
        H("endorse", {"draft_id": stale}, stale_mark, {"party": "latest"}),
        H("endorse", {"draft_id": other}, stale_mark, {"party": "latest"}, who="home"),
        H("endorse", {"draft_id": x}, "already_answered", "endorsed", who="home:buyer"),
        H("endorse", {"draft_id": x}, "not_your_seat", "facilitator", who="middle"),
        H("endorse", {}, "bad_request", "draft_id"),
        H("endorse", {"draft_id": x, "by": "seller"}, "bad_request", "by"),
        H("walk_away", {"role": "buyer"}, "bad_request", "role"),
        H("walk_away", {}, "not_your_seat", "facilitator", who="middle"),
        *not_of(protocols.get("single_text").ACTIONS),
        H("suggest", {"packages": [GOOD]}, "bad_request", "suggestions"),
        *junk(EVENTS),
        *study(),
    ]


class Raw:
    """A Socket.IO client written by hand on a WebSocket, for frames python-socketio will not
    encode (nested deeper than its encoder goes, bigger than the transport takes)."""

    def __init__(self, server: Server, token: str):
        url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=10)
        assert self.ws.recv().startswith("0{")  # Engine.IO's open packet
        self.ws.send("40" + json.dumps({"token": token}))
        while not self.ws.recv().startswith("40"):  # states may come first
            pass
        self.n = 0
        self.acks: dict[int, dict] = {}

    def emit(self, event: str, payload_json: str) -> int:
        self.n += 1
        self.ws.send(f'42{self.n}["{event}",{payload_json}]')
        return self.n

    def send(self, event: str, payload_json: str) -> None:
        """An event that asks for no answer (no id)."""
        self.ws.send(f'42["{event}",{payload_json}]')

    def answer(self, n: int, timeout: float) -> dict | None:
        """The answer to call ``n``, or None if none comes within ``timeout`` seconds (every
        answer read meanwhile is kept in ``acks``)."""
        self.ws.settimeout(timeout)
        try:
            while n not in self.acks:
                m = self.ws.recv()
                if m == "2":
                    self.ws.send("3")  # Engine.IO's ping and pong
                elif m.startswith("43"):
                    head, _, body = m.partition("[")
                    self.acks[int(head[2:])] = json.loads("[" + body)[0]
        except websocket.WebSocketTimeoutException:
            return None
        return self.acks[n]

    def closed(self, within: float = 10) -> bool:
        """Whether the server closes the connection within ``within`` seconds."""
        self.ws.settimeout(within)
        try:
            while self.ws.recv() not in ("", "1"):  # "1": Engine.IO's close packet
                pass
        except websocket.WebSocketTimeoutException:
            return False
        except (websocket.WebSocketException, OSError):
            pass
        return True

    def call(self, event: str, payload_json: str, timeout: float = 10) -> dict | None:
        return self.answer(self.emit(event, payload_json), timeout)


# ---------------------------------------------------------------- snapshots


def comparable(state: dict) -> dict:
    """A state without what changes with no change of play: the clock, and the server's
    version (which counts connections, the probe's own included)."""
    return {k: v for k, v in state.items() if k not in ("server_time", "version")}


def probe(server: Server, token: str) -> dict:
    """The state a fresh connection with ``token`` is sent first."""
    p = Player(server, token)
    try:
        return p.wait(lambda st: True)
    finally:
        p.close()


def snapshot(server: Server, seats: list[Seat]) -> dict[str, dict]:
    out = {}
    for s in seats:
        before = len(s.player.states)
        out[repr(s)] = comparable(probe(server, s.player.token))
        with s.player.cv:  # the live connection was sent the probe's state too: take it now
            got = s.player.cv.wait_for(lambda p=s.player, n=before: len(p.states) > n, 10)
        assert got, f"{s!r}: no state after the probe's connection"
    return out


def events(server: Server, code: str) -> dict[str, dict]:
    return {e["event_id"]: e for e in export(server, code, "events")}


def gained_only_refusals(before: dict, after: dict, expected: Counter) -> None:
    new = [after[k] for k in after if k not in before]
    assert all(before[k] == after[k] for k in before)
    assert {e["type"] for e in new} <= {"refused"}, [e for e in new if e["type"] != "refused"]
    got = Counter(
        (e["participant_id"], json.loads(e["payload"])["action"], json.loads(e["payload"])["code"])
        for e in new
    )
    assert got == expected
