"""Agent against agent, without a network: the protocol's parse, apply and fold, on a virtual
clock (each action after the agent's think time). Pure: it returns the events, which the shell
stores as an ordinary session (game.server.simulate)."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from game.core.agents.base import AgentError, decision_rng, think_time


@dataclass
class Played:
    state: Any  # the protocol's final State
    events: list[tuple[int | None, dict]]  # (role index of who acted or None, event)
    views: int  # how many views the agents were given


def agent_view(protocol: ModuleType, state: Any, role: str, now: float, partner: str) -> dict:
    """What a human of ``role`` is sent (the ``negotiation`` part is the protocol's view)."""
    neg = protocol.view(state, role, partner={"name": partner, "connected": True})
    return {
        "phase": "negotiating" if state.is_open else "done",
        "server_time": now,
        "negotiation": neg,
        "lobby": None,
    }


def play(
    protocol: ModuleType,
    state: Any,
    agents: tuple[Any, Any],
    *,
    seed: Any,
    index: int,
    think: tuple[float, float] = (2.0, 5.0),
    names: tuple[str, str] = ("agent 1", "agent 2"),
    watch: Any = None,
) -> Played:
    """Play one negotiation to its end. ``agents`` by role index; ``watch(role, view)``, when
    given, sees every view an agent is given (tests check them for privacy)."""
    sc = state.scenario
    roles = sc.role_ids
    memories: tuple[dict, dict] = ({}, {})
    out: list[tuple[int | None, dict]] = []
    now = state.started_at
    views = 0
    idle = 0
    limit = 4 * state.max_offers + 50
    for _ in range(limit):
        if not state.is_open:
            break
        role = state.turn
        k = roles.index(role)
        seen = len(state.offers) + len(state.chat)
        rng = decision_rng(seed, index, role, seen)
        now += think_time(rng, *think)
        due = protocol.due(state, now)
        if due:
            state = protocol.replay(state, due)
            out.extend((None, e) for e in due)
            break
        view = agent_view(protocol, state, role, now, names[1 - k])
        views += 1
        if watch is not None:
            watch(role, view)
        step = agents[k].act(view, memories[k], rng, now)
        if step is None or step.kind is None:
            idle += 1
            wait = step.wait if step is not None and step.wait else None
            if wait is None or idle > 20:
                if state.deadline is None:
                    raise AgentError(
                        f"{agents[k].name}: did nothing on its turn and there is no deadline"
                    )
                now = max(now, state.deadline)
            else:
                now += wait
            continue
        idle = 0
        action = protocol.parse_action(step.kind, step.payload)
        events = protocol.apply(state, role, action, now)
        state = protocol.replay(state, events)
        out.extend((k, e) for e in events)
    if state.is_open:
        raise AgentError(f"the negotiation did not end within {limit} steps")
    return Played(state, out, views)
