"""A simulation of the processes with a computer in the middle, beside direct negotiation, with
the same computer counterparts (issue 11's agents, :mod:`game.core.agents`) as the parties.

Each shipped scenario is played by every ordered pair of the time-based strategies
(:data:`STRATEGIES`) in four processes:

- ``offers``: the direct offers protocol, agent against agent (:func:`game.core.agents.play.play`,
  condition ``single``);
- ``single_text``: the computer facilitator (:func:`computer_middle.facilitator_draft`) and the
  two agents as parties, marking and endorsing drafts (:mod:`game.core.agents.middle`);
- ``mediated_all`` and ``mediated_half``: the computer mediator and the two agents, who confide
  all their issues or the top half (the agents' ``confide`` parameter) and answer proposals.

Every action goes through the protocol's ``parse_action``/``apply``/``replay``, and each agent
is given the protocol's own view of its seat, so the simulated negotiations are played under the
same rules and with the same knowledge as people's. A negotiation in which nobody can act any
more (every proposal or draft made and none accepted, nobody walking) runs out of time (reason
``deadline``; with no time limit, it is ended as the instructor would end it). :func:`run`
returns one row per negotiation.
"""

from __future__ import annotations

from typing import Any

from game.core import agents, analysis, computer_middle, middle_scoring, scoring
from game.core.agents.base import AgentError, decision_rng
from game.core.agents.play import as_sent, play
from game.core.protocols import mediated, offers, single_text
from game.core.protocols.common import RuleError
from game.core.scenario import Scenario
from game.core.stats import mean

STRATEGIES = ("boulware", "linear", "conceder")
PROCESSES = ("offers", "single_text", "mediated_all", "mediated_half")
SEED = 7


def party_view(rules: Any, state: Any, role: str, now: float) -> dict:
    """What a human party of ``role`` is sent: the protocol's own view of its seat."""
    others = {r: {"name": "Computer", "connected": True} for r in state.seats if r != role}
    return as_sent(rules.view(state, role, others=others), state.is_open, now)


def play_middle(
    rules: Any,
    sc: Scenario,
    parties: tuple[Any, Any],
    *,
    seed: Any = SEED,
    index: int = 0,
    nid: str = "sim",
    watch: Any = None,
    state: Any = None,
    log: list | None = None,
) -> Any:
    """One negotiation of ``rules`` (mediated or single_text) with the computer in the middle
    and ``parties`` (agents, by role index) to its end; the final state. ``watch(role, view,
    step, state)``, when given, sees every view a party is given, what it did, and the state
    the view was built from (tests check the views for privacy). ``state``: the negotiation
    to play (by default a new one started at 0, a second a step); ``log``, when given, gets
    every event as ``(role index of who acted, or None for the middle seat, event)``."""
    if state is None:
        state = rules.new_state(nid, sc, rules.CONDITIONS[0], started_at=0.0)
    out = log if log is not None else []
    roles = sc.role_ids
    memories: tuple[dict, dict] = ({}, {})
    now = state.started_at
    for n in range(8 * state.max_offers + 20):
        if not state.is_open:
            break
        now += 1
        events = computer_middle.events(rules, state, now)
        if events:
            state = rules.replay(state, events)
            out.extend((None, e) for e in events)
            continue
        acted = False
        for k in (0, 1) if n % 2 == 0 else (1, 0):  # who looks first alternates
            role = roles[k]
            view = party_view(rules, state, role, now)
            rng = decision_rng(seed, index, role, state.events)
            step = parties[k].act(view, memories[k], rng, now)
            if watch is not None:
                watch(role, view, step, state)
            if step is None or step.kind is None:
                continue
            try:
                events = rules.apply(state, role, rules.parse_action(step.kind, step.payload), now)
            except RuleError as e:  # a strategy's mistake (one loaded from a file): named
                raise AgentError(f"{parties[k].name} ({role}): {e.code}: {e.message}") from e
            state = rules.replay(state, events)
            out.extend((k, e) for e in events)
            acted = True
            break
        if not acted:
            break  # nobody can act any more
    if state.is_open:  # nobody can act any more: the time runs out (or, with no time limit,
        # the negotiation is ended as the instructor would end it)
        if state.deadline is not None:
            now = max(now, state.deadline)
            events = rules.due(state, now)
        else:
            events = rules.end_by_instructor(state, now)
        state = rules.replay(state, events)
        out.extend((None, e) for e in events)
    return state


def play_process(process: str, sc: Scenario, pair: tuple[str, str], *, index: int = 0) -> Any:
    """One negotiation of ``process`` between the strategies ``pair`` (by role index)."""
    if process == "offers":
        made = (agents.make(pair[0]), agents.make(pair[1]))
        state = offers.new_state("sim", sc, "single", started_at=0.0)
        return play(offers, state, made, seed=SEED, index=index, think=(1.0, 1.0)).state
    if process == "single_text":
        made = (agents.make(pair[0]), agents.make(pair[1]))
        return play_middle(single_text, sc, made, index=index)
    how = process.removeprefix("mediated_")
    made = tuple(agents.make(s, {"confide": how}) for s in pair)
    return play_middle(mediated, sc, made, index=index)


def run(
    scenarios: list[Scenario],
    strategies: tuple[str, ...] = STRATEGIES,
    processes: tuple[str, ...] = PROCESSES,
) -> list[dict]:
    """One row per (scenario, process, ordered pair of strategies): the outcome and its
    distances to the frontier."""
    rows = []
    for sc in scenarios:
        front = analysis.frontier(sc)
        for process in processes:
            index = 0
            for a in strategies:
                for b in strategies:
                    state = play_process(process, sc, (a, b), index=index)
                    index += 1
                    m = scoring.score(state, frontier=front)
                    if process == "offers":
                        steps = len(state.offers)
                    else:
                        steps = middle_scoring.measures(state, frontier=front)["steps"]
                    rows.append(
                        {
                            "scenario": sc.id,
                            "process": process,
                            "pair": (a, b),
                            "agreed": state.status == "agreed",
                            "steps": steps,
                            "efficiency": m["efficiency"],
                            "distance": m["distance_to_frontier_normalized"],
                            "pareto_optimal": m["pareto_optimal"],
                        }
                    )
    return rows


def summary(rows: list[dict]) -> list[dict]:
    """Per scenario and process: agreements, mean steps (offers, proposals or drafts), and (over
    agreements) the mean normalised distance to the frontier, the mean efficiency and the share
    on the frontier."""
    out = []
    keys = list(dict.fromkeys((r["scenario"], r["process"]) for r in rows))
    for scenario_id, process in keys:
        group = [r for r in rows if r["scenario"] == scenario_id and r["process"] == process]
        deals = [r for r in group if r["agreed"]]
        out.append(
            {
                "scenario": scenario_id,
                "process": process,
                "runs": len(group),
                "agreed": len(deals),
                "steps": sum(r["steps"] for r in group) / len(group),
                "distance": mean([r["distance"] for r in deals]),
                "efficiency": mean([r["efficiency"] for r in deals]),
                "on_frontier": mean([1.0 if r["pareto_optimal"] else 0.0 for r in deals]),
            }
        )
    return out


def table(rows: list[dict]) -> str:
    lines = [
        f"{'scenario':<18} {'process':<14} {'agreed':>7} {'steps':>6} {'distance':>9} "
        f"{'efficiency':>10} {'on frontier':>11}"
    ]

    def f(x: float | None, fmt: str) -> str:
        return format("-", ">" + fmt.split(".")[0]) if x is None else format(x, fmt)

    for s in summary(rows):
        lines.append(
            f"{s['scenario']:<18} {s['process']:<14} {s['agreed']:>3}/{s['runs']:<3} "
            f"{s['steps']:>6.1f} {f(s['distance'], '9.3f')} {f(s['efficiency'], '10.3f')} "
            f"{f(s['on_frontier'], '11.2f')}"
        )
    return "\n".join(lines)
