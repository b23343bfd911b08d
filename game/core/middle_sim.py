"""A simulation of the processes with a computer in the middle, through the protocols' rules.

The parties are simple concession rules of this module (the computer counterparts of the
offers protocol answer offers, not drafts or proposals). A party's *aspiration* falls from its
best package's value to its BATNA over the allowed steps: after step ``t`` of ``T`` it is
``best - (best - batna) * (t / T) ** (1 / e)``, with ``e`` its concession exponent (above 1
concedes early, below 1 holds out, as in the time-dependent tactics of the field).

- **In a single text** a party endorses a draft worth at least its aspiration; otherwise it
  marks to change the issues where the draft costs it most (its best option instead), just
  enough of them to reach its aspiration, at most two, and marks the rest acceptable.
- **In mediation** a party confides, at the start, its issues of largest spread (all of them,
  or the top half, as told), and accepts a proposal worth at least its aspiration.

Every action goes through ``parse_action``/``apply``/``replay``, so the simulated negotiations
are played under the same rules as people's; :func:`run` returns one row per negotiation.
"""

from __future__ import annotations

from typing import Any

from game.core import analysis, computer_middle, middle_scoring, scoring
from game.core.protocols import mediated, single_text
from game.core.scenario import Scenario

EXPONENTS = (0.5, 1.0, 2.0)


def _best_value(sc: Scenario, k: int) -> float:
    return sum(max(o.points[k] for o in i.options) for i in sc.issues)


def aspiration(sc: Scenario, k: int, step: int, steps: int, e: float) -> float:
    best, batna = _best_value(sc, k), sc.batnas[k]
    t = min(1.0, step / max(1, steps - 1))
    return max(batna, best - (best - batna) * t ** (1 / e))


def _act(rules, state, seat: str, kind: str, payload: dict, now: float):
    events = rules.apply(state, seat, rules.parse_action(kind, payload), now)
    return rules.replay(state, events)


def party_marks(sc: Scenario, role: str, package: dict, target: float) -> dict | None:
    """A party's marks of a draft: None to endorse it, else the marks (see the module)."""
    k = sc.role_index(role)
    value = sc.points(package)[k]
    if value >= target:
        return None
    losses = []
    for issue in sc.issues:
        best = max(issue.options, key=lambda o: o.points[k])
        here = issue.option(package[issue.id]).points[k]
        if best.points[k] > here:
            losses.append((best.points[k] - here, issue.id, best.id))
    losses.sort(key=lambda x: -x[0])
    marks = {i.id: {"ok": True} for i in sc.issues}
    gained = 0.0
    for loss, issue_id, option_id in losses[:2]:
        marks[issue_id] = {"ok": False, "option": option_id, "comment": "this matters to us"}
        gained += loss
        if value + gained >= target:
            break
    return marks


def play_single_text(sc: Scenario, exps: tuple[float, float], *, nid: str = "sim") -> Any:
    rules = single_text
    state = rules.new_state(nid, sc, "single_text", started_at=0.0)
    now, steps = 0.0, state.max_offers
    while state.is_open:
        now += 1
        v = rules.view(state, rules.MIDDLE)
        proposal = computer_middle.facilitator_draft(v)
        if proposal is not None:
            if state.offers_left == 0:
                state = rules.replay(state, rules.end_by_instructor(state, now))
                break
            state = _act(rules, state, rules.MIDDLE, "draft", proposal, now)
            continue
        d = state.latest
        for k, role in enumerate(sc.role_ids):
            if not state.is_open or role in d.marks or role in d.endorsed:
                continue
            target = aspiration(sc, k, d.seq - 1, steps, exps[k])
            marks = party_marks(sc, role, d.package, target)
            if marks is None:
                state = _act(rules, state, role, "endorse", {"draft_id": d.id}, now)
            else:
                state = _act(rules, state, role, "mark", {"draft_id": d.id, "marks": marks}, now)
    return state


def play_mediated(
    sc: Scenario, exps: tuple[float, float], *, confide: str = "all", nid: str = "sim"
) -> Any:
    rules = mediated
    state = rules.new_state(nid, sc, "mediated", started_at=0.0)
    now, steps = 0.0, state.max_offers
    for k, role in enumerate(sc.role_ids):
        spread = sorted(
            sc.issues,
            key=lambda i: (
                -(max(o.points[k] for o in i.options) - min(o.points[k] for o in i.options))
            ),
        )
        chosen = spread if confide == "all" else spread[: (len(spread) + 1) // 2]
        if confide != "none":
            state = _act(rules, state, role, "confide", {"issues": [i.id for i in chosen]}, 0.0)
    while state.is_open:
        now += 1
        proposal = computer_middle.mediator_proposal(rules.view(state, rules.MIDDLE))
        if proposal is None or state.offers_left == 0:
            state = rules.replay(state, rules.end_by_instructor(state, now))
            break
        state = _act(rules, state, rules.MIDDLE, "propose", proposal, now)
        p = state.latest
        for k, role in enumerate(sc.role_ids):
            if not state.is_open:
                break
            ok = p.points[k] >= aspiration(sc, k, p.seq - 1, steps, exps[k])
            state = _act(rules, state, role, "answer", {"proposal_id": p.id, "accept": ok}, now)
    return state


PROCESSES = {
    "single_text": lambda sc, exps: play_single_text(sc, exps),
    "mediated_all": lambda sc, exps: play_mediated(sc, exps, confide="all"),
    "mediated_half": lambda sc, exps: play_mediated(sc, exps, confide="half"),
}


def run(scenarios: list[Scenario], exponents: tuple[float, ...] = EXPONENTS) -> list[dict]:
    """One row per (scenario, process, pair of exponents): the outcome and its distances."""
    rows = []
    for sc in scenarios:
        front = analysis.frontier(sc)
        for name, play in PROCESSES.items():
            for e0 in exponents:
                for e1 in exponents:
                    state = play(sc, (e0, e1))
                    m = scoring.score(state, frontier=front)
                    mm = middle_scoring.measures(state, frontier=front)
                    rows.append(
                        {
                            "scenario": sc.id,
                            "process": name,
                            "exponents": (e0, e1),
                            "agreed": state.status == "agreed",
                            "steps": mm["steps"],
                            "efficiency": m["efficiency"],
                            "distance": m["distance_to_frontier_normalized"],
                            "pareto_optimal": m["pareto_optimal"],
                        }
                    )
    return rows


def summary(rows: list[dict]) -> list[dict]:
    """Per scenario and process: agreements, mean steps, and (over agreements) the mean
    normalised distance to the frontier, the mean efficiency and the share on the frontier."""
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
                "distance": _mean([r["distance"] for r in deals]),
                "efficiency": _mean([r["efficiency"] for r in deals]),
                "on_frontier": _mean([1.0 if r["pareto_optimal"] else 0.0 for r in deals]),
            }
        )
    return out


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def table(rows: list[dict]) -> str:
    lines = [
        f"{'scenario':<18} {'process':<14} {'agreed':>7} {'steps':>6} {'distance':>9} "
        f"{'efficiency':>10} {'on frontier':>11}"
    ]
    for s in summary(rows):

        def f(x: float | None, fmt: str) -> str:
            return "-" if x is None else format(x, fmt)

        lines.append(
            f"{s['scenario']:<18} {s['process']:<14} {s['agreed']:>3}/{s['runs']:<3} "
            f"{s['steps']:>6.1f} {f(s['distance'], '9.3f')} {f(s['efficiency'], '10.3f')} "
            f"{f(s['on_frontier'], '11.2f')}"
        )
    return "\n".join(lines)
