"""The hub: sessions, participants and negotiations in memory, backed by the store.

It joins the pure core (rules, lobby, views, scoring) to the store, and knows nothing of Flask
or Socket.IO: every method returns what changed (the participants whose view changed), and the
shell (game.realtime, game.web) sends the new views. Every change is committed to the store
before the method returns, so nothing is acknowledged or sent before it is durable.

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
from typing import Any

from game.core import analysis as analysis_mod
from game.core import lobby, rules, views
from game.core.rules import RuleError, State
from game.core.scenario import Scenario, ScenarioError, load_dir, parse
from game.server.store import Store, iso

PAIRINGS = ("arrival", "rounds")
NAME_MAX = 80
LABEL_MAX = 80


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
    round: int
    created_at: str
    demo: bool = False
    negotiation_count: int = 0
    waiting: list[str] = field(default_factory=list)  # arrival queue, in order
    rng: random.Random = field(default_factory=random.Random)


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
    state: State


class Hub:
    def __init__(
        self,
        store: Store,
        scenarios_dir: str | Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ):
        self.store = store
        self.clock = clock
        self.lock = threading.RLock()
        # grows with every change; seeded from the clock so it keeps growing across restarts
        self.version = int(clock() * 1000)
        self.scenarios: dict[str, Scenario] = {}
        self.scenario_source: dict[str, str] = {}
        self._analysis: dict[tuple[str, int], dict] = {}
        self.sessions: dict[str, Session] = {}
        self.participants: dict[str, Participant] = {}
        self.by_token: dict[str, str] = {}
        self.negotiations: dict[str, Negotiation] = {}
        self.sid_owner: dict[str, str] = {}
        self.encoder = views.ViewEncoder()
        if scenarios_dir is not None:
            for sc in load_dir(scenarios_dir):
                self.scenarios[sc.id] = sc
                self.scenario_source[sc.id] = "file"
        for data in store.scenarios():
            sc = parse(data)
            self.scenarios[sc.id] = sc
            self.scenario_source[sc.id] = "upload"
        self._recover()

    # ------------------------------------------------------------ recovery
    def _recover(self) -> None:
        """Rebuild everything from the store; the state of each negotiation is its events' fold."""
        for row in self.store.sessions():
            sc = parse(json.loads(row["scenario_json"]))
            s = Session(
                code=row["code"],
                scenario=sc,
                conditions=json.loads(row["conditions"]),
                time_limit_s=row["time_limit_s"],
                max_offers=row["max_offers"],
                pairing=row["pairing"],
                seed=row["seed"],
                round=row["round"] or 0,
                created_at=row["created_at"],
                demo=bool(row["demo"]),
            )
            s.rng = random.Random(f"{s.seed}:roles")
            self.sessions[s.code] = s
        for row in self.store.participants():
            p = Participant(
                id=row["participant_id"],
                code=row["session_code"],
                name=row["name"],
                label=row["label"] or "",
                token=row["token"],
                joined_at=row["joined_at"],
                seq=row["seq"],
            )
            self.participants[p.id] = p
            self.by_token[p.token] = p.id
        events = self.store.all_negotiation_events()
        for row in self.store.negotiations():
            s = self.sessions[row["session_code"]]
            state = rules.new_state(
                row["negotiation_id"],
                s.scenario,
                row["condition"],
                started_at=row["started"],
                max_offers=row["max_offers"],
                deadline=row["deadline"],
            )
            state = rules.replay(state, events.get(row["negotiation_id"], []))
            n = Negotiation(
                id=row["negotiation_id"],
                code=s.code,
                round=row["round"] or 0,
                participants=(row["participant_0"], row["participant_1"]),
                condition_index=row["condition_index"],
                state=state,
            )
            self.negotiations[n.id] = n
            s.negotiation_count = max(s.negotiation_count, n.condition_index + 1)
            for pid in n.participants:
                self.participants[pid].negotiations.append(n.id)
        for row in self.store.read(
            "SELECT participant_id, payload FROM events WHERE type = 'sat_out' ORDER BY event_id"
        ):
            p = self.participants.get(row["participant_id"])
            if p:
                p.last_sat_out = json.loads(row["payload"]).get("round", -1)
        # a deadline that passed while the server was down ends its negotiation now
        self.tick()

    # ------------------------------------------------------------ scenarios
    def add_scenario(self, data: Any) -> str:
        with self.lock:
            try:
                sc = parse(data)
            except ScenarioError as e:
                raise ApiError(400, e.errors) from e
            if sc.id in self.scenarios:
                raise ApiError(409, f"id: a scenario with id {sc.id!r} exists already")
            self.store.add_scenario(sc.id, sc.to_dict())
            self.scenarios[sc.id] = sc
            self.scenario_source[sc.id] = "upload"
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

    # ------------------------------------------------------------ sessions
    def create_session(self, body: Any, *, demo: bool = False) -> str:
        if not isinstance(body, dict):
            raise ApiError(400, "body: must be a JSON object")
        errors = []
        known = {"scenario", "conditions", "time_limit_s", "max_offers", "pairing"}
        for k in body:
            if k not in known:
                errors.append(f"{k}: unknown key")
        sid = body.get("scenario")
        sc = self.scenarios.get(sid) if isinstance(sid, str) else None
        if sc is None:
            errors.append(f"scenario: unknown scenario {sid!r}")
        conditions = body.get("conditions", ["any"])
        if not isinstance(conditions, list) or not conditions or len(conditions) > 30:
            errors.append("conditions: must be a list of 1 to 30 of single, meso, any")
            conditions = []
        for n, c in enumerate(conditions):
            if c not in rules.CONDITIONS:
                errors.append(f"conditions[{n}]: unknown condition {c!r} (single, meso or any)")
            elif c == "meso" and sc is not None and sc.max_packages < 2:
                errors.append(
                    f"conditions[{n}]: meso needs a scenario with max_packages of at least 2"
                )
        if "time_limit_s" in body:
            t = body["time_limit_s"]
            if t is not None and (
                not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 < t <= 86400 * 7
            ):
                errors.append("time_limit_s: must be a positive number of seconds or null")
            time_limit = t
        else:
            time_limit = sc.time_limit_s if sc else None
        if "max_offers" in body:
            m = body["max_offers"]
            if not isinstance(m, int) or isinstance(m, bool) or not 1 <= m <= 1000:
                errors.append("max_offers: must be a whole number from 1 to 1000")
            max_offers = m
        else:
            max_offers = sc.max_offers if sc else 0
        pairing = body.get("pairing", "arrival")
        if pairing not in PAIRINGS:
            errors.append(f"pairing: must be arrival or rounds, not {pairing!r}")
        if errors:
            raise ApiError(400, errors)
        with self.lock:
            code = lobby.make_code()
            while code in self.sessions:
                code = lobby.make_code()
            seed = secrets.randbits(32)
            s = Session(
                code=code,
                scenario=sc,
                conditions=list(conditions),
                time_limit_s=time_limit,
                max_offers=max_offers,
                pairing=pairing,
                seed=seed,
                round=0,
                created_at=iso(self.clock()),
                demo=demo,
            )
            s.rng = random.Random(f"{seed}:roles")
            self.store.add_session(
                {
                    "code": code,
                    "scenario_id": sc.id,
                    "scenario_json": json.dumps(sc.to_dict(), separators=(",", ":")),
                    "conditions": json.dumps(s.conditions),
                    "time_limit_s": time_limit,
                    "max_offers": max_offers,
                    "pairing": pairing,
                    "seed": seed,
                    "round": 0,
                    "demo": int(demo),
                    "created_at": s.created_at,
                }
            )
            self.sessions[code] = s
            self.version += 1
        self.analysis(sc)  # computed now, not when the first negotiation ends mid-class
        return code

    def session(self, code: str) -> Session:
        s = self.sessions.get(lobby.normalize_code(code or ""))
        if s is None:
            raise ApiError(404, f"code: no session with code {code!r}")
        return s

    # ------------------------------------------------------------ public reads (stubs)
    def list_sessions(self) -> list[Session]:
        """Every session, newest first."""
        with self.lock:
            return sorted(self.sessions.values(), key=lambda s: s.created_at, reverse=True)

    def members(self, code: str) -> tuple[list[Participant], list[Negotiation]]:
        """The session's participants and negotiations, a snapshot taken under the lock."""
        s = self.session(code)
        with self.lock:
            return (
                [p for p in self.participants.values() if p.code == s.code],
                [n for n in self.negotiations.values() if n.code == s.code],
            )

    def participant(self, pid: str) -> Participant | None:
        return self.participants.get(pid)

    def negotiation(self, nid: str) -> Negotiation | None:
        return self.negotiations.get(nid)

    def ready_count(self, code: str) -> int:
        """Participants a new round would pair: connected and not negotiating."""
        s = self.session(code)
        with self.lock:
            return sum(
                1
                for p in self.participants.values()
                if p.code == s.code and p.connected and not self.is_negotiating(p)
            )

    def scenario(self, sid: str) -> Scenario | None:
        return self.scenarios.get(sid)

    def list_scenarios(self) -> list[Scenario]:
        return list(self.scenarios.values())

    # ------------------------------------------------------------ participants
    def join(self, code: str, body: Any) -> tuple[str, str]:
        s = self.session(code)
        if not isinstance(body, dict):
            raise ApiError(400, "body: must be a JSON object")
        name = body.get("name")
        label = body.get("label", "")
        errors = []
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= NAME_MAX:
            errors.append(f"name: must be 1 to {NAME_MAX} characters")
        if label is None:
            label = ""
        if not isinstance(label, str) or len(label.strip()) > LABEL_MAX:
            errors.append(f"label: must be text of at most {LABEL_MAX} characters")
        if errors:
            raise ApiError(400, errors)
        name = " ".join(name.split())
        label = " ".join(label.split())
        with self.lock:
            pid = "p_" + secrets.token_hex(6)
            token = lobby.make_token()
            seq = len(self.participants) + 1
            now = self.clock()
            p = Participant(pid, s.code, name, label, token, iso(now), seq)
            self.store.add_participant(
                {
                    "participant_id": pid,
                    "session_code": s.code,
                    "name": name,
                    "label": label,
                    "token": token,
                    "joined_at": p.joined_at,
                    "seq": seq,
                },
                at=now,
            )
            self.participants[pid] = p
            self.by_token[token] = pid
            self.version += 1
            return token, pid

    def participant_for_token(self, token: Any) -> Participant | None:
        if not isinstance(token, str):
            return None
        pid = self.by_token.get(token)
        return self.participants.get(pid) if pid else None

    def current(self, p: Participant) -> Negotiation | None:
        return self.negotiations[p.negotiations[-1]] if p.negotiations else None

    def is_negotiating(self, p: Participant) -> bool:
        n = self.current(p)
        return n is not None and n.state.is_open

    def connect(self, token: Any, sid: str) -> tuple[Participant | None, set[str]]:
        """A connection with a join token; (participant or None if refused, who to update)."""
        with self.lock:
            p = self.participant_for_token(token)
            if p is None:
                return None, set()
            was_connected = p.connected
            p.sids.add(sid)
            self.sid_owner[sid] = p.id
            touched = {p.id}
            if not was_connected:
                touched |= self._partner_of(p)
                s = self.sessions[p.code]
                if s.pairing == "arrival" and not p.negotiations and p.id not in s.waiting:
                    s.waiting.append(p.id)
                    p.waiting_since = self.clock()
                    touched |= self._pair_arrivals(s)
                elif s.pairing == "rounds" and not self.is_negotiating(p):
                    p.waiting_since = p.waiting_since or self.clock()
            self.version += 1
            return p, touched

    def disconnect(self, sid: str) -> set[str]:
        with self.lock:
            pid = self.sid_owner.pop(sid, None)
            p = self.participants.get(pid) if pid else None
            if p is None:
                return set()
            p.sids.discard(sid)
            touched: set[str] = set()
            if not p.connected:
                s = self.sessions[p.code]
                if p.id in s.waiting:
                    s.waiting.remove(p.id)
                    p.waiting_since = None
                touched |= self._partner_of(p)
            self.version += 1
            return touched

    def _partner_of(self, p: Participant) -> set[str]:
        n = self.current(p)
        if n is None:
            return set()
        return {x for x in n.participants if x != p.id}

    # ------------------------------------------------------------ pairing
    def _start(self, s: Session, p0: str, p1: str, round_no: int = 0) -> Negotiation:
        now = self.clock()
        nid = "n_" + secrets.token_hex(6)
        index = s.negotiation_count
        condition = lobby.condition_for(s.conditions, s.seed, index)
        state = rules.new_state(
            nid,
            s.scenario,
            condition,
            started_at=now,
            max_offers=s.max_offers,
            time_limit_s=s.time_limit_s,
        )
        r0, r1 = s.scenario.role_ids
        self.store.add_negotiation(
            {
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
            },
            [
                {
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
            ],
        )
        s.negotiation_count = index + 1
        n = Negotiation(nid, s.code, round_no, (p0, p1), index, state)
        self.negotiations[nid] = n
        for pid in (p0, p1):
            part = self.participants[pid]
            part.negotiations.append(nid)
            part.waiting_since = None
        return n

    def _pair_arrivals(self, s: Session) -> set[str]:
        touched: set[str] = set()
        while len(s.waiting) >= 2:
            a, b = s.waiting.pop(0), s.waiting.pop(0)
            p0, p1 = lobby.arrival_roles(a, b, s.rng)
            self._start(s, p0, p1)
            touched |= {a, b}
        return touched

    def pair_waiting(self, code: str) -> tuple[int, set[str]]:
        """Instructor: pair whoever is waiting (arrival), or start a round (rounds)."""
        s = self.session(code)
        if s.pairing == "rounds":
            _, count, touched = self.start_round(code)
            return count, touched
        with self.lock:
            before = s.negotiation_count
            touched = self._pair_arrivals(s)
            return s.negotiation_count - before, touched

    def start_round(self, code: str) -> tuple[int, int, set[str]]:
        s = self.session(code)
        if s.pairing != "rounds":
            raise ApiError(
                400, "pairing: rounds can only be started in a session with pairing 'rounds'"
            )
        with self.lock:
            ready = [
                p.id
                for p in sorted(self.participants.values(), key=lambda p: p.seq)
                if p.code == s.code and p.connected and not self.is_negotiating(p)
            ]
            history = [
                lobby.Past(*n.participants) for n in self.negotiations.values() if n.code == s.code
            ]
            if len(ready) < 2:
                # nobody to pair: the contract's answer (no negotiation started), nothing changed
                return s.round, 0, set()
            sat = {pid: self.participants[pid].last_sat_out for pid in ready}
            sat = {k: v for k, v in sat.items() if v >= 0}
            plan = lobby.plan_round(
                ready, history, sat, random.Random(f"{s.seed}:round:{s.round + 1}")
            )
            s.round += 1
            self.store.update_session(s.code, round=s.round)
            self.store.log(s.code, None, "round_started", {"round": s.round, "ready": ready})
            touched: set[str] = set()
            for p0, p1 in plan.pairs:
                self._start(s, p0, p1, s.round)
                touched |= {p0, p1}
            if plan.sitting_out:
                self.store.log(s.code, plan.sitting_out, "sat_out", {"round": s.round})
                self.participants[plan.sitting_out].last_sat_out = s.round
                touched.add(plan.sitting_out)
            self.version += 1
            return s.round, len(plan.pairs), touched

    # ------------------------------------------------------------ play
    def _commit(self, n: Negotiation, pid: str | None, events: list[dict]) -> None:
        """Persist events (committed first), then fold them into the state in memory."""
        state = rules.replay(n.state, events)
        summary = None
        if not state.is_open:
            summary = {
                "status": state.status,
                "end_reason": state.outcome.reason,
                "ended_at": iso(state.ended_at),
            }
        self.store.append(n.code, n.id, pid, events, summary=summary)
        n.state = state
        self.version += 1
        if not state.is_open:
            self.encoder.forget(n.id)

    def act(self, sid: str, kind: str, payload: Any) -> tuple[dict, set[str]]:
        """A participant's action; (the acknowledgement, who to update)."""
        with self.lock:
            pid = self.sid_owner.get(sid)
            p = self.participants.get(pid) if pid else None
            try:
                action = rules.parse_action(kind, payload)
                if p is None:
                    raise RuleError("not_negotiating", "this connection has no participant")
                n = self.current(p)
                if n is None:
                    raise RuleError("not_negotiating", "you are not in a negotiation yet")
                now = self.clock()
                touched: set[str] = set()
                due = rules.due(n.state, now)
                if due:
                    self._commit(n, None, due)
                    touched |= set(n.participants)
                role = n.state.scenario.role_ids[n.participants.index(p.id)]
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
        """Packages equivalent (to the asker) to a given package, for the MESO builder."""
        with self.lock:
            pid = self.sid_owner.get(sid)
            p = self.participants.get(pid) if pid else None
            n = self.current(p) if p else None
            if n is None or not n.state.is_open:
                return RuleError(
                    "not_negotiating", "you are not in an open negotiation"
                ).as_answer()
            sc = n.state.scenario
            role = sc.role_ids[n.participants.index(p.id)]
        if not isinstance(payload, dict) or not isinstance(payload.get("packages"), list):
            return RuleError("bad_request", "packages must be a list of packages").as_answer()
        packages = payload["packages"][: rules.MAX_PAYLOAD_PACKAGES]
        if not packages:
            return RuleError("bad_request", "give at least one package to match").as_answer()
        for i, pk in enumerate(packages):
            problem = sc.package_problem(pk)
            if problem:
                return RuleError("invalid_package", f"package {i + 1}: {problem}").as_answer()
        given = [sc.normalize(x) for x in packages]
        count = payload.get("count", sc.max_packages)
        if not isinstance(count, int) or isinstance(count, bool):
            return RuleError("bad_request", "count must be a whole number").as_answer()
        want = max(1, min(sc.max_packages, count))
        values = [sc.value(x, role) for x in given]
        lo, hi = min(values), max(values)
        # equivalent to every package given: within the tolerance of the lowest and the highest
        if hi - lo > sc.meso_tolerance:
            return RuleError(
                "not_equivalent", "the packages given already differ by more than the tolerance"
            ).as_answer()
        found = analysis_mod.equivalent_packages(
            sc,
            role,
            (lo + hi) / 2,
            sc.meso_tolerance - (hi - lo) / 2,
            count=want,
            spread=sc.meso_tolerance,
            include=given[0],
            exclude=given[1:],
        )
        extra = [x for x in found if x not in given][: max(0, want - len(given))]
        extra = [
            x
            for x in extra
            if max(hi, sc.value(x, role)) - min(lo, sc.value(x, role)) <= sc.meso_tolerance
        ]
        return {
            "ok": True,
            "packages": extra,
            "points": [sc.value(x, role) for x in extra],
            "target": values[0],
        }

    def end_negotiation(self, nid: str) -> set[str]:
        with self.lock:
            n = self.negotiations.get(nid)
            if n is None:
                raise ApiError(404, f"negotiation: no negotiation {nid!r}")
            try:
                events = rules.end_by_instructor(n.state, self.clock())
            except RuleError as e:
                raise ApiError(409, f"negotiation: {e.message}") from e
            self._commit(n, None, events)
            return set(n.participants)

    def tick(self) -> set[str]:
        """End every negotiation whose deadline has passed; who to update."""
        touched: set[str] = set()
        now = self.clock()
        with self.lock:
            for n in self.negotiations.values():
                if n.state.is_open and n.state.deadline is not None and now >= n.state.deadline:
                    self._commit(n, None, rules.due(n.state, now))
                    touched |= set(n.participants)
        return touched

    def next_deadline(self) -> float | None:
        ds = [
            n.state.deadline
            for n in self.negotiations.values()
            if n.state.is_open and n.state.deadline is not None
        ]
        return min(ds) if ds else None

    # ------------------------------------------------------------ views
    def view(self, pid: str) -> dict:
        with self.lock:
            p = self.participants[pid]
            s = self.sessions[p.code]
            n = self.current(p)
            out: dict[str, Any] = {
                "phase": "lobby",
                "version": self.version,
                "server_time": self.clock(),
                "participant": {"id": p.id, "name": p.name, "label": p.label},
                "session": {
                    "code": s.code,
                    "pairing": s.pairing,
                    "round": s.round,
                    "title": s.scenario.title,
                },
                "lobby": None,
                "negotiation": None,
            }
            if n is not None:
                role = s.scenario.role_ids[n.participants.index(p.id)]
                other = self.participants[n.participants[1 - n.participants.index(p.id)]]
                out["negotiation"] = views.negotiation_view(
                    n.state,
                    role,
                    partner={"name": other.name, "connected": other.connected},
                    analysis=None if n.state.is_open else self.analysis(s.scenario),
                )
                out["negotiation"]["round"] = n.round
                out["phase"] = "negotiating" if n.state.is_open else "done"
            if out["phase"] != "negotiating":
                out["lobby"] = self._lobby_view(s, p)
            return out

    def view_json(self, pid: str) -> str:
        """``view(pid)`` as JSON text for Socket.IO, its unchanging parts encoded only once."""
        with self.lock:
            return self.encoder.encode(self.view(pid))

    def _lobby_view(self, s: Session, p: Participant) -> dict:
        if s.pairing == "arrival":
            if p.negotiations:
                msg = "Your negotiation has ended. Thank you for playing."
            else:
                msg = "Waiting for a partner. You will be paired as soon as another participant joins."
        elif p.last_sat_out == s.round and s.round > 0 and not self.is_negotiating(p):
            msg = (
                f"You sit out round {s.round} (an odd number of participants). "
                "You will play in the next round."
            )
        else:
            msg = "Waiting for the instructor to start the next round."
        return {"since": p.waiting_since, "message": msg, "waiting": len(s.waiting)}

    # ------------------------------------------------------------ instructor reads
    def negotiation_summary(self, n: Negotiation, *, metrics: bool = True) -> dict:
        from game.core import scoring

        st = n.state
        sc = st.scenario
        out_metrics = None
        if metrics:
            out_metrics = scoring.score(st, frontier=self.analysis(sc)["pareto"])
        return {
            "negotiation_id": n.id,
            "round": n.round,
            "condition": st.condition,
            "roles": list(sc.role_ids),
            "participants": list(n.participants),
            "names": [self.participants[x].name for x in n.participants],
            "connected": [self.participants[x].connected for x in n.participants],
            "status": st.status,
            "end_reason": st.outcome.reason if st.outcome else None,
            "ended_by": st.outcome.by if st.outcome else None,
            "turn": st.turn,
            "offers_count": len(st.offers),
            "deadline": st.deadline,
            "time_left": max(0.0, st.deadline - self.clock())
            if st.deadline and st.is_open
            else None,
            "started_at": iso(st.started_at),
            "ended_at": iso(st.ended_at),
            "agreement": st.outcome.package if st.outcome else None,
            "points": list(st.outcome.points) if st.outcome else None,
            "metrics": out_metrics,
        }

    def session_view(self, code: str, *, metrics: bool = True) -> dict:
        """The session for the instructor; ``metrics=False`` leaves out each negotiation's
        scores (the live push does, to stay small with hundreds of participants)."""
        s = self.session(code)
        with self.lock:
            parts = [p for p in self.participants.values() if p.code == s.code]
            parts.sort(key=lambda p: p.seq)
            negs = [n for n in self.negotiations.values() if n.code == s.code]
            out_parts = []
            for p in parts:
                n = self.current(p)
                role = None
                if n is not None:
                    role = s.scenario.role_ids[n.participants.index(p.id)]
                phase = "lobby"
                if n is not None:
                    phase = "negotiating" if n.state.is_open else "done"
                out_parts.append(
                    {
                        "participant_id": p.id,
                        "name": p.name,
                        "label": p.label,
                        "joined_at": p.joined_at,
                        "connected": p.connected,
                        "phase": phase,
                        "waiting": p.id in s.waiting,
                        "negotiation_id": n.id if n else None,
                        "role": role,
                        "negotiations": len(p.negotiations),
                    }
                )
            return {
                "code": s.code,
                "scenario": {"id": s.scenario.id, "title": s.scenario.title},
                "conditions": s.conditions,
                "time_limit_s": s.time_limit_s,
                "max_offers": s.max_offers,
                "pairing": s.pairing,
                "round": s.round,
                "created_at": s.created_at,
                "demo": s.demo,
                "participants": out_parts,
                "negotiations": [self.negotiation_summary(n, metrics=metrics) for n in negs],
            }

    def standings(self, code: str) -> list[dict]:
        s = self.session(code)
        with self.lock:
            negs = [
                n for n in self.negotiations.values() if n.code == s.code and not n.state.is_open
            ]
            # z-scores among finished negotiations of the same scenario and role
            rows: list[tuple[str, int, Negotiation, float]] = []
            for n in negs:
                for k in (0, 1):
                    rows.append((n.participants[k], k, n, n.state.outcome.points[k]))
            z: dict[tuple[str, int], float] = {}
            for k in (0, 1):
                group = [(r[2].id, r[3]) for r in rows if r[1] == k]
                for (nid, _), zz in zip(group, lobby.zscores([v for _, v in group]), strict=True):
                    z[(nid, k)] = zz
            table: dict[str, dict] = {}
            for p in sorted(self.participants.values(), key=lambda p: p.seq):
                if p.code != s.code:
                    continue
                table[p.id] = {
                    "participant_id": p.id,
                    "name": p.name,
                    "label": p.label,
                    "negotiations": 0,
                    "points_total": 0,
                    "score_within_role": 0.0,
                    "joint_total": 0,
                    "rounds": [],
                }
            for pid, k, n, pts in rows:
                t = table[pid]
                t["negotiations"] += 1
                t["points_total"] += pts
                t["score_within_role"] += z[(n.id, k)]
                joint = sum(n.state.outcome.points)
                t["joint_total"] += joint
                t["rounds"].append(
                    {
                        "round": n.round,
                        "negotiation_id": n.id,
                        "role": n.state.scenario.role_ids[k],
                        "points": pts,
                        "z": round(z[(n.id, k)], 4),
                        "joint": joint,
                        "status": n.state.status,
                    }
                )
            out = list(table.values())
            for t in out:
                t["score_within_role"] = round(t["score_within_role"], 4)
                t["rounds"].sort(key=lambda r: r["round"])
            out.sort(key=lambda t: (-t["score_within_role"], -t["points_total"], t["name"]))
            return out
