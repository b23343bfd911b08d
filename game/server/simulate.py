"""``python run.py simulate``: computer counterparts against each other, stored as a session.

Each negotiation is played by :func:`game.core.agents.play.play` through the session's protocol
(parse, apply, fold: the rules that judge humans) on a virtual clock, then written to the event
log like a live one, many negotiations to a transaction. The session is ordinary: ``export``,
the debrief and the analysis read it unchanged; its ``agents`` setting says it was simulated.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from collections.abc import Callable
from typing import Any

from game.core import agents, lobby, protocols
from game.core.agents import seating
from game.core.agents.play import Played, play
from game.core.middle_sim import play_middle
from game.core.scenario import Scenario
from game.server import records
from game.server.records import Negotiation, Participant, Session
from game.server.store import Store, delete_session, iso

BATCH = 200  # negotiations per transaction
_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps builds one per call


def bulk(store: Store, negotiations: list[dict], events: list[dict]) -> None:
    """Many finished negotiations and their events in one transaction: rows as
    ``Store.add_negotiation`` and ``Store.append`` take them."""
    cols = list(negotiations[0]) if negotiations else []
    with store.transaction():
        if negotiations:
            store.conn.executemany(
                f"INSERT INTO negotiations ({', '.join(cols)}) VALUES "
                f"({', '.join('?' for _ in cols)})",
                [tuple(r[c] for c in cols) for r in negotiations],
            )
        store.conn.executemany(
            "INSERT INTO events (session_code, negotiation_id, participant_id, type, payload,"
            " at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r["session_code"],
                    r["negotiation_id"],
                    r["participant_id"],
                    r["type"],
                    _COMPACT.encode(
                        {k: v for k, v in r["payload"].items() if k != "type" and k != "at"}
                    ),
                    r["at"],
                    iso(r["at"]),
                )
                for r in events
            ],
        )


def resolve(store: Store, name: str, scenarios_dir: Any) -> Scenario:
    """A scenario file, or the id of a shipped or stored scenario; ValueError naming it."""
    from pathlib import Path

    from game.server.catalog import Catalog

    path = Path(name)
    if path.suffix == ".json" or path.exists():
        from game.core.scenario import load_file

        return load_file(path)
    sc = Catalog(store, scenarios_dir).get(name)
    if sc is None:
        raise ValueError(f"SCENARIO: no scenario file or scenario id {name!r}")
    return sc


def progress_bar(out=sys.stderr) -> Callable[[int, int], None]:
    """A progress bar drawn on ``out`` (stderr), redrawn at each whole percent."""
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = done * 100 // max(1, total)
        if pct == last[0] and done != total:
            return
        last[0] = pct
        bar = "#" * (pct // 4)
        out.write(f"\r[{bar:<25}] {done}/{total} negotiations")
        if done == total:
            out.write("\n")
        out.flush()

    return show


def protocol_of(conditions: list[str], strategies: tuple[str, str], made: list) -> str:
    """The protocol of a simulated session of ``conditions`` (``mixed`` when they come from
    several); ValueError naming an unknown condition or an agent that does not play it."""
    try:
        owners = {protocols.for_condition(c).NAME for c in conditions}
    except KeyError as e:
        known = ", ".join(protocols.all_conditions())
        raise ValueError(f"--conditions: unknown condition {e.args[0]!r} (known: {known})") from e
    for name in sorted(owners):
        for strategy, a in zip(strategies, made, strict=True):
            if not seating.plays(type(a), name):
                raise ValueError(
                    f"--agents: {strategy} does not play the {name} protocol (its class lists "
                    "the protocols it plays in 'protocols', docs/agents.md)"
                )
    return owners.pop() if len(owners) == 1 else protocols.MIXED


def simulate(
    store: Store,
    sc: Scenario,
    strategies: tuple[str, str],
    *,
    runs: int = 1,
    seed: int = 0,
    params: tuple[dict | None, dict | None] = (None, None),
    conditions: list[str] | None = None,
    think: tuple[float, float] = (2.0, 5.0),
    progress: Callable[[int, int], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> str:
    """Play ``runs`` negotiations of ``strategies[0]`` (the scenario's first role) against
    ``strategies[1]`` and store them as a new session; its code. AgentError for an unknown
    strategy or bad parameters (nothing stored)."""
    made = [agents.make(s, p) for s, p in zip(strategies, params, strict=True)]
    if not isinstance(runs, int) or runs < 1:
        raise ValueError("--runs: must be a whole number of at least 1")
    conditions = conditions or ["any"]
    protocol_name = protocol_of(conditions, strategies, made)
    t0 = clock()
    code = lobby.make_code()
    while store.read("SELECT 1 FROM sessions WHERE code = ?", [code]):
        code = lobby.make_code()
    setting = {
        "mode": "simulation",
        "strategies": list(strategies),
        "params": [getattr(a, "params", None) or {} for a in made],
        "think_s": list(think),
    }
    s = Session(
        code, sc, conditions, sc.time_limit_s, sc.max_offers, "arrival", seed=seed, round=0,
        created_at=iso(t0), protocol=protocol_name, agents=setting,
        middle="computer" if protocols.has_middle(protocol_name, conditions) else "players",
    )  # fmt: skip
    seats = []
    for k, (a, strategy) in enumerate(zip(made, strategies, strict=True)):
        pid = "p_" + secrets.token_hex(6)
        seats.append(
            Participant(
                pid,
                code,
                f"{strategy} ({sc.roles[k].name})",
                "",
                lobby.make_token(),
                iso(t0),
                k + 1,
                kind="agent",
                strategy=strategy,
                params=getattr(a, "params", None) or {},
            )  # fmt: skip
        )
    store.add_session(records.session_row(s))
    for p in seats:
        store.add_participant(records.participant_row(p), at=t0)
    names = (seats[0].name, seats[1].name)
    pids = (seats[0].id, seats[1].id)
    try:
        _play_all(store, s, made, pids, names, runs, think, progress, t0)
    except (agents.AgentError, protocols.RuleError) as e:  # a strategy's mistake: no half session
        delete_session(store, code)
        raise agents.AgentError(f"the simulation stopped, nothing kept: {e}") from e
    return code


def _play_all(store, s, made, pids, names, runs, think, progress, t0) -> None:
    """Play and store the ``runs`` negotiations of the simulated session ``s``."""
    code, sc, seed = s.code, s.scenario, s.seed
    neg_rows: list[dict] = []
    ev_rows: list[dict] = []
    for i in range(runs):
        condition = lobby.condition_for(s.conditions, seed, i)
        rules = s.rules_for(condition)
        nid = "n_" + secrets.token_hex(6)
        state = rules.new_state(
            nid, sc, condition, started_at=t0, max_offers=s.max_offers, time_limit_s=s.time_limit_s
        )
        n = Negotiation(nid, code, 0, pids, i, state)
        if hasattr(rules, "MIDDLE"):  # the computer in the middle, the agents as the parties
            log: list = []
            final = play_middle(rules, sc, tuple(made), seed=seed, index=i, state=state, log=log)
            played = Played(final, log, 0)
        else:
            played = play(rules, state, tuple(made), seed=seed, index=i, think=think, names=names)
        row = records.negotiation_row(s, n)
        final = played.state
        row.update(
            status=final.status, end_reason=final.outcome.reason, ended_at=iso(final.ended_at)
        )
        neg_rows.append(row)
        ev_rows.append(records.paired_event(s, n))
        for k, e in played.events:
            ev_rows.append(
                {
                    "session_code": code,
                    "negotiation_id": nid,
                    "participant_id": None if k is None else pids[k],
                    "type": e["type"],
                    "payload": e,
                    "at": e["at"],
                }
            )
        if len(neg_rows) >= BATCH or i == runs - 1:
            bulk(store, neg_rows, ev_rows)
            neg_rows, ev_rows = [], []
        if progress is not None:
            progress(i + 1, runs)
