"""Benchmark: simulated negotiations a second on one core, Parley's agents against NegMAS.

For every shipped scenario (its offer limit set to 20), plays each shipped strategy against
itself through ``game.server.simulate`` (the protocol's parse, apply and fold, and the event log
written in batched transactions to a fresh SQLite file) and reports negotiations a second of
CPU time (``time.process_time``: one core, whatever else the machine runs), the offers per
negotiation and the share that agreed. In the same run, NegMAS's SAO mechanism plays its own
time-based negotiators (Boulware, Linear, Conceder) on the same scenario with the same 20-offer
limit (10 steps of one offer each side), in memory with nothing stored.

    python bench/simulate.py               # 300 runs per cell (MESO: 100)
    python bench/simulate.py --runs 1000

NegMAS is installed only for this benchmark (``pip install negmas``), never a dependency; without
it the comparison is skipped and says so. Exits 1 if a time-based strategy plays fewer than
500 negotiations a second on a shipped scenario.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from game.core.scenario import Scenario, load_dir  # noqa: E402
from game.paths import SCENARIOS  # noqa: E402
from game.server.simulate import simulate  # noqa: E402
from game.server.store import Store  # noqa: E402

OFFERS = 20
TIME_BASED = ("boulware", "linear", "conceder")
OTHERS = ("meso", "scripted", "tit_for_tat")
GOAL = 500.0


def parley(store: Store, sc: Scenario, strategy: str, runs: int) -> tuple[float, float, float]:
    t = time.process_time()
    code = simulate(store, sc, (strategy, strategy), runs=runs, seed=1)
    dt = time.process_time() - t
    rows = store.read("SELECT status FROM negotiations WHERE session_code = ?", [code])
    offers = store.read(
        "SELECT count(*) AS n FROM events WHERE session_code = ? AND type = 'proposed'", [code]
    )[0]["n"]
    agreed = sum(r["status"] == "agreed" for r in rows)
    return runs / dt, offers / runs, agreed / runs


def negmas_setup(sc: Scenario):
    from negmas import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    issues = [make_issue([o.id for o in i.options], name=i.id) for i in sc.issues]
    space = make_os(issues)
    ufuns = []
    for k in (0, 1):
        values = {i.id: TableFun({o.id: float(o.points[k]) for o in i.options}) for i in sc.issues}
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values, outcome_space=space, reserved_value=float(sc.roles[k].batna)
            )
        )
    return space, ufuns


def negmas_run(sc: Scenario, name: str, runs: int) -> tuple[float, float, float]:
    from negmas import SAOMechanism
    from negmas.sao import BoulwareTBNegotiator, ConcederTBNegotiator, LinearTBNegotiator

    cls = {
        "boulware": BoulwareTBNegotiator,
        "linear": LinearTBNegotiator,
        "conceder": ConcederTBNegotiator,
    }[name]
    space, ufuns = negmas_setup(sc)
    agreed = offers = 0
    t = time.process_time()
    for _ in range(runs):
        m = SAOMechanism(outcome_space=space, n_steps=OFFERS // 2)
        m.add(cls(ufun=ufuns[0]))
        m.add(cls(ufun=ufuns[1]))
        state = m.run()
        agreed += state.agreement is not None
        offers += len(m.extended_trace)
    dt = time.process_time() - t
    return runs / dt, offers / runs, agreed / runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=300, help="negotiations per cell (default 300)")
    args = ap.parse_args()
    try:
        import negmas

        have_negmas = negmas.__version__
    except ImportError:
        have_negmas = None
    print(f"python bench/simulate.py --runs {args.runs}")
    print(f"Python {platform.python_version()} on {platform.machine()}; negotiations a second of")
    print(f"CPU time on one core; offer limit {OFFERS}; NegMAS {have_negmas or 'not installed'}")
    print()
    print(f"{'scenario':<18} {'strategy':<12} {'parley/s':>9} {'offers':>7} {'agreed':>7}"
          f" {'negmas/s':>9} {'offers':>7} {'agreed':>7}")  # fmt: skip
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for sc in load_dir(SCENARIOS):
            sc = replace(sc, max_offers=OFFERS)
            for strategy in TIME_BASED + OTHERS:
                runs = args.runs if strategy != "meso" else max(1, args.runs // 3)
                store = Store(Path(tmp) / f"{sc.id}-{strategy}.db")  # a fresh file per cell
                gc.collect()
                rate, offers, agreed = parley(store, sc, strategy, runs)
                store.close()
                line = f"{sc.id:<18} {strategy:<12} {rate:>9.0f} {offers:>7.1f} {agreed:>7.0%}"
                if strategy in TIME_BASED:
                    if rate < GOAL:
                        failed.append(f"{sc.id} {strategy}: {rate:.0f}/s")
                    if have_negmas:
                        n_rate, n_offers, n_agreed = negmas_run(sc, strategy, runs)
                        line += f" {n_rate:>9.0f} {n_offers:>7.1f} {n_agreed:>7.0%}"
                    else:
                        line += f" {'(NegMAS not installed: pip install negmas)':>25}"
                print(line, flush=True)
    print()
    print("parley/s: simulate() with the event log written to SQLite in batched transactions;")
    print("negmas/s: SAOMechanism in memory, nothing stored (its own time-based negotiators).")
    if failed:
        print(f"below {GOAL:.0f} negotiations a second: " + "; ".join(failed))
        return 1
    print(f"every time-based strategy at or above {GOAL:.0f} negotiations a second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
