"""``python run.py serve`` with every garbage collection over 5 ms written to stderr.

A diagnostic for the benchmarks' ``--server-cmd``: the server is run unchanged (``run.py``'s
own ``main``), and a ``gc.callbacks`` hook logs each collection's generation, wall and CPU
milliseconds, what it freed and (for full collections) how many objects the collector tracks.
The lines land in the server's log (``--keep`` keeps it):

    python bench/ceiling.py --steps 600 --keep \\
        --server-cmd "{python} bench/gc_server.py serve --port {port} --db {db}"
    grep 'GC gen2' /tmp/parley-ceiling-*/parley-negotiations.log

``PARLEY_GC_THRESHOLD=a,b,c`` sets ``gc.set_threshold(a, b, c)`` first, to try other
thresholds. docs/scaling.md shows what it found.
"""

from __future__ import annotations

import gc
import os
import runpy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_start: list[float] = [0.0, 0.0]


def _on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _start[:] = [time.perf_counter(), time.process_time()]
        return
    wall = time.perf_counter() - _start[0]
    if wall < 0.005:
        return
    cpu = time.process_time() - _start[1]
    tracked = f" tracked {len(gc.get_objects())}" if info["generation"] == 2 else ""
    print(
        f"GC gen{info['generation']} {wall * 1000:.0f} ms wall {cpu * 1000:.0f} ms cpu"
        f" collected {info['collected']}{tracked} at {time.monotonic():.1f}",
        file=sys.stderr,
        flush=True,
    )


def main() -> None:
    threshold = os.environ.get("PARLEY_GC_THRESHOLD")
    if threshold:
        gc.set_threshold(*(int(x) for x in threshold.split(",")))
    gc.callbacks.append(_on_gc)
    sys.path.insert(0, str(ROOT))
    sys.argv = [str(ROOT / "run.py"), *sys.argv[1:]]
    runpy.run_path(str(ROOT / "run.py"), run_name="__main__")


if __name__ == "__main__":
    main()
