"""Benchmark: Parley's exact outcome-space analysis against brute-force enumeration.

Builds seeded random scenarios of growing size, times Parley's analysis (frontier + Nash + max
joint, issue by issue, never enumerating packages) and, where the outcome space is small enough,
a brute-force baseline in the same run that enumerates every package (numpy when available,
plain Python otherwise), and checks that both agree: the frontier point for point, the Nash
product and the max joint, all exactly.

    python bench/analysis.py            # the table of docs/analysis.md
    python bench/analysis.py --worst    # adds a 20x6 real-valued case whose exact frontier has
                                        # millions of points (slow: about 20 s, 5 GB)

Exits 1 if any comparison disagrees.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from itertools import product
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from game.core import analysis, equivalence  # noqa: E402
from game.core.scenario import Scenario, parse  # noqa: E402

try:
    import numpy as np
except ImportError:  # the baseline falls back to plain Python
    np = None

BRUTE_LIMIT = 2_000_000 if np is not None else 300_000
GOAL_S = 2.0
KINDS = ("distributive", "integrative", "integrative", "compatible")


def make(
    n: int, m: int, seed: int, points: str = "int", kinds: tuple[str, ...] = KINDS
) -> Scenario:
    """A seeded random scenario of ``n`` issues with ``m`` options each.

    Each issue is drawn from ``kinds``: distributive (role 1 loses what role 0 gains), integrative
    (opposed, the roles' weights differ) or compatible (both want the same option). Weights are
    100..4000; option positions are random. ``points``: ``int`` (rounded), ``cents`` (the
    integer points divided by 100, as floats) or ``real`` (unrounded floats).
    """
    rng = random.Random(seed)
    issues = []
    for i in range(n):
        kind = rng.choice(kinds)
        w0 = rng.randint(1, 40) * 100
        w1 = w0 if kind == "distributive" else rng.randint(1, 40) * 100
        t = sorted(rng.random() for _ in range(m))
        t[0], t[-1] = 0.0, 1.0
        u = list(t)
        if kind != "distributive":
            u = sorted(rng.random() for _ in range(m))
            u[0], u[-1] = 0.0, 1.0
        options = []
        for j in range(m):
            a = w0 * t[j]
            b = w1 * (u[j] if kind == "compatible" else 1 - u[j])
            if points == "int":
                a, b = round(a), round(b)
            elif points == "cents":
                a, b = round(a) / 100, round(b) / 100
            options.append({"id": f"o{j}", "label": f"Option {j}", "points": {"r0": a, "r1": b}})
        issues.append({"id": f"i{i}", "name": f"Issue {i} ({kind})", "options": options})
    total = sum(max(o["points"]["r0"] for o in i["options"]) for i in issues)
    return parse(
        {
            "id": f"bench-{n}x{m}-{points}-{seed}",
            "title": "Benchmark",
            "description": "",
            "roles": [
                {"id": "r0", "name": "Role 0", "brief": "", "batna": round(total * 0.3)},
                {"id": "r1", "name": "Role 1", "brief": "", "batna": round(total * 0.2)},
            ],
            "issues": issues,
            "first_mover": "r0",
            "max_packages": 3,
            "meso_tolerance": 100,
            "time_limit_s": None,
            "max_offers": 12,
        }
    )


def parley(sc: Scenario) -> dict:
    """Parley's exact analysis, on a fresh copy of the scenario (so nothing is cached)."""
    fresh = parse(sc.to_dict())
    f = analysis.frontier(fresh)
    n = analysis.nash(fresh)
    mj = analysis.max_joint(fresh)
    return {
        "frontier": f,
        "nash": None if n is None else n["product"],
        "max_joint": mj["joint"],
    }


def brute(sc: Scenario) -> dict:
    """Every package's points, summed in issue order from 0 as ``Scenario.points`` does."""
    b0, b1 = sc.batnas
    if np is not None:
        use_int = all(isinstance(v, int) for i in sc.issues for o in i.options for v in o.points)
        dtype = np.int64 if use_int else np.float64
        p0 = np.zeros(1, dtype=dtype)
        p1 = np.zeros(1, dtype=dtype)
        for issue in sc.issues:
            a = np.array([o.points[0] for o in issue.options], dtype=dtype)
            b = np.array([o.points[1] for o in issue.options], dtype=dtype)
            p0 = (p0[:, None] + a[None, :]).ravel()
            p1 = (p1[:, None] + b[None, :]).ravel()
        order = np.lexsort((-p1, -p0))  # p0 descending, then p1 descending
        s0, s1 = p0[order], p1[order]
        before = np.maximum.accumulate(s1)
        keep = np.ones(len(s1), dtype=bool)
        keep[1:] = s1[1:] > before[:-1]
        front = list(zip(s0[keep][::-1].tolist(), s1[keep][::-1].tolist(), strict=True))
        ok = (p0 >= b0) & (p1 >= b1)
        nash = ((p0[ok] - b0) * (p1[ok] - b1)).max().item() if ok.any() else None
        return {"frontier": front, "nash": nash, "max_joint": (p0 + p1).max().item()}
    pts = set()
    for choice in product(*(i.options for i in sc.issues)):
        x = y = 0
        for o in choice:
            x += o.points[0]
            y += o.points[1]
        pts.add((x, y))
    front, best = [], None
    for x, y in sorted(pts, reverse=True):
        if best is None or y > best:
            front.append((x, y))
            best = y
    front.reverse()
    feasible = [(x - b0) * (y - b1) for x, y in pts if x >= b0 and y >= b1]
    return {
        "frontier": front,
        "nash": max(feasible) if feasible else None,
        "max_joint": max(x + y for x, y in pts),
    }


def timed(fn, sc: Scenario, repeat: int) -> tuple[float, dict]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(sc)
        times.append(time.perf_counter() - t)
    return min(times), out


CASES = [
    # (label, issues, options, points, kinds)
    ("int", 3, 4, "int", KINDS),
    ("int", 6, 5, "int", KINDS),
    ("int", 8, 6, "int", KINDS),
    ("float cents", 8, 6, "cents", KINDS),
    ("float real", 8, 6, "real", KINDS),
    ("float real, all distributive", 8, 6, "real", ("distributive",)),
    ("int", 10, 6, "int", KINDS),
    ("int", 14, 6, "int", KINDS),
    ("int", 20, 6, "int", KINDS),
    ("int, all distributive", 20, 6, "int", ("distributive",)),
    ("float cents", 20, 6, "cents", KINDS),
    ("float real, no distributive", 20, 6, "real", ("integrative", "compatible")),
]
WORST = [("float real (worst)", 20, 6, "real", KINDS)]


def _count(x: int) -> str:
    return f"{x:,}" if x < 10_000_000 else f"{x:.1e}".replace("e+", "e")


def equivalents(seed: int) -> list[str]:
    """Timings of equivalent_packages: 3 packages around a middle frontier package."""
    rows = []
    for n, points in ((8, "int"), (8, "real"), (20, "int"), (20, "real")):
        sc = make(n, 6, seed, points)
        fp = analysis.frontier_packages(sc)
        include = fp[len(fp) // 2]["package"]
        for tolerance in (100, 0):
            role = "r0"
            target = sc.value(include, role)
            t = time.perf_counter()
            got = equivalence.equivalent_packages(sc, role, target, tolerance, 3, include=include)
            ms = (time.perf_counter() - t) * 1000
            rows.append(
                f"{n}x6 {points:<4} tolerance {tolerance:>3}: {len(got)} packages in {ms:6.1f} ms"
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2, help="seed of the random scenarios")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (the best counts)")
    ap.add_argument("--worst", action="store_true", help="add the output-bound worst case")
    args = ap.parse_args(argv)

    given = argv if argv is not None else sys.argv[1:]
    print("command: " + " ".join(["python bench/analysis.py", *given]))
    print(
        f"python {platform.python_version()} on {platform.machine()} {platform.system()}, "
        f"baseline: {'numpy ' + np.__version__ if np is not None else 'plain Python'}"
    )
    print(
        f"brute force up to {BRUTE_LIMIT:,} packages; times are the best of {args.repeat} runs "
        "(1 for the largest brute-force cases), in seconds"
    )
    print()
    head = (
        f"{'case':<30} {'size':>5} {'packages':>9} {'frontier':>9} "
        f"{'parley s':>9} {'brute s':>8}  agree"
    )
    print(head)
    print("-" * len(head))
    failures, goals = [], []
    for label, n, m, points, kinds in CASES + (WORST if args.worst else []):
        sc = make(n, m, args.seed, points, kinds)
        count = analysis.outcomes(sc)
        repeat = 1 if "worst" in label else args.repeat
        t_parley, ours = timed(parley, sc, repeat)
        if count <= BRUTE_LIMIT:
            t_brute, theirs = timed(brute, sc, 1 if count > 100_000 else args.repeat)
            bad = [k for k in ("frontier", "nash", "max_joint") if ours[k] != theirs[k]]
            agree = "yes" if not bad else "NO: " + ", ".join(bad)
            if bad:
                failures.append(f"{label} {n}x{m}: {', '.join(bad)}")
            brute_s = f"{t_brute:8.3f}"
        else:
            agree, brute_s = "-", f"{'-':>8}"
        size = f"{n}x{m}"
        print(
            f"{label:<30} {size:>5} {_count(count):>9} {len(ours['frontier']):>9,} "
            f"{t_parley:9.3f} {brute_s}  {agree}"
        )
        if n == 20 and "worst" not in label:
            goals.append((f"{label} {size}", t_parley))
    print()
    print("equivalent_packages (role 0, 3 packages, including a middle frontier package):")
    for row in equivalents(args.seed):
        print("  " + row)
    print()
    for name, t in goals:
        verdict = "met" if t < GOAL_S else "MISSED"
        print(f"2-second goal for {name}: {verdict} ({t:.3f} s)")
    if failures:
        print("\nDISAGREEMENT: " + "; ".join(failures))
        return 1
    print("\nall comparisons agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
