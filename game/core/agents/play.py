"""Agent against agent, without a network: the protocol's parse, apply and fold, on a virtual
clock (each action after the agent's think time). Pure: it returns the events, which the shell
stores as an ordinary session (game.server.simulate)."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from game.core.agents.base import AgentError, decision_rng, think_time
from game.core.protocols.common import RuleError
from game.core.views import offer_view


@dataclass
class Played:
    state: Any  # the protocol's final State
    events: list[tuple[int | None, dict]]  # (role index of who acted or None, event)
    views: int  # how many views the agents were given


class Views:
    """The views of one open negotiation for its two roles, equal to the protocol's
    (``views.negotiation_view``; tests compare them at every step) but with the parts that never
    change while it is open built once: the role's table and each offer's view."""

    def __init__(self, protocol: ModuleType, state: Any, partners: tuple[str, str]):
        roles = state.scenario.role_ids
        self.protocol = protocol
        self.partners = partners
        self.first = {
            r: protocol.view(state, r, partner={"name": partners[1 - k], "connected": True})
            for k, r in enumerate(roles)
        }
        self.offers: dict[str, list[dict]] = {r: [] for r in roles}

    def view(self, state: Any, role: str, now: float) -> dict:
        k = state.scenario.role_index(role)
        if not state.is_open:
            return agent_view(self.protocol, state, role, now, self.partners[1 - k])
        shown = self.offers[role]
        for o in state.offers[len(shown) :]:
            shown.append(offer_view(o, k))
        lo, hi = state.package_bounds(role)
        neg = dict(self.first[role])
        neg.update(
            condition_rule=self.protocol.condition_rule(state, role),
            turn=state.turn,
            offers_left=state.offers_left,
            package_bounds=[lo, hi],
            offers=list(shown),
            chat=[dict(c) for c in state.chat],
        )
        return {"phase": "negotiating", "server_time": now, "negotiation": neg, "lobby": None}


def as_sent(neg: dict, is_open: bool, now: float) -> dict:
    """A participant's state around the protocol's view of its negotiation, as a human is sent
    it while paired (no lobby)."""
    return {
        "phase": "negotiating" if is_open else "done",
        "server_time": now,
        "negotiation": neg,
        "lobby": None,
    }


def agent_view(protocol: ModuleType, state: Any, role: str, now: float, partner: str) -> dict:
    """What a human of ``role`` is sent (the ``negotiation`` part is the protocol's view)."""
    neg = protocol.view(state, role, partner={"name": partner, "connected": True})
    return as_sent(neg, state.is_open, now)


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
    cache = Views(protocol, state, names)
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
        view = cache.view(state, role, now)
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
        try:
            events = protocol.apply(
                state, role, protocol.parse_action(step.kind, step.payload), now
            )
        except RuleError as e:  # a strategy's mistake (one loaded from a file): named
            raise AgentError(f"{agents[k].name} ({role}): {e.code}: {e.message}") from e
        state = protocol.replay(state, events)
        out.extend((k, e) for e in events)
    if state.is_open:
        raise AgentError(f"the negotiation did not end within {limit} steps")
    return Played(state, out, views)
