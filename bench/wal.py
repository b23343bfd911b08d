"""The WAL under continuous writes: does it stay bounded?

Writes to a fresh Parley database at a steady rate (400 commits a second by default, for five
minutes), each commit what a move of play commits (``Store.append``: one event row and the
negotiation's summary columns), while a second thread checkpoints once a second exactly as the
server does (``Store.checkpoint_bounded`` in a native thread: PASSIVE, then TRUNCATE once the WAL
has passed ``store.WAL_LIMIT``). The size of the WAL file is sampled every 50 ms; at the end it
reports the largest WAL seen, the WAL after five seconds idle, the commits done and the slowest
commit.

    python bench/wal.py [--rate 400] [--seconds 300] [--passive-only]

``--passive-only`` checkpoints as the server did before (PASSIVE alone), for comparison. The
numbers are in docs/security.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from game.server import store as store_mod  # noqa: E402
from game.server.store import Store  # noqa: E402

MB = 1024 * 1024


def run(rate: float, seconds: float, passive_only: bool, idle: float = 5.0) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="parley-wal-"))
    store = Store(folder / "parley.db")
    store.defer_checkpoints()  # as the server does: commits never checkpoint
    store.add_session(
        {
            "code": "WALWAL",
            "scenario_id": "x",
            "scenario_json": "{}",
            "conditions": "[]",
            "time_limit_s": None,
            "max_offers": 0,
            "pairing": "arrival",
            "seed": 1,
            "round": 0,
            "demo": 0,
            "created_at": store_mod.iso(time.time()),
        }
    )
    store.add_negotiation({"negotiation_id": "n_wal", "session_code": "WALWAL", "status": "open"})
    stop = threading.Event()
    largest = [0]

    def checkpoints() -> None:
        while not stop.wait(1.0):
            if passive_only:
                store.checkpoint("PASSIVE")
            else:
                store.checkpoint_bounded()

    def sample() -> None:
        while not stop.wait(0.05):
            largest[0] = max(largest[0], store.wal_size())

    threads = [threading.Thread(target=checkpoints), threading.Thread(target=sample)]
    for t in threads:
        t.start()
    payload = {"text": "x" * 200, "packages": [{"price": "p1", "delivery": "d2"}] * 3}
    start = time.perf_counter()
    done, slowest = 0, 0.0
    while True:
        now = time.perf_counter()
        if now - start >= seconds:
            break
        due = start + done / rate
        if due > now:
            time.sleep(due - now)
        t0 = time.perf_counter()
        store.append(
            "WALWAL",
            "n_wal",
            "p_bench",
            [{"type": "chat", "at": time.time(), **payload}],
            summary={"status": "open"},
        )
        slowest = max(slowest, time.perf_counter() - t0)
        done += 1
    elapsed = time.perf_counter() - start
    time.sleep(idle)
    after_idle = store.wal_size()
    stop.set()
    for t in threads:
        t.join()
    largest[0] = max(largest[0], after_idle)
    store.close()
    return {
        "mode": "passive-only" if passive_only else "bounded (PASSIVE, TRUNCATE past the limit)",
        "wal_limit_mb": store_mod.WAL_LIMIT / MB,
        "rate_asked": rate,
        "commits": done,
        "commits_per_s": round(done / elapsed, 1),
        "seconds": round(elapsed, 1),
        "largest_wal_mb": round(largest[0] / MB, 1),
        "wal_after_idle_mb": round(after_idle / MB, 1),
        "idle_s": idle,
        "slowest_commit_ms": round(slowest * 1000, 1),
        "db_mb": round((folder / "parley.db").stat().st_size / MB, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=400.0, help="commits a second (400)")
    ap.add_argument("--seconds", type=float, default=300.0, help="how long to write (300)")
    ap.add_argument("--passive-only", action="store_true", help="the old checkpoints")
    ap.add_argument("--max-wal-mb", type=float, default=64.0, help="exit 1 above this (64)")
    args = ap.parse_args(argv)
    result = run(args.rate, args.seconds, args.passive_only)
    print(json.dumps(result, indent=2))
    return 0 if result["largest_wal_mb"] <= args.max_wal_mb else 1


if __name__ == "__main__":
    sys.exit(main())
