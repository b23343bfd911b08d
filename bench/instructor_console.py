"""The instructor's console with a full class: is the session page and the debrief responsive?

One real server (``python run.py serve`` on a free port), one Chromium (Debian's, through
Playwright) logged in to the console, and N scripted students (python-socketio clients) in a
``rounds`` session comparing ``single`` and ``meso``. The students join, one round is started,
and every pair plays (open, counter, accept; one in ten walks away) with think times spread
over ``--spread`` seconds, so the session page gets a live update every second while they play.

Printed, for each class size (the small one is the baseline of the same run):

- session page: redraws received, time per redraw (median, 95th percentile, max, in ms, from
  the page's own ``performance.now()`` around ``render``), long tasks (> 50 ms) while playing,
  and the size of the last ``session`` push;
- debrief: time from navigation until all three charts are drawn, and the redraw time.

    python bench/instructor_console.py             # 6 and 200 students
    python bench/instructor_console.py --sizes 6 100
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.support import KEY, Player, Server, scenario_dict  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def packages_of(view: dict) -> list[tuple[dict, float]]:
    issues = view["scenario"]["issues"]
    out = []
    for combo in itertools.product(*(i["options"] for i in issues)):
        out.append(
            (
                {i["id"]: o["id"] for i, o in zip(issues, combo, strict=True)},
                sum(o["points"] for o in combo),
            )
        )
    out.sort(key=lambda x: -x[1])
    return out


def play_pair(first: Player, second: Player, rng: random.Random, spread: float) -> None:
    time.sleep(rng.uniform(0, spread))
    view = first.neg
    pk = packages_of(view)
    ask = rng.randrange(0, 10)
    if view["condition"] == "meso":
        tol = view["scenario"]["meso_tolerance"]
        packages = next(
            [a, b] for (a, va), (b, vb) in itertools.pairwise(pk[ask:]) if abs(va - vb) <= tol
        )
    else:
        packages = [pk[ask][0]]
    ack = first.call("propose", {"packages": packages})
    time.sleep(rng.uniform(0, spread / 4))
    if rng.random() < 0.1:
        second.call("walk_away", {})
        return
    best = packages_of(second.wait(lambda s: len(s["negotiation"]["offers"]) == 1)["negotiation"])
    ack = second.call(
        "propose",
        {
            "packages": [best[rng.randrange(0, 30)][0]],
            "based_on": {"offer_id": ack["offer_id"], "package": 0},
        },
    )
    time.sleep(rng.uniform(0, spread / 4))
    first.call("accept", {"offer_id": ack["offer_id"], "package": 0})


def run(size: int, spread: float, browser) -> dict:
    work = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    server = Server(work).start()
    players: list[Player] = []
    try:
        assert server.upload(scenario_dict()).status_code == 201
        code = server.create_session(
            scenario="test-supply", pairing="rounds", conditions=["single", "meso"]
        )
        ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = ctx.new_page()
        page.goto(server.url + "/instructor")
        page.fill("#key", KEY)
        page.click("button[type=submit]")
        page.goto(server.url + f"/instructor/sessions/{code}")
        page.wait_for_function(
            "() => document.querySelector('#live-status').dataset.status === 'live'"
        )
        page.evaluate(
            """() => { window.longTasks = [];
                 new PerformanceObserver(l => window.longTasks.push(...l.getEntries().map(e => e.duration)))
                   .observe({type: 'longtask', buffered: false}); }"""
        )
        t0 = time.perf_counter()
        for n in range(size):
            players.append(Player(server, server.join(code, f"Student {n + 1:03d}")["token"]))
        joined_s = time.perf_counter() - t0
        page.wait_for_function(
            f"() => document.querySelectorAll('#participants tbody tr').length === {size}",
            timeout=60_000,
        )
        seen_s = time.perf_counter() - t0
        r = server.api("POST", f"/api/sessions/{code}/rounds")
        assert r.status_code == 201, r.text
        by_neg: dict[str, list[Player]] = {}
        for p in players:
            st = p.wait(lambda s: s.get("phase") == "negotiating", timeout=60)
            by_neg.setdefault(st["negotiation"]["id"], []).append(p)
        page.evaluate(
            "() => { window.parleyTimings.render.length = 0; window.longTasks.length = 0; }"
        )
        rng = random.Random(7)
        threads = []
        for a, b in by_neg.values():
            first, second = (a, b) if a.neg["turn"] == a.neg["role"] else (b, a)
            t = threading.Thread(
                target=play_pair, args=(first, second, random.Random(rng.random()), spread)
            )
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        page.wait_for_function(
            "() => document.querySelectorAll('#negotiations tbody tr.neg-open').length === 0 && "
            f"document.querySelectorAll('#negotiations tbody tr').length === {len(by_neg)}",
            timeout=60_000,
        )
        timings = page.evaluate("() => window.parleyTimings.render.slice()")
        longs = page.evaluate("() => window.longTasks.slice()")
        push = len(json.dumps(server.api("GET", f"/api/sessions/{code}").json())) + len(
            json.dumps(server.api("GET", f"/api/sessions/{code}/standings").json())
        )
        t1 = time.perf_counter()
        page.goto(server.url + f"/instructor/sessions/{code}/debrief")
        page.wait_for_function(
            "() => ['chart-outcomes', 'chart-joint', 'chart-anchor']"
            ".every(id => Chart.getChart(document.getElementById(id)))"
        )
        debrief_s = time.perf_counter() - t1
        debrief_ms = page.evaluate("() => window.parleyTimings.render.slice()")
        ctx.close()
        return {
            "students": size,
            "negotiations": len(by_neg),
            "join_s": joined_s,
            "all_seen_s": seen_s,
            "redraws": len(timings),
            "render_median_ms": statistics.median(timings) if timings else None,
            "render_p95_ms": sorted(timings)[int(0.95 * (len(timings) - 1))] if timings else None,
            "render_max_ms": max(timings) if timings else None,
            "long_tasks": len(longs),
            "long_task_max_ms": max(longs) if longs else 0,
            "push_kb": push / 1024,
            "debrief_load_s": debrief_s,
            "debrief_render_ms": debrief_ms[0] if debrief_ms else None,
        }
    finally:
        for p in players:
            p.close()
        server.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[6, 200])
    ap.add_argument("--spread", type=float, default=8.0, help="seconds the play is spread over")
    args = ap.parse_args()
    print("command: python bench/instructor_console.py " + " ".join(sys.argv[1:]))
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for size in args.sizes:
            rows.append(run(size, args.spread, browser))
        browser.close()
    keys = list(rows[0])
    width = max(len(k) for k in keys)
    print()
    print(" " * width + "".join(f"{r['students']:>12}" for r in rows))
    for k in keys[1:]:
        cells = []
        for r in rows:
            v = r[k]
            cells.append(f"{v:>12.2f}" if isinstance(v, float) else f"{v!s:>12}")
        print(f"{k:<{width}}" + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
