"""The ceiling of one Parley process: students at class pace until the p99 passes a limit.

Runs bench/load.py's Parley phase (real Socket.IO clients, full negotiations, the same scenario,
pacing and loss accounting; see its docstring) at a growing number of pairs, each step on a
freshly started server, and stops at the first step whose p99 latency passes ``--limit-ms``
(100 ms) or that loses an event (or fails: clients unpaired, unfinished, refused). The ceiling
is the last step that held.

Class pace is load.py's default: after the partner's offer, a student waits 0.5-1.5 s (mean
1 s, ``--think``) before the next one, 20 offers a negotiation (``--rounds``), then an accept.

The load generator runs on the same machine as the server and shares its cores, so each step
also reports the CPU of the server and of the client processes (% of one core), how late the
clients' own event loops ran (a busy client receives its states late, and that delay counts as
latency), and the machine's load average. A step whose clients are saturated measures the
generator, not the server: the table says which.

    python bench/ceiling.py                                  # 500, 600, ... pairs until one fails
    python bench/ceiling.py --steps 500,1000,1500 --procs 3  # other steps, more client processes
    python bench/ceiling.py --pin           # the server alone on core 0, the clients on the rest
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402 - bench/load.py, next to this file

DEFAULT_STEPS = "500,600,700,800,1000,1250,1500,2000"


def loadavg() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def phase_args(args, pairs: int, rep: int) -> argparse.Namespace:
    """The namespace load.run_negotiation_phase reads, for one step."""
    return argparse.Namespace(
        pairs=pairs,
        rounds=args.rounds,
        think=args.think,
        procs=args.procs,
        seed=args.seed + rep,
        timeout=None,
        profile=None,
        profile_rate=250,
        rep=rep,
        run_tag=f"-{pairs}-{rep + 1}",
        wait_quiet=args.wait_quiet,
        dump=args.dump,
        server_cmd=args.server_cmd,
        relay_cmd=load.RELAY_CMD,
        client_gc=False,
    )


def slow_windows(r: dict, limit_ms: float) -> str:
    """Where the offers over the limit fell: a few seconds (stalls) or all along (overload)."""
    raw = r.get("raw") or []
    slow = [t for t, lat in raw if lat * 1000 > limit_ms]
    if not slow:
        return f"no offer over {limit_ms:g} ms"
    seconds = {int(t) for t in slow}
    span = int(max(t for t, _ in raw)) + 1  # one-second windows from the start
    return (
        f"{len(slow)} offers over {limit_ms:g} ms, sent within {len(seconds)} of the run's "
        f"{span} seconds"
    )


def verdict(r: dict, limit_ms: float) -> str:
    """'ok', or why the step fails the ceiling."""
    why = []
    if r["lost"]:
        why.append(f"{r['lost']} lost")
    if r["unfinished"]:
        why.append(f"{r['unfinished']} unfinished")
    if r["errors"]:
        why.append(f"{sum(r['errors'].values())} errors")
    if r["offers"] != r["expected_offers"]:
        why.append(f"{r['offers']}/{r['expected_offers']} offers")
    if not r["p99"] <= limit_ms:
        why.append(f"p99 > {limit_ms:g} ms")
    return ", ".join(why) or "ok"


HEAD = (
    f"{'pairs':>6}{'students':>9}{'offers/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
    f"{'lost':>5}{'server':>8}{'clients':>9}{'others':>7}{'lag p99':>9}  {'load avg':<16}verdict"
)


def row(r: dict) -> str:
    each = "+".join(f"{x:.0f}" for x in r["client_cpu_each"])
    return (
        f"{r['pairs']:>6}{r['pairs'] * 2:>9}{r['rate']:>9.0f}{r['p50']:>8.1f}{r['p99']:>8.1f}"
        f"{r['max']:>8.0f}{r['lost']:>5}{r['server_cpu']:>7.0f}%{each + '%':>9}"
        f"{r['other_cpu']:>6.0f}%{r['client_lag'][1]:>9.1f}  {r['loadavg']:<16}{r['verdict']}"
    )


def diagnosis(r: dict, max_others: float) -> str:
    """Whose limit a failing step shows: the server's, the generator's or the machine's."""
    cores = (os.cpu_count() or 1) * 100
    each = "+".join(f"{x:.0f}" for x in r["client_cpu_each"])
    total = r["server_cpu"] + r["client_cpu"] + r["other_cpu"]
    head = (
        f"at {r['pairs']} pairs: server {r['server_cpu']:.0f}%, clients {each}%, others "
        f"{r['other_cpu']:.0f}% (the machine {total:.0f}% of {cores}%); "
    )
    if r["other_cpu"] > max_others:
        return head + (
            "other work on the machine took the cores: this step measured contention, not the "
            "server's limit (run again on a quiet machine)"
        )
    if r["server_cpu"] >= 85:
        return head + "the server's one thread was saturated: this is the server's limit"
    if any(x >= 85 for x in r["client_cpu_each"]):
        return head + (
            "a client process was saturated: the generator's limit (try more --procs if cores "
            "are free)"
        )
    if total >= cores * 0.9:
        return head + (
            "the cores were full, server and generator together: on this machine the ceiling "
            "is the pair's, and a server with its own cores would hold more"
        )
    return head + (
        f"no process saturated (client loops late by {r['client_lag'][1]:.0f} ms at p99): "
        "see the slow offers above"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="The ceiling of one Parley process: pairs at class pace, growing, until "
        "the p99 latency passes the limit or an event is lost."
    )
    parser.add_argument(
        "--steps",
        default=DEFAULT_STEPS,
        help=f"comma-separated numbers of pairs, in order (default {DEFAULT_STEPS})",
    )
    parser.add_argument("--limit-ms", type=float, default=100.0, help="p99 limit (default 100)")
    parser.add_argument("--rounds", type=int, default=20, help="offers per negotiation (20)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time in seconds (1.0: class pace)"
    )
    parser.add_argument(
        "--procs", type=int, default=2, help="client processes (default 2, as bench/load.py)"
    )
    parser.add_argument(
        "--retry",
        type=int,
        default=2,
        metavar="N",
        help="run a failing step again, up to N times, while other work on the machine took "
        "more than --max-others during it (a shared machine's contention, not this server's "
        "limit; default 2)",
    )
    parser.add_argument(
        "--max-others",
        type=float,
        default=50.0,
        metavar="PCT",
        help="CPU of everything else on the machine, in %% of one core, above which a failing "
        "step is retried (default 50)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=30,
        metavar="S",
        help="before each step, wait up to S seconds for the machine to be idle (default 30)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--dump", metavar="DIR", default=None, help="write each step's latencies into DIR"
    )
    parser.add_argument(
        "--server-cmd",
        default=load.SERVER_CMD,
        help=f"how to start the Parley server (default {load.SERVER_CMD!r})",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="the server on core 0 alone, the client processes on the other cores (taskset): "
        "the server's own ceiling, with the generator off its core",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    try:
        steps = [int(x) for x in args.steps.split(",") if x.strip()]
    except ValueError:
        parser.error(f"--steps: numbers of pairs separated by commas, not {args.steps!r}")
    if not steps or any(n < 1 for n in steps):
        parser.error("--steps: at least one number of pairs, each 1 or more")
    if args.procs < 1 or args.rounds < 1 or args.think < 0 or args.retry < 0:
        parser.error("--procs and --rounds must be 1 or more, --think and --retry 0 or more")
    try:
        import aiohttp  # noqa: F401 - python-socketio's asyncio client needs it
    except ImportError:
        print("bench/ceiling.py needs aiohttp: pip install -r requirements-dev.txt")
        return 2

    command = "python bench/ceiling.py" + "".join(" " + shlex.quote(a) for a in (argv or []))
    if args.pin:
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2 or not shutil.which("taskset"):
            parser.error("--pin needs two cores or more and taskset")
        # the server is started through taskset on the first core; this process and the
        # client processes it starts (they inherit its affinity) keep to the others
        args.server_cmd = f"taskset -c {cores[0]} " + args.server_cmd
        os.sched_setaffinity(0, cores[1:])
    # each student is a socket in the server and one in a client process, and the server and
    # the clients inherit this limit
    nofile = load.raise_open_files(1 << 20)
    need = max(steps) * 2 + 500
    if nofile < need:
        print(
            f"warning: open-files limit {nofile}, about {need} wanted for {max(steps)} pairs "
            "(raise the hard limit: ulimit -Hn)",
            file=sys.stderr,
        )

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    workdir = Path(tempfile.mkdtemp(prefix="parley-ceiling-"))
    scenario = load.bench_scenario(max(args.rounds + 2, 12))
    print(
        f"{command}\n{time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores, python "
        f"{sys.version.split()[0]}, open files {nofile}; class pace: think {args.think:g} s, "
        f"{args.rounds} offers then an accept; limit p99 {args.limit_ms:g} ms, no event lost"
        + ("; the server pinned to a core of its own" if args.pin else ""),
        flush=True,
    )
    results: list[dict] = []
    ceiling = None
    failed_at = None
    interrupted = False
    cleanup: list = []
    try:
        for pairs in steps:
            for attempt in range(args.retry + 1):
                print(
                    f"  {pairs} pairs ({pairs * 2} students)"
                    + (f", run {attempt + 1}" if attempt else "")
                    + f" ... load average {loadavg()}",
                    flush=True,
                )
                before = loadavg()
                r = load.run_negotiation_phase(
                    "parley", phase_args(args, pairs, attempt), workdir, scenario, cleanup
                )
                r["loadavg"] = f"{before.split('/')[0]}->{loadavg().split('/')[0]}"
                r["verdict"] = verdict(r, args.limit_ms)
                results.append(r)
                print("    " + row(r), flush=True)
                if r["verdict"] == "ok" or r["other_cpu"] <= args.max_others:
                    break
                if attempt < args.retry:
                    print(
                        f"    other work took {r['other_cpu']:.0f}% of a core: running it again",
                        flush=True,
                    )
            if r["verdict"] == "ok":
                ceiling = pairs
            else:
                failed_at = pairs
                break
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted: stopping the server and clients", file=sys.stderr)
    except Exception as e:  # noqa: BLE001 - report what was measured so far
        interrupted = True
        print(f"\nstep failed: {e}\nserver logs in {workdir}", file=sys.stderr)
        args.keep = True
    finally:
        load.run_cleanup(cleanup)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(command)
    print(HEAD)
    print("-" * len(HEAD))
    for r in results:
        print(row(r))
    print(
        "(server, clients, others: CPU in % of one core during the step, the clients per "
        "process; lag p99: how late the clients' own event loops woke, in ms; load avg: the "
        "1-minute load average before -> after)"
    )
    for r in results:
        notes = [slow_windows(r, args.limit_ms)]
        notes += [f"{k}: {v}" for k, v in r["lost_detail"].items()]
        notes += [f"error: {k}: {v}" for k, v in r["errors"].items()]
        print(f"  {r['pairs']} pairs: " + "; ".join(notes))
    held = f"{ceiling} pairs ({ceiling * 2} students)" if ceiling else None
    if interrupted:
        print(f"interrupted; the last step that held: {held or 'none'}")
    elif failed_at and results[-1]["other_cpu"] > args.max_others:
        print(
            f"ceiling not determined: {failed_at} pairs failed while other work held the machine"
            f" in every run; the last step that held: {held or 'none'}"
        )
    elif failed_at:
        print(
            f"ceiling: {held or f'below {steps[0]} pairs'} held at class pace; {failed_at} pairs"
            f" did not ({results[-1]['verdict']})"
        )
    elif held:
        print(f"ceiling: at least {held}: no step failed up to {steps[-1]} pairs")
    if results and results[-1]["verdict"] != "ok":
        print("  " + diagnosis(results[-1], args.max_others))
    if args.keep:
        print(f"logs and databases: {workdir}")
    return 1 if interrupted or not results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
