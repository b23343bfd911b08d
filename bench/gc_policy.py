"""The serving process's garbage-collection policy against CPython's own, in the same run.

Plays bench/ceiling.py's step (real Socket.IO clients at class pace, full negotiations, on a
freshly started server) at the same number of pairs, alternately with the policy of
game/server/collector.py (freeze the heap every 10 s while a class plays) and with
``PARLEY_GC=default`` (CPython's own collection: the baseline), ``--reps`` times each, and
prints both rows and the medians of their p99 and maximum latencies.

    python bench/gc_policy.py                      # 600 pairs, 2 runs each
    python bench/gc_policy.py --pairs 800 --reps 3 --pin
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ceiling  # noqa: E402 - bench/ceiling.py, next to this file
import load  # noqa: E402

MODES = {"default": "env PARLEY_GC=default " + load.SERVER_CMD, "policy": load.SERVER_CMD}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=600, help="pairs a run (default 600)")
    parser.add_argument("--reps", type=int, default=2, help="runs of each mode (default 2)")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--limit-ms", type=float, default=100.0)
    parser.add_argument("--wait-quiet", type=float, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pin", action="store_true", help="as bench/ceiling.py --pin")
    args = parser.parse_args(argv)
    args.dump = None
    pin = ""
    if args.pin:
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2 or not shutil.which("taskset"):
            parser.error("--pin needs two cores or more and taskset")
        pin = f"taskset -c {cores[0]} "
        os.sched_setaffinity(0, cores[1:])
    load.raise_open_files(1 << 20)
    workdir = Path(tempfile.mkdtemp(prefix="parley-gc-"))
    scenario = load.bench_scenario(max(args.rounds + 2, 12))
    print(
        f"python bench/gc_policy.py {' '.join(argv or sys.argv[1:])}\n"
        f"{time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores: {args.pairs} pairs, "
        f"{args.reps} run(s) of each mode, alternating",
        flush=True,
    )
    results: dict[str, list[dict]] = {m: [] for m in MODES}
    cleanup: list = []
    try:
        for rep in range(args.reps):
            for mode, cmd in MODES.items():
                args.server_cmd = pin + cmd
                print(f"  {mode}, run {rep + 1} ... load average {ceiling.loadavg()}", flush=True)
                step = ceiling.phase_args(args, args.pairs, rep)
                step.run_tag += f"-{mode}"  # each run its own database and logs
                r = load.run_negotiation_phase("parley", step, workdir, scenario, cleanup)
                r["loadavg"] = ceiling.loadavg().split("/")[0]
                r["verdict"] = ceiling.verdict(r, args.limit_ms)
                results[mode].append(r)
                print("    " + ceiling.row(r), flush=True)
    finally:
        load.run_cleanup(cleanup)
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(f"{'mode':<9}" + ceiling.HEAD)
    for mode, rs in results.items():
        for r in rs:
            print(f"{mode:<9}" + ceiling.row(r))
    med = {
        m: (statistics.median(r["p99"] for r in rs), statistics.median(r["max"] for r in rs))
        for m, rs in results.items()
        if rs
    }
    for m, (p99, mx) in med.items():
        print(f"{m}: median p99 {p99:.1f} ms, median max {mx:.0f} ms")
    if len(med) == 2 and med["default"][0] > 0:
        print(
            f"policy / default: p99 x{med['policy'][0] / med['default'][0]:.2f}, "
            f"max x{med['policy'][1] / med['default'][1]:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
