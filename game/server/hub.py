"""The hub: the one writer of sessions, participants and negotiations, in memory and in the store.

It joins the pure core (protocols, lobby, views) to the store, and knows nothing of Flask or
Socket.IO: every change returns the participants whose view changed, and the shell
(game.server.realtime, game.server.web) sends the new views. Every change is committed to the
store before the method returns, so nothing is acknowledged or sent before it is durable.

A negotiation is played through its session's protocol (``game.core.protocols``); requests are
checked by ``game.core.requests``, views built by ``game.core.views`` and the instructor's reads
by ``game.server.reads``. Other modules reach sessions and members only through the public
methods of :class:`game.server.index.Index` (``session``, ``members``, ``participant``, ...),
never the private indexes; records and their rows are in ``game.server.records``.

One lock serialises all changes. Under eventlet that is a green lock; the critical sections
do no network I/O, only SQLite commits.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from game.core import lobby, protocols, requests, seats
from game.core.protocols.common import RuleError
from game.paths import QUESTIONNAIRES
from game.server import records
from game.server.catalog import Catalog
from game.server.course import Course
from game.server.flow import StudyFlow
from game.server.forms import Forms
from game.server.middle_seat import MiddleSeat
from game.server.pairing import Pairing
from game.server.records import ApiError, Negotiation, Participant, Session
from game.server.seats import AGENT_SID, Seats
from game.server.store import Store, iso

__all__ = ["AGENT_SID", "ApiError", "Hub", "Negotiation", "Participant", "Session"]
log = logging.getLogger(__name__)


class Hub(Course, Pairing, Seats, MiddleSeat, StudyFlow):
    """The one writer: every change of a session, its participants and negotiations."""

    def __init__(
        self, store: Store, scenarios_dir: str | Path | None = None, *,
        clock: Callable[[], float] = time.time,
        questionnaires_dir: str | Path | None = QUESTIONNAIRES,
    ):  # fmt: skip
        super().__init__(Catalog(store, scenarios_dir), clock)
        self._store = store
        self.forms = Forms(store, questionnaires_dir)
        self._recover()

    # ------------------------------------------------------------ recovery
    def _recover(self) -> None:
        """Rebuild everything from the store; the state of each negotiation is its events' fold,
        and a session's round the last one its events started."""
        for row in self._store.sessions():
            s = records.session_from_row(row)
            self._sessions[s.code] = s
        removed = {e["participant_id"] for e in self._store.session_events(("seat_removed",))}
        for row in self._store.participants():
            self._last_seq = max(self._last_seq, row["seq"])
            if row["participant_id"] in removed:
                continue  # a seat the instructor removed: its token works no more
            p = records.participant_from_row(row)
            self._add_participant(p)
            if p.is_agent:
                self._seat(p)
        events = self._store.all_negotiation_events()
        for row in self._store.negotiations():
            s = self._sessions[row["session_code"]]
            n = records.negotiation_from_row(row, s, events.get(row["negotiation_id"], []))
            self._install(s, n)
            s.round = max(s.round, n.round)
        for s in self._sessions.values():
            if s.debrief == "round_end":
                negs = [n for n in self._negotiations.values() if n.code == s.code]
                s.debrief_open |= {r for r in range(1, s.round + 1) if seats.round_closed(negs, r)}
        for e in self._store.session_events(("round_started", "sat_out", "debrief_opened")):
            s = self._sessions.get(e["session_code"])
            if s is not None and e["type"] == "debrief_opened":
                s.debrief_open.add(e["round"])
            elif s is not None:
                s.round = max(s.round, e.get("round", 0))
            p = self._participants.get(e["participant_id"] or "")
            if e["type"] == "sat_out" and p:
                p.last_sat_out = e.get("round", -1)
        self._recover_study()
        # a deadline that passed while the server was down ends its negotiation now
        self.tick()

    def add_scenario(self, data: Any) -> str:
        with self._lock:
            return self._catalog.add(data)

    # ------------------------------------------------------------ sessions and participants
    def create_session(self, body: Any, *, demo: bool = False) -> str:
        try:
            st = requests.parse_session(body, self._catalog.by_id(), self.forms.by_id())
        except requests.RequestError as e:
            raise ApiError(400, e.errors) from e
        with self._lock:
            code = lobby.make_code()
            while code in self._sessions:
                code = lobby.make_code()
            s = Session(
                code, st.scenario, st.conditions, st.time_limit_s, st.max_offers, st.pairing,
                seed=secrets.randbits(32), round=0, created_at=iso(self.clock()), demo=demo,
                protocol=st.protocol, multiple_seats=st.multiple_seats or demo, debrief=st.debrief,
                middle=st.middle, rotate=st.rotate, agents=st.agents, options=st.options,
                name=st.name, student_id=st.student_id, study=st.study,
            )  # fmt: skip
            self._store.add_session(records.session_row(s))
            self._sessions[code] = s
            self.version += 1
        self.analysis(s.scenario)  # computed now, not when the first negotiation ends mid-class
        return code

    def join(self, code: str, body: Any) -> tuple[str, str]:
        token, pid, _ = self.take_seat(code, body)
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
                if s.closed:
                    pass  # the class is over: nobody new is paired
                elif s.study:
                    touched |= self._after_study_step(s, p)
                elif s.pairing == "arrival" and not p.negotiations and p.id not in s.waiting:
                    s.waiting.append(p.id)
                    p.waiting_since = self.clock()
                    touched |= self._pair_safely(s)
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

    # ------------------------------------------------------------ play
    def _commit(self, n: Negotiation, pid: str | None, events: list[dict]) -> set[str]:
        """Persist events (committed first), then fold them into the state in memory; who to
        update (the pair, and the whole round when its end opens the round's debrief)."""
        state = self._rules(n).replay(n.state, events)
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
        if state.is_open:
            return set(n.participants)
        self.encoder.forget(n.id)
        return self._ended(n)

    def _mine(self, sid: str) -> tuple[Participant | None, Negotiation | None, str | None]:
        """The participant of a connection, their current negotiation and their role in it."""
        pid = self._sid_owner.get(sid)
        p = self._participants.get(pid) if pid else None
        n = self.current(p) if p else None
        if n is None:
            return p, None, None
        return p, n, n.seat(p.id)

    def act(self, sid: str, kind: str, payload: Any) -> tuple[dict, set[str]]:
        """A participant's action; (the acknowledgement, who to update). Refusals: logged."""
        with self._lock:
            p, n, role = self._mine(sid)
            touched: set[str] = set()
            try:
                rules = (
                    self._rules(n) if n else self._sessions[p.code].rules if p else protocols.get()
                )
                action = rules.parse_action(kind, payload)
                if p is None:
                    raise RuleError("not_negotiating", "this connection has no participant")
                if n is None:
                    raise RuleError("not_negotiating", "you are not in a negotiation yet")
                now = self.clock()
                due = rules.due(n.state, now)
                if due:
                    touched |= self._commit(n, None, due)
                events = rules.apply(n.state, role, action, now)
                touched |= self._commit(n, p.id, events)
                self._computer_turn(self._sessions[n.code], n)
                return {"ok": True, **self._made(events)}, touched
            except RuleError as e:
                self._note(p, n, "refused", {"action": kind, "code": e.code})
                return e.as_answer(), touched

    def suggest(self, sid: str, payload: Any) -> dict:
        """Packages equivalent (to the asker) to the packages given, for the MESO builder."""
        with self._lock:
            p, n, role = self._mine(sid)
            if n is None or not n.state.is_open:
                return RuleError(
                    "not_negotiating", "you are not in an open negotiation"
                ).as_answer()
            state, rules = n.state, self._rules(n)
        return self._note_suggest(p, n, payload, rules.suggest(state, role, payload))

    def end_negotiation(self, nid: str) -> set[str]:
        with self._lock:
            n = self._negotiations.get(nid)
            if n is None:
                raise ApiError(404, f"negotiation: no negotiation {nid!r}")
            try:
                events = self._rules(n).end_by_instructor(n.state, self.clock())
            except RuleError as e:
                raise ApiError(409, f"negotiation: {e.message}") from e
            return self._commit(n, None, events)

    def tick(self) -> set[str]:
        """End every negotiation whose deadline has passed; who to update."""
        touched: set[str] = set()
        now = self.clock()
        with self._lock:
            for n in self._negotiations.values():
                if n.state.is_open and n.state.deadline is not None and now >= n.state.deadline:
                    touched |= self._commit(n, None, self._rules(n).due(n.state, now))
        return touched
