"""The hub: the one writer of sessions, participants and negotiations, in memory and in the store.

It joins the pure core (protocols, lobby, views) to the store, and knows nothing of Flask or
Socket.IO: every change returns the participants whose view changed, and the shell
(game.server.realtime, game.server.web) sends the new views. Every change is committed to the
store before the method returns, so nothing is acknowledged or sent before it is durable.

A negotiation is played through its session's protocol (``game.core.protocols``); requests are
checked by ``game.core.requests``, views built by ``game.core.views`` and the instructor's reads
by ``game.server.reads``. Other modules reach sessions and members only through the public
methods below (``session``, ``members``, ``participant``, ...), never the private indexes.

One lock serialises all changes. Under eventlet that is a green lock; the critical sections
do no network I/O, only SQLite commits.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from game.core import analysis as analysis_mod
from game.core import lobby, protocols, requests, views
from game.core.protocols.common import RuleError
from game.core.scenario import Scenario, ScenarioError, load_dir, parse
from game.server.legacy import LegacyAccess
from game.server.store import Store, iso

PAIRINGS = requests.PAIRINGS
NAME_MAX = requests.NAME_MAX
LABEL_MAX = requests.LABEL_MAX


class ApiError(Exception):
    """An error of the HTTP API: a status and a list of ``PLACE: problem`` strings."""

    def __init__(self, status: int, errors: list[str] | str):
        self.status = status
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))


@dataclass
class Session:
    code: str
    scenario: Scenario
    conditions: list[str]
    time_limit_s: float | None
    max_offers: int
    pairing: str
    seed: int
    round: int  # the last round started: the largest in the session's events
    created_at: str
    demo: bool = False
    protocol: str = protocols.DEFAULT
    negotiation_count: int = 0
    waiting: list[str] = field(default_factory=list)  # arrival queue, in order
    rng: random.Random = field(default_factory=random.Random)

    @property
    def rules(self) -> ModuleType:
        """The session's protocol module (game.core.protocols)."""
        return protocols.get(self.protocol)


@dataclass
class Participant:
    id: str
    code: str
    name: str
    label: str
    token: str
    joined_at: str
    seq: int
    negotiations: list[str] = field(default_factory=list)
    sids: set[str] = field(default_factory=set)
    waiting_since: float | None = None
    last_sat_out: int = -1

    @property
    def connected(self) -> bool:
        return bool(self.sids)


@dataclass
class Negotiation:
    id: str
    code: str
    round: int
    participants: tuple[str, str]  # by role index
    condition_index: int
    state: Any  # the session's protocol's State


class Hub(LegacyAccess):
    def __init__(
        self,
        store: Store,
        scenarios_dir: str | Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ):
        self._store = store
        self.clock = clock
        self._lock = threading.RLock()
        # grows with every change; seeded from the clock so it keeps growing across restarts
        self.version = int(clock() * 1000)
        self._scenarios: dict[str, Scenario] = {}
        self._scenario_source: dict[str, str] = {}
        self._analysis: dict[tuple[str, int], dict] = {}
        self._sessions: dict[str, Session] = {}
        self._participants: dict[str, Participant] = {}
        self._by_token: dict[str, str] = {}
        self._negotiations: dict[str, Negotiation] = {}
        self._sid_owner: dict[str, str] = {}
        self.encoder = views.ViewEncoder()
        if scenarios_dir is not None:
            for sc in load_dir(scenarios_dir):
                self._scenarios[sc.id] = sc
                self._scenario_source[sc.id] = "file"
        for data in store.scenarios():
            sc = parse(data)
            self._scenarios[sc.id] = sc
            self._scenario_source[sc.id] = "upload"
        self._recover()

    # ------------------------------------------------------------ recovery
    def _recover(self) -> None:
        """Rebuild everything from the store; the state of each negotiation is its events' fold."""
        for row in self._store.sessions():
            s = Session(
                code=row["code"],
                scenario=parse(json.loads(row["scenario_json"])),
                conditions=json.loads(row["conditions"]),
                time_limit_s=row["time_limit_s"],
                max_offers=row["max_offers"],
                pairing=row["pairing"],
                seed=row["seed"],
                round=0,
                created_at=row["created_at"],
                demo=bool(row["demo"]),
                protocol=row.get("protocol") or protocols.DEFAULT,
            )
            s.rng = random.Random(f"{s.seed}:roles")
            self._sessions[s.code] = s
        for row in self._store.participants():
            p = Participant(
                id=row["participant_id"],
                code=row["session_code"],
                name=row["name"],
                label=row["label"] or "",
                token=row["token"],
                joined_at=row["joined_at"],
                seq=row["seq"],
            )
            self._participants[p.id] = p
            self._by_token[p.token] = p.id
        events = self._store.all_negotiation_events()
        for row in self._store.negotiations():
            s = self._sessions[row["session_code"]]
            state = s.rules.replay(
                s.rules.new_state(
                    row["negotiation_id"],
                    s.scenario,
                    row["condition"],
                    started_at=row["started"],
                    max_offers=row["max_offers"],
                    deadline=row["deadline"],
                ),
                events.get(row["negotiation_id"], []),
            )
            n = Negotiation(
                id=row["negotiation_id"],
                code=s.code,
                round=row["round"] or 0,
                participants=(row["participant_0"], row["participant_1"]),
                condition_index=row["condition_index"],
                state=state,
            )
            self._negotiations[n.id] = n
            s.negotiation_count = max(s.negotiation_count, n.condition_index + 1)
            s.round = max(s.round, n.round)
            for pid in n.participants:
                self._participants[pid].negotiations.append(n.id)
        for e in self._store.session_events(("round_started", "sat_out")):
            s = self._sessions.get(e["session_code"])
            if s is not None:
                s.round = max(s.round, e.get("round", 0))
            p = self._participants.get(e["participant_id"] or "")
            if e["type"] == "sat_out" and p:
                p.last_sat_out = e.get("round", -1)
        # a deadline that passed while the server was down ends its negotiation now
        self.tick()

    # ------------------------------------------------------------ reads
    def session(self, code: str) -> Session:
        s = self._sessions.get(lobby.normalize_code(code or ""))
        if s is None:
            raise ApiError(404, f"code: no session with code {code!r}")
        return s

    def list_sessions(self) -> list[Session]:
        """Every session, the newest first."""
        with self._lock:
            return sorted(self._sessions.values(), key=lambda s: s.created_at, reverse=True)

    def members(self, code: str) -> tuple[list[Participant], list[Negotiation]]:
        """A session's participants (in order of joining) and negotiations (in order of start),
        a snapshot taken under the lock. ApiError 404 for an unknown code."""
        s = self.session(code)
        with self._lock:
            parts = sorted(
                (p for p in self._participants.values() if p.code == s.code), key=lambda p: p.seq
            )
            negs = [n for n in self._negotiations.values() if n.code == s.code]
            return parts, negs

    def participant(self, pid: str) -> Participant | None:
        return self._participants.get(pid)

    def negotiation(self, nid: str) -> Negotiation | None:
        return self._negotiations.get(nid)

    def ready_count(self, code: str) -> int:
        """How many of the session's participants are connected and not negotiating."""
        s = self.session(code)
        with self._lock:
            return sum(
                1
                for p in self._participants.values()
                if p.code == s.code and p.connected and not self.is_negotiating(p)
            )

    def scenario(self, sid: str) -> Scenario | None:
        return self._scenarios.get(sid) if isinstance(sid, str) else None

    def list_scenarios(self) -> list[Scenario]:
        """Every scenario (files and uploads), by id."""
        return sorted(self._scenarios.values(), key=lambda s: s.id)

    def source_of(self, sid: str) -> str:
        """Where a scenario came from: ``file`` or ``upload``."""
        return self._scenario_source.get(sid, "file")

    def owner(self, sid: str) -> str | None:
        """The participant id of a Socket.IO connection, if it has one."""
        return self._sid_owner.get(sid)

    def participant_for_token(self, token: Any) -> Participant | None:
        if not isinstance(token, str):
            return None
        pid = self._by_token.get(token)
        return self._participants.get(pid) if pid else None

    def current(self, p: Participant) -> Negotiation | None:
        return self._negotiations[p.negotiations[-1]] if p.negotiations else None

    def is_negotiating(self, p: Participant) -> bool:
        n = self.current(p)
        return n is not None and n.state.is_open

    # ------------------------------------------------------------ scenarios
    def add_scenario(self, data: Any) -> str:
        with self._lock:
            try:
                sc = parse(data)
            except ScenarioError as e:
                raise ApiError(400, e.errors) from e
            if sc.id in self._scenarios:
                raise ApiError(409, f"id: a scenario with id {sc.id!r} exists already")
            self._store.add_scenario(sc.id, sc.to_dict())
            self._scenarios[sc.id] = sc
            self._scenario_source[sc.id] = "upload"
            return sc.id

    def analysis(self, sc: Scenario) -> dict:
        """The scenario's analysis (frontier, max joint, Nash, ...), computed once per scenario."""
        key = (sc.id, hash(sc))
        a = self._analysis.get(key)
        if a is None:
            a = analysis_mod.analyze(sc)
            a["cloud"] = analysis_mod.outcome_cloud(sc)
            self._analysis[key] = a
        return a

    # ------------------------------------------------------------ sessions and participants
    def create_session(self, body: Any, *, demo: bool = False) -> str:
        try:
            st = requests.parse_session(body, self._scenarios)
        except requests.RequestError as e:
            raise ApiError(400, e.errors) from e
        with self._lock:
            code = lobby.make_code()
            while code in self._sessions:
                code = lobby.make_code()
            seed = secrets.randbits(32)
            s = Session(
                code=code,
                scenario=st.scenario,
                conditions=st.conditions,
                time_limit_s=st.time_limit_s,
                max_offers=st.max_offers,
                pairing=st.pairing,
                seed=seed,
                round=0,
                created_at=iso(self.clock()),
                demo=demo,
                protocol=st.protocol,
            )
            s.rng = random.Random(f"{seed}:roles")
            self._store.add_session(
                {
                    "code": code,
                    "scenario_id": s.scenario.id,
                    "scenario_json": json.dumps(s.scenario.to_dict(), separators=(",", ":")),
                    "conditions": json.dumps(s.conditions),
                    "time_limit_s": s.time_limit_s,
                    "max_offers": s.max_offers,
                    "pairing": s.pairing,
                    "seed": seed,
                    "round": 0,  # unused: the round is read from the events
                    "demo": int(demo),
                    "created_at": s.created_at,
                    "protocol": s.protocol,
                }
            )
            self._sessions[code] = s
            self.version += 1
        self.analysis(s.scenario)  # computed now, not when the first negotiation ends mid-class
        return code

    def join(self, code: str, body: Any) -> tuple[str, str]:
        s = self.session(code)
        try:
            name, label = requests.parse_join(body)
        except requests.RequestError as e:
            raise ApiError(400, e.errors) from e
        with self._lock:
            pid = "p_" + secrets.token_hex(6)
            token = lobby.make_token()
            now = self.clock()
            p = Participant(pid, s.code, name, label, token, iso(now), len(self._participants) + 1)
            row = {
                "participant_id": pid,
                "session_code": s.code,
                "name": name,
                "label": label,
                "token": token,
                "joined_at": p.joined_at,
                "seq": p.seq,
            }
            self._store.add_participant(row, at=now)
            self._participants[pid] = p
            self._by_token[token] = pid
            self.version += 1
            return token, pid

    def connect(self, token: Any, sid: str) -> tuple[Participant | None, set[str]]:
        """A connection with a join token; (participant or None if refused, who to update)."""
        with self._lock:
            p = self.participant_for_token(token)
            if p is None:
                return None, set()
            was_connected = p.connected
            p.sids.add(sid)
            self._sid_owner[sid] = p.id
            touched = {p.id}
            if not was_connected:
                touched |= self._partner_of(p)
                s = self._sessions[p.code]
                if s.pairing == "arrival" and not p.negotiations and p.id not in s.waiting:
                    s.waiting.append(p.id)
                    p.waiting_since = self.clock()
                    touched |= self._pair_arrivals(s)
                elif s.pairing == "rounds" and not self.is_negotiating(p):
                    p.waiting_since = p.waiting_since or self.clock()
            self.version += 1
            return p, touched

    def disconnect(self, sid: str) -> set[str]:
        with self._lock:
            pid = self._sid_owner.pop(sid, None)
            p = self._participants.get(pid) if pid else None
            if p is None:
                return set()
            p.sids.discard(sid)
            touched: set[str] = set()
            if not p.connected:
                s = self._sessions[p.code]
                if p.id in s.waiting:
                    s.waiting.remove(p.id)
                    p.waiting_since = None
                touched |= self._partner_of(p)
            self.version += 1
            return touched

    def _partner_of(self, p: Participant) -> set[str]:
        n = self.current(p)
        return set() if n is None else {x for x in n.participants if x != p.id}

    # ------------------------------------------------------------ pairing
    def _new(self, s: Session, p0: str, p1: str, round_no: int, index: int):
        """A negotiation about to start: (it, its row, its ``paired`` event); changes nothing."""
        now = self.clock()
        nid = "n_" + secrets.token_hex(6)
        condition = lobby.condition_for(s.conditions, s.seed, index)
        state = s.rules.new_state(
            nid,
            s.scenario,
            condition,
            started_at=now,
            max_offers=s.max_offers,
            time_limit_s=s.time_limit_s,
        )
        r0, r1 = s.scenario.role_ids
        row = {
            "negotiation_id": nid,
            "session_code": s.code,
            "scenario_id": s.scenario.id,
            "condition": condition,
            "condition_index": index,
            "round": round_no,
            "role_0": r0,
            "role_1": r1,
            "participant_0": p0,
            "participant_1": p1,
            "max_offers": s.max_offers,
            "time_limit_s": s.time_limit_s,
            "deadline": state.deadline,
            "started": now,
            "started_at": iso(now),
            "status": "open",
            "end_reason": None,
            "ended_at": None,
        }
        paired = {
            "session_code": s.code,
            "negotiation_id": nid,
            "participant_id": None,
            "type": "paired",
            "payload": {
                "participants": [p0, p1],
                "roles": [r0, r1],
                "condition": condition,
                "condition_index": index,
                "seed": s.seed,
                "round": round_no,
                "deadline": state.deadline,
                "deadline_at": iso(state.deadline),
            },
            "at": now,
        }
        return Negotiation(nid, s.code, round_no, (p0, p1), index, state), row, paired

    def _install(self, s: Session, n: Negotiation) -> None:
        """Put a negotiation whose start is committed into memory."""
        s.negotiation_count = max(s.negotiation_count, n.condition_index + 1)
        self._negotiations[n.id] = n
        for pid in n.participants:
            part = self._participants[pid]
            part.negotiations.append(n.id)
            part.waiting_since = None

    def _pair_arrivals(self, s: Session) -> set[str]:
        touched: set[str] = set()
        while len(s.waiting) >= 2:
            a, b = s.waiting[0], s.waiting[1]
            p0, p1 = lobby.arrival_roles(a, b, s.rng)
            n, row, paired = self._new(s, p0, p1, 0, s.negotiation_count)
            self._store.add_negotiation(row, [paired])
            del s.waiting[:2]
            self._install(s, n)
            touched |= {a, b}
        return touched

    def pair_waiting(self, code: str) -> tuple[int, set[str]]:
        """Instructor: pair whoever is waiting (arrival), or start a round (rounds)."""
        s = self.session(code)
        if s.pairing == "rounds":
            _, count, touched = self.start_round(code)
            return count, touched
        with self._lock:
            before = s.negotiation_count
            touched = self._pair_arrivals(s)
            return s.negotiation_count - before, touched

    def start_round(self, code: str) -> tuple[int, int, set[str]]:
        """Pair everyone connected and not negotiating for the next round: the round, its
        pairings and who sits out are committed in one transaction, then put in memory."""
        s = self.session(code)
        if s.pairing != "rounds":
            raise ApiError(
                400, "pairing: rounds can only be started in a session with pairing 'rounds'"
            )
        with self._lock:
            parts, negs = self.members(s.code)
            ready = [p.id for p in parts if p.connected and not self.is_negotiating(p)]
            if len(ready) < 2:
                # nobody to pair: the contract's answer (no negotiation started), nothing changed
                return s.round, 0, set()
            history = [lobby.Past(*n.participants) for n in negs]
            sat = {p.id: p.last_sat_out for p in parts if p.id in ready and p.last_sat_out >= 0}
            round_no = s.round + 1
            plan = lobby.plan_round(
                ready, history, sat, random.Random(f"{s.seed}:round:{round_no}")
            )
            made = [
                self._new(s, p0, p1, round_no, s.negotiation_count + k)
                for k, (p0, p1) in enumerate(plan.pairs)
            ]
            now = self.clock()
            with self._store.transaction():
                self._store.log(
                    s.code, None, "round_started", {"round": round_no, "ready": ready}, now
                )
                for _, row, paired in made:
                    self._store.add_negotiation(row, [paired])
                if plan.sitting_out:
                    self._store.log(s.code, plan.sitting_out, "sat_out", {"round": round_no}, now)
            # committed: now memory
            s.round = round_no
            for n, _, _ in made:
                self._install(s, n)
            touched = {pid for n, _, _ in made for pid in n.participants}
            if plan.sitting_out:
                self._participants[plan.sitting_out].last_sat_out = round_no
                touched.add(plan.sitting_out)
            self.version += 1
            return s.round, len(plan.pairs), touched

    # ------------------------------------------------------------ play
    def _commit(self, n: Negotiation, pid: str | None, events: list[dict]) -> None:
        """Persist events (committed first), then fold them into the state in memory."""
        state = self._sessions[n.code].rules.replay(n.state, events)
        summary = None
        if not state.is_open:
            summary = {
                "status": state.status,
                "end_reason": state.outcome.reason,
                "ended_at": iso(state.ended_at),
            }
        self._store.append(n.code, n.id, pid, events, summary=summary)
        n.state = state
        self.version += 1
        if not state.is_open:
            self.encoder.forget(n.id)

    def _mine(self, sid: str) -> tuple[Participant | None, Negotiation | None, str | None]:
        """The participant of a connection, their current negotiation and their role in it."""
        pid = self._sid_owner.get(sid)
        p = self._participants.get(pid) if pid else None
        n = self.current(p) if p else None
        if n is None:
            return p, None, None
        return p, n, n.state.scenario.role_ids[n.participants.index(p.id)]

    def act(self, sid: str, kind: str, payload: Any) -> tuple[dict, set[str]]:
        """A participant's action; (the acknowledgement, who to update)."""
        with self._lock:
            p, n, role = self._mine(sid)
            try:
                rules = self._sessions[p.code].rules if p else protocols.get()
                action = rules.parse_action(kind, payload)
                if p is None:
                    raise RuleError("not_negotiating", "this connection has no participant")
                if n is None:
                    raise RuleError("not_negotiating", "you are not in a negotiation yet")
                now = self.clock()
                touched: set[str] = set()
                due = rules.due(n.state, now)
                if due:
                    self._commit(n, None, due)
                    touched |= set(n.participants)
                try:
                    events = rules.apply(n.state, role, action, now)
                except RuleError as e:
                    return e.as_answer(), touched
                self._commit(n, p.id, events)
                touched |= set(n.participants)
                answer: dict[str, Any] = {"ok": True}
                if events[0]["type"] == "proposed":
                    answer["offer_id"] = events[0]["offer_id"]
                return answer, touched
            except RuleError as e:
                return e.as_answer(), set()

    def suggest(self, sid: str, payload: Any) -> dict:
        """Packages equivalent (to the asker) to the packages given, for the MESO builder."""
        with self._lock:
            p, n, role = self._mine(sid)
            if n is None or not n.state.is_open:
                return RuleError(
                    "not_negotiating", "you are not in an open negotiation"
                ).as_answer()
            state, rules = n.state, self._sessions[n.code].rules
        return rules.suggest(state, role, payload)

    def end_negotiation(self, nid: str) -> set[str]:
        with self._lock:
            n = self._negotiations.get(nid)
            if n is None:
                raise ApiError(404, f"negotiation: no negotiation {nid!r}")
            try:
                events = self._sessions[n.code].rules.end_by_instructor(n.state, self.clock())
            except RuleError as e:
                raise ApiError(409, f"negotiation: {e.message}") from e
            self._commit(n, None, events)
            return set(n.participants)

    def tick(self) -> set[str]:
        """End every negotiation whose deadline has passed; who to update."""
        touched: set[str] = set()
        now = self.clock()
        with self._lock:
            for n in self._negotiations.values():
                if n.state.is_open and n.state.deadline is not None and now >= n.state.deadline:
                    self._commit(n, None, self._sessions[n.code].rules.due(n.state, now))
                    touched |= set(n.participants)
        return touched

    def next_deadline(self) -> float | None:
        ds = [
            n.state.deadline
            for n in self._negotiations.values()
            if n.state.is_open and n.state.deadline is not None
        ]
        return min(ds) if ds else None

    # ------------------------------------------------------------ views
    def view(self, pid: str) -> dict:
        """A participant's ``state`` (game.core.views.student_view)."""
        with self._lock:
            p = self._participants[pid]
            s = self._sessions[p.code]
            n = self.current(p)
            partner = None
            if n is not None:
                partner = self._participants[n.participants[1 - n.participants.index(p.id)]]
            ended = n is not None and not n.state.is_open
            return views.student_view(
                s,
                p,
                n,
                partner=partner,
                protocol=s.rules,
                analysis=self.analysis(s.scenario) if ended else None,
                version=self.version,
                now=self.clock(),
            )

    def view_json(self, pid: str) -> str:
        """``view(pid)`` as JSON text for Socket.IO, its unchanging parts encoded only once."""
        with self._lock:
            return self.encoder.encode(self.view(pid))

    def send_views(self, pids: set[str], send: Callable[[Participant, str | None], None]) -> None:
        """Under the lock, so views leave in the order of the changes they show: for each known
        participant, ``send(participant, view JSON)``; the JSON is None when not connected."""
        with self._lock:
            for pid in pids:
                p = self._participants.get(pid)
                if p is not None:
                    send(p, self.view_json(pid) if p.sids else None)
