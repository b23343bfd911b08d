"""The hub's seats (issue 10): taking a seat (one per browser unless the session allows several),
removing one, and opening a round's debrief. Part of the one writer, :class:`game.server.hub.Hub`
(which inherits it): every change is committed to the store before memory changes, under the
hub's lock. The decisions themselves are pure, in :mod:`game.core.seats`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from game.core import lobby, requests, seats
from game.server import records
from game.server.catalog import Catalog
from game.server.index import Index
from game.server.records import ApiError, Negotiation, Participant, Session
from game.server.store import Store, iso


class Seating(Index):
    _store: Store

    def __init__(self, catalog: Catalog, clock: Callable[[], float]):
        super().__init__(catalog, clock)
        self._last_seq = 0  # the largest participant seq, removed seats included
        self._seat_of: dict[tuple[str, str], str] = {}  # (session, device) -> participant id

    def take_seat(self, code: str, body: Any, device: str | None = None) -> tuple[str, str, bool]:
        """(token, participant id, whether it is a seat the device already held). ``device`` is
        ``seats.device_hash`` of the browser's cookie; without ``multiple_seats`` a device that
        holds a seat in the session gets that seat back."""
        s = self.session(code)
        try:
            name, label = requests.parse_join(body)
        except requests.RequestError as e:
            raise ApiError(400, e.errors) from e
        with self._lock:
            held = self._participants.get(self._seat_of.get((s.code, device or ""), ""))
            if held is not None and not s.multiple_seats:
                return held.token, held.id, True
            if s.closed:  # issue 13: the class is over (a seat held is still given back)
                raise ApiError(409, f"code: session {s.code} is closed: the class is over")
            pid = "p_" + secrets.token_hex(6)
            now = self.clock()
            p = Participant(
                pid, s.code, name, label, lobby.make_token(), iso(now), self._last_seq + 1, device
            )
            self._store.add_participant(records.participant_row(p), at=now)
            self._last_seq += 1
            self._add_participant(p)
            self.version += 1
            return p.token, pid, False

    def _add_participant(self, p: Participant) -> None:
        self._participants[p.id] = p
        self._by_token[p.token] = p.id
        if p.device:
            self._seat_of.setdefault((p.code, p.device), p.id)

    def remove_seat(self, code: str, pid: str) -> set[str]:
        """Instructor: remove a seat nobody is paired with; its token stops working. The
        connections (Socket.IO sids) that held it, for the shell to close."""
        s = self.session(code)
        with self._lock:
            p = self._participants.get(pid)
            if p is None or p.code != s.code:
                raise ApiError(404, f"participant: no seat {pid!r} in session {s.code}")
            if p.negotiations:
                raise ApiError(
                    409, "participant: this seat has been paired and can no longer be removed"
                )
            # the log is the truth: recovery leaves out the seats it says were removed
            self._store.log(s.code, pid, "seat_removed", {"name": p.name}, self.clock())
            # committed: now memory
            if pid in s.waiting:
                s.waiting.remove(pid)
            del self._participants[pid]
            del self._by_token[p.token]
            if p.device and self._seat_of.get((s.code, p.device)) == pid:
                del self._seat_of[(s.code, p.device)]
            for sid in p.sids:
                self._sid_owner.pop(sid, None)
            self.version += 1
            return set(p.sids)

    def open_debrief(self, code: str, body: Any) -> tuple[int, set[str]]:
        """Instructor: open a round's debrief (``{"round": n}``, default the last round) before
        all its negotiations have ended; (the round, who to update)."""
        s = self.session(code)
        body = {} if body is None else body
        if not isinstance(body, dict) or set(body) - {"round"}:
            raise ApiError(400, "body: must be an object with at most a round number")
        round_no = body.get("round", s.round)
        if s.pairing != "rounds":
            raise ApiError(400, "pairing: debriefs open by round only in a session with rounds")
        if not isinstance(round_no, int) or isinstance(round_no, bool) or round_no < 1:
            raise ApiError(400, "round: must be a round number from 1")
        with self._lock:
            if round_no > s.round:
                raise ApiError(409, f"round: round {round_no} has not started")
            if round_no in s.debrief_open:
                return round_no, set()
            self._store.log(s.code, None, "debrief_opened", {"round": round_no}, self.clock())
            s.debrief_open.add(round_no)
            self.version += 1
            return round_no, self._round_members(s, round_no)

    def _round_members(self, s: Session, round_no: int) -> set[str]:
        return {
            pid
            for n in self._negotiations.values()
            if n.code == s.code and n.round == round_no
            for pid in n.participants
        }

    def _ended(self, n: Negotiation) -> set[str]:
        """Who to update when ``n`` has just ended: its pair, or its whole round when its end
        closes the round and so opens the round's debrief."""
        s = self._sessions[n.code]
        if seats.debrief_open(s, n):
            return set(n.participants)
        negs = [m for m in self._negotiations.values() if m.code == s.code]
        if not seats.round_closed(negs, n.round):
            return set(n.participants)
        s.debrief_open.add(n.round)
        return self._round_members(s, n.round)
