"""Pairing, for the hub: a negotiation made, stored and put in memory; arrivals paired as they
come; the instructor's Pair button; a round started (its groups, who sits out). ``Hub``
inherits these methods; they run under the hub's lock and commit before memory changes, like
every change. The decisions are pure: :mod:`game.core.lobby`, :mod:`game.core.trios`.
"""

from __future__ import annotations

import logging
import random
import secrets

from game.core import lobby
from game.core.agents import seating
from game.server import records
from game.server.records import ApiError, Negotiation, Session

log = logging.getLogger("game.server.hub")  # the hub's log, as before this module


class Pairing:
    def _new(self, s: Session, seated: tuple[str, ...], round_no: int, index: int) -> Negotiation:
        """A negotiation about to start (not yet stored nor in memory); ``seated`` are the
        participants by seat (role 0, role 1, and the middle seat's when a player sits there)."""
        nid = "n_" + secrets.token_hex(6)
        condition = lobby.condition_for(s.conditions, s.seed, index)
        state = s.rules_for(condition).new_state(
            nid,
            s.scenario,
            condition,
            started_at=self.clock(),
            max_offers=s.max_offers,
            time_limit_s=s.time_limit_s,
            **({"options": s.options} if s.options is not None else {}),
        )
        return Negotiation(nid, s.code, round_no, tuple(seated), index, state)

    def _store_new(self, s: Session, n: Negotiation) -> None:
        self._store.add_negotiation(records.negotiation_row(s, n), [records.paired_event(s, n)])

    def _install(self, s: Session, n: Negotiation) -> None:
        """Put a negotiation whose start is committed into memory."""
        s.negotiation_count = max(s.negotiation_count, n.condition_index + 1)
        self._negotiations[n.id] = n
        for pid in n.participants:
            part = self._participants[pid]
            part.negotiations.append(n.id)
            part.waiting_since = None

    def _pair_arrivals(self, s: Session, force: bool = False) -> set[str]:
        touched: set[str] = set()
        if not seating.humans_pair(s.agents):
            return touched  # practice and research: every participant plays an agent
        while (head := self._next_arrivals(s, force)) is not None:
            group, index = head  # the queue's head, and its place in the condition sequence
            n = self._new(s, self._arrival_seats(s, group), 0, index)
            self._store_new(s, n)
            # committed: only now do they leave the queue (a failed write strands nobody)
            del s.waiting[: len(group)]
            self._install(s, n)
            self._computer_turn(s, n)
            touched |= set(group)
        return touched

    def _pair_safely(self, s: Session) -> set[str]:
        """Pair arrivals on a connect; a failed write leaves everyone waiting in the queue (the
        next arrival, or the instructor's Pair button, tries again) and the connect succeeds."""
        try:
            return self._pair_arrivals(s)
        except Exception:  # the store's failure: logged, and nobody is stranded
            log.warning("pairing in session %s failed; they stay waiting", s.code, exc_info=True)
            return set()

    def pair_waiting(self, code: str) -> tuple[int, set[str]]:
        """Instructor: pair whoever is waiting (arrival), or start a round (rounds)."""
        s = self.open_session(code)
        if s.pairing == "rounds":
            _, count, touched = self.start_round(code)
            return count, touched
        with self._lock:
            before = len(self._taken(s))
            touched = self._pair_arrivals(s, force=True)
            return len(self._taken(s)) - before, touched

    def start_round(self, code: str) -> tuple[int, int, set[str]]:
        """Pair everyone connected and not negotiating for the next round: the round, its
        pairings and who sits out are committed in one transaction, then put in memory."""
        s = self.open_session(code)
        if s.pairing != "rounds":
            raise ApiError(
                400, "pairing: rounds can only be started in a session with pairing 'rounds'"
            )
        with self._lock:
            parts, negs = self.members(s.code)
            ready = [
                p.id for p in parts if p.connected and not p.is_agent and not self.is_negotiating(p)
            ]
            if len(ready) % 2 and seating.fills_rounds(s.agents):
                idle = [p for p in parts if p.is_agent and not self.is_negotiating(p)]
                ready.append((idle[0] if idle else self._new_agent(s, s.negotiation_count)).id)
            if len(ready) < s.group:
                # nobody to pair: the contract's answer (no negotiation started), nothing changed
                return s.round, 0, set()
            ready_ids = set(ready)
            sat = {p.id: p.last_sat_out for p in parts if p.id in ready_ids and p.last_sat_out >= 0}
            round_no = s.round + 1
            rng = random.Random(f"{s.seed}:round:{round_no}")
            groups, sitting = self._round_groups(s, ready, negs, sat, rng)
            made = [self._new(s, seated, round_no, index) for seated, index in groups]
            now = self.clock()
            with self._store.transaction():
                self._store.log(
                    s.code, None, "round_started", {"round": round_no, "ready": ready}, now
                )
                for n in made:
                    self._store_new(s, n)
                for pid in sitting:
                    self._store.log(s.code, pid, "sat_out", {"round": round_no}, now)
            # committed: now memory
            s.round = round_no
            for n in made:
                self._install(s, n)
                self._computer_turn(s, n)
            touched = {pid for n in made for pid in n.participants}
            for pid in sitting:
                self._participants[pid].last_sat_out = round_no
                touched.add(pid)
            self.version += 1
            return s.round, len(made), touched
