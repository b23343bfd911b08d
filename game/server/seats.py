"""Computer counterparts' seats in the hub: an agent is a participant of kind ``agent`` with a
connection of its own, so its actions take a human's path through ``Hub.act``.

:class:`Seats` is the hub's part that seats agents (the writer is still the hub: these methods
run under its lock and commit to its store); where agents sit is decided in
``game.core.agents.seating``, and the runner that makes them act is ``game.server.agents``.
"""

from __future__ import annotations

import secrets

from game.core import lobby
from game.core.agents import seating
from game.server import records
from game.server.records import Negotiation, Participant, Session
from game.server.seating import Seating
from game.server.store import iso

AGENT_SID = "agent:"  # an agent's connection id: this and its participant id


class Seats(Seating):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._agent_ids: list[str] = []  # every agent participant, in order of seating

    def _seat(self, p: Participant) -> None:
        """An agent is always connected, through a connection of its own (game.server.agents)."""
        sid = AGENT_SID + p.id
        p.sids.add(sid)
        self._sid_owner[sid] = p.id
        self._agent_ids.append(p.id)

    def agent_seats(self) -> list[tuple[Participant, Negotiation]]:
        """Every agent in an open negotiation, with that negotiation (a snapshot)."""
        with self._lock:
            out = []
            for pid in self._agent_ids:
                p = self._participants[pid]
                n = self.current(p)
                if n is not None and n.state.is_open:
                    out.append((p, n))
            return out

    def _new_agent(self, s: Session, index: int) -> Participant:
        """A new agent participant of the session (stored, seated), for negotiation ``index``."""
        condition = lobby.condition_for(s.conditions, s.seed, index)
        strategy, params = seating.agent_for(s.agents, s.seed, index, condition)
        pid, now = "p_" + secrets.token_hex(6), self.clock()
        p = Participant(
            pid, s.code, s.agents.get("name") or "Computer", "", lobby.make_token(), iso(now),
            self._last_seq + 1, kind="agent", strategy=strategy, params=params,
        )  # fmt: skip
        self._store.add_participant(records.participant_row(p), at=now)
        self._last_seq += 1
        self._add_participant(p)
        self._seat(p)
        return p

    def pair_with_agent(self, pid: str) -> set[str]:
        """Arrival pairing: a waiting participant plays a new agent (who to update)."""
        with self._lock:
            p = self._participants.get(pid)
            s = self._sessions[p.code] if p else None
            if s is None or not s.agents or pid not in s.waiting:
                return set()
            index = s.negotiation_count
            agent = self._new_agent(s, index)
            if seating.agent_first(s.agents):
                first = s.scenario.role_index(s.scenario.first_mover) == 0
                p0, p1 = (agent.id, pid) if first else (pid, agent.id)
            else:
                p0, p1 = lobby.arrival_roles(pid, agent.id, s.rng)
            n = self._new(s, (p0, p1), 0, index)
            self._store_new(s, n)
            s.waiting.remove(pid)
            self._install(s, n)
            self._computer_turn(s, n)  # a computer in the middle seat opens at once
            self.version += 1
            return {pid, agent.id}
