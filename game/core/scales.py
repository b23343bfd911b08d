"""Questionnaire scales by condition, for the instructor's debrief: each participant's scale
means (game.core.questionnaires.scale_scores over their answers), then per scale and condition
the mean with its 95 % confidence interval (Student's t), for all raters and for the
recipients of the first offer (whose view of the proposer the MESO studies measure)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from game.core import questionnaires, stats

# two-sided 95 % critical values of Student's t by degrees of freedom; 1.96 beyond 120
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
       9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
       16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
       23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045,
       30: 2.042, 40: 2.021, 60: 2.000, 80: 1.990, 100: 1.984, 120: 1.980}  # fmt: skip


def t95(df: int) -> float:
    """The critical value for ``df`` degrees of freedom (the next smaller tabulated one)."""
    if df > 120:
        return 1.96
    return T95[max(k for k in T95 if k <= df)]


def mean_ci(values: list[float]) -> dict[str, Any]:
    """``{"n", "mean", "sd", "ci": [low, high]}`` (game.core.stats.describe and Student's t
    interval); the interval needs two values or more."""
    out = stats.describe(values)
    n, m, sd = out["n"], out["mean"], out["sd"]
    out["ci"] = None
    if sd is not None:
        half = t95(n - 1) * sd / math.sqrt(n)
        out["ci"] = [m - half, m + half]
    return out


def participant_scales(forms: dict[str, dict], answers: dict[str, dict]) -> dict[str, float]:
    """One participant's scale means over every questionnaire they answered."""
    out: dict[str, float] = {}
    for qid, given in answers.items():
        q = forms.get(qid)
        if q:
            out.update(questionnaires.scale_scores(q, given))
    return out


def by_condition(
    rows: Iterable[tuple[str, bool, dict[str, float]]], conditions: list[str]
) -> list[dict[str, Any]]:
    """``rows`` are (condition, whether the rater received the first offer, scale means).
    One entry per scale (by name): for ``all`` raters and the first offer's ``recipients``,
    the mean and 95 % interval in each condition."""
    rows = list(rows)
    scales = sorted({k for _, _, s in rows for k in s})
    conds = list(dict.fromkeys(conditions))
    out = []
    for scale in scales:
        entry: dict[str, Any] = {"scale": scale, "groups": {}}
        for group in ("all", "recipients"):
            entry["groups"][group] = {
                c: mean_ci(
                    [
                        s[scale]
                        for cond, rec, s in rows
                        if cond == c and scale in s and (group == "all" or rec)
                    ]
                )  # fmt: skip
                for c in conds
            }
        out.append(entry)
    return out
