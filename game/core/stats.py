"""Small statistics of the debrief: mean, sample standard deviation, rates and a least-squares line.

Pure functions over lists of numbers; no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Number = int | float


def mean(xs: Sequence[Number]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def sd(xs: Sequence[Number]) -> float | None:
    """Sample standard deviation (divisor n - 1); None for fewer than two values."""
    if len(xs) < 2:
        return None
    m = sum(xs) / len(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def describe(xs: Sequence[Number]) -> dict[str, Any]:
    """``{"n", "mean", "sd"}`` of a list of numbers."""
    return {"n": len(xs), "mean": mean(xs), "sd": sd(xs)}


def rate(count: int, n: int) -> dict[str, Any]:
    """``{"n", "count", "rate"}``: ``rate`` is count / n, None when n is 0."""
    return {"n": n, "count": count, "rate": (count / n) if n else None}


def fit(pairs: Sequence[tuple[Number, Number]]) -> dict[str, Any] | None:
    """Least-squares line ``y = intercept + slope * x`` and Pearson's r over (x, y) pairs.

    None with fewer than two pairs or when every x is the same; ``r`` is None when every y is
    the same.
    """
    n = len(pairs)
    if n < 2:
        return None
    mx = sum(x for x, _ in pairs) / n
    my = sum(y for _, y in pairs) / n
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    syy = sum((y - my) ** 2 for _, y in pairs)
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    if sxx == 0:
        return None
    slope = sxy / sxx
    r = sxy / math.sqrt(sxx * syy) if syy > 0 else None
    return {"n": n, "slope": slope, "intercept": my - slope * mx, "r": r}
