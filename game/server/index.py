"""The hub's in-memory index and what may be read of it: sessions, participants, negotiations,
scenarios, and a participant's view.

:class:`Index` holds the records; :class:`game.server.hub.Hub`, its one writer, changes them
under ``_lock``. Other modules read through these methods only, never the private dicts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from game.core import lobby, seats, study, views
from game.core.scenario import Scenario
from game.server.catalog import Catalog
from game.server.records import ApiError, Negotiation, Participant, Session


class Index:
    def __init__(self, catalog: Catalog, clock: Callable[[], float]):
        self.clock = clock
        self._lock = threading.RLock()
        # grows with every change; seeded from the clock so it keeps growing across restarts
        self.version = int(clock() * 1000)
        self._catalog = catalog
        self._sessions: dict[str, Session] = {}
        self._participants: dict[str, Participant] = {}
        self._by_token: dict[str, str] = {}
        self._negotiations: dict[str, Negotiation] = {}
        self._sid_owner: dict[str, str] = {}
        self.encoder = views.ViewEncoder()

    # ------------------------------------------------------------ reads
    def session(self, code: str) -> Session:
        s = self._sessions.get(lobby.normalize_code(code or ""))
        if s is None:
            raise ApiError(404, f"code: no session with code {code!r}")
        return s

    def open_session(self, code: str) -> Session:
        """A session that is not closed (ApiError 409 if it is, 404 if none)."""
        s = self.session(code)
        if s.closed:
            raise ApiError(409, f"session: {s.code} is closed; reopen it first")
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
                if p.code == s.code
                and p.connected
                and not p.is_agent
                and not self.is_negotiating(p)
            )

    def scenario(self, sid: str) -> Scenario | None:
        return self._catalog.get(sid)

    def list_scenarios(self) -> list[Scenario]:
        """Every scenario (files and uploads), by id."""
        return self._catalog.all()

    def source_of(self, sid: str) -> str:
        """Where a scenario came from: ``file`` or ``upload``."""
        return self._catalog.source(sid)

    def analysis(self, sc: Scenario) -> dict:
        """The scenario's analysis (frontier, max joint, Nash, ...), computed once per scenario."""
        return self._catalog.analysis(sc)

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

    def any_open(self) -> bool:
        """Whether some negotiation is being played (game.server.collector waits for none)."""
        return any(n.state.is_open for n in self._negotiations.values())

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
            others = {}
            if n is not None:
                others = {seat: self._participants[x] for seat, x in n.others(p.id)}
            ended = n is not None and not n.state.is_open
            shown = ended and seats.debrief_open(s, n)
            stage = self._stage(s, p)
            if stage is not None and study.hides_debrief(stage):
                shown = False  # the other side's numbers wait until the questions are answered
            results = None
            if s.closed:
                results = []
                for nid in p.negotiations:
                    m = self._negotiations[nid]
                    if not m.state.is_open:
                        k = m.participants.index(p.id)
                        other = self._participants[m.participants[1 - k]]
                        results.append(views.result_row(m, k, other.name))
            out = views.student_view(
                s,
                p,
                n,
                others=others,
                protocol=s.rules_for(n.state.condition) if n is not None else None,
                analysis=self.analysis(s.scenario) if shown else None,
                debrief_pending=ended and not shown,
                version=self.version,
                now=self.clock(),
                results=results,
            )
            if stage is not None:
                out["study"] = stage
            return out

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
