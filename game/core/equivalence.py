"""The one rule of equivalent packages (MESO): the same test for the rules, the suggestions and
the analysis, and mirrored in the browser's builder from tests/cases/equivalence.json.

Packages are equivalent to a role when their values to it differ by at most the tolerance, with
a relative allowance so that decimal points which add up to the same value count as equal
(0.1 + 0.2 against 0.3 with a tolerance of 0).
"""

from __future__ import annotations

from collections.abc import Iterable

#: The relative allowance: a spread may exceed the tolerance by this share of the largest value
#: (at least of 1), for the rounding of points summed in floating point.
RELATIVE_SLACK = 1e-9


def slack(values: Iterable[float]) -> float:
    """The allowance added to the tolerance for these values."""
    return RELATIVE_SLACK * max(1.0, *(abs(v) for v in values))


def equivalent(values: Iterable[float], tolerance: float) -> bool:
    """Whether packages worth ``values`` (to one role) are equivalent under ``tolerance``:
    ``max - min <= tolerance + 1e-9 * max(1, max |value|)``. One value or none is equivalent."""
    values = list(values)
    if len(values) < 2:
        return True
    return max(values) - min(values) <= tolerance + slack(values)
