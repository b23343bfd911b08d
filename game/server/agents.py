"""The runner of computer counterparts: schedules agents and sends their actions through the hub.

An agent seat is a participant of kind ``agent`` with a connection of its own (``Hub._seat``),
so its actions take the very path of a human's: ``Hub.act`` (the protocol's parse and rules,
the event log, the participant id on every event it causes) and the same pushes to the human.
The runner is a background task like the deadline loop: every :data:`TICK_S` it

- gives an agent to a participant who has waited long enough in a session with agents
  (``Hub.pair_with_agent``; at once in practice and research);
- for each agent in an open negotiation, once the negotiation has changed, waits a think time
  drawn from the session's range with a generator seeded by the session's seed, the
  negotiation's index, the role and what it has seen; then asks the agent (a pure function of
  the view a human of its role gets, :mod:`game.core.agents`) and sends what it returns.

Nothing of the runner's own is needed across a restart: the shipped agents decide from the view
(the fold of the stored log) and the think time is drawn again from the same seed, so after a
restart each agent resumes where the log left it. An agent's memory dict lives here, in memory.
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from game.core import agents, protocols
from game.core.agents import AgentError, decision_rng, think_time
from game.server.hub import AGENT_SID, Hub

log = logging.getLogger("parley.agents")
TICK_S = 0.1


class AgentFileError(Exception):
    """An agents file that cannot be used; the message names the file and the problem."""


def load_agents_file(path: str | Path) -> list[str]:
    """Import a researcher's file and register its agent classes (each with a ``name`` and an
    ``act`` method, defined in the file); their names. AgentFileError if it fails."""
    path = Path(path)
    if not path.is_file():
        raise AgentFileError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location(f"parley_agents_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise AgentFileError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # the researcher's code: any failure is a clear message
        raise AgentFileError(f"{path}: failed to import: {type(e).__name__}: {e}") from e
    found = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and callable(getattr(cls, "act", None))
    ]
    if not found:
        raise AgentFileError(f"{path}: no agent class (a class with a name and an act method)")
    names = []
    for cls in found:
        try:
            if cls.name in agents.strategies.SHIPPED:
                raise AgentError(f"{cls.name}: the name of a shipped strategy")
            names.append(agents.register(cls))
        except (AgentError, AttributeError) as e:
            raise AgentFileError(f"{path}: {e}") from e
    return names


def seen_count(state: Any) -> int:
    """What an agent has seen, for its decision's seed: the offers and chat lines (the offers
    protocol), or every event folded (a protocol with a middle seat, where an agent plays a
    party: game.core.agents.middle)."""
    if len(protocols.seats(state)) > 2:
        return state.events
    return len(state.offers) + len(state.chat)


class Runner:
    def __init__(self, hub: Hub, push: Callable[[set[str]], None]):
        self.hub = hub
        self.push = push
        self.memory: dict[str, dict] = {}
        self.made: dict[str, Any] = {}
        self.seen: dict[str, tuple] = {}
        self.ready_at: dict[str, float] = {}
        self.broken: set[str] = set()

    def loop(self, sleep: Callable[[float], Any]) -> None:
        while True:
            sleep(TICK_S)
            try:
                self.step()
            except Exception:  # the loop must outlive any one failure
                log.exception("agents loop")

    def step(self) -> None:
        hub = self.hub
        now = hub.clock()
        for s in hub.list_sessions():
            if not s.agents or not s.waiting or s.agents.get("mode") == "simulation":
                continue
            wait = s.agents.get("wait_s", 0.0)
            for pid in list(s.waiting):
                p = hub.participant(pid)
                since = None if p is None else p.first_waited or p.waiting_since  # a study's: 1st
                if since is not None and p.waiting_since is not None and now >= since + wait:
                    self.push(hub.pair_with_agent(pid))
        for p, n in hub.agent_seats():
            if p.id not in self.broken:
                self.turn(hub.session(n.code), n, p, now)

    def agent(self, p: Any) -> Any:
        a = self.made.get(p.id)
        if a is None:
            a = self.made[p.id] = agents.make(p.strategy, p.params)
        return a

    def turn(self, s: Any, n: Any, p: Any, now: float) -> None:
        state = n.state
        role = n.seat(p.id)
        seen = seen_count(state)
        sig = (n.id, state.events)
        if self.seen.get(p.id) != sig:
            self.seen[p.id] = sig
            lo, hi = s.agents.get("think_s") or (2.0, 5.0)
            rng = decision_rng(s.seed, n.condition_index, role, seen)
            self.ready_at[p.id] = now + think_time(rng, lo, hi)
        if now < self.ready_at.get(p.id, math.inf):
            return
        try:
            agent = self.agent(p)
            rng = decision_rng(s.seed, n.condition_index, role, seen)
            step = agent.act(self.hub.view(p.id), self.memory.setdefault(p.id, {}), rng, now)
        except Exception:
            log.exception("agent %s (%s) failed; it stops acting", p.id, p.strategy)
            self.broken.add(p.id)
            return
        if step is None or step.kind is None:
            wait = step.wait if step is not None else None
            self.ready_at[p.id] = now + wait if wait else math.inf  # until the next change
            return
        answer, touched = self.hub.act(AGENT_SID + p.id, step.kind, step.payload)
        if not answer.get("ok"):
            log.warning("agent %s (%s): %s refused: %s", p.id, p.strategy, step.kind, answer)
            self.ready_at[p.id] = math.inf
        self.push(touched)
