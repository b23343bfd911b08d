"""The class debrief: what the instructor shows after (and during) a session, as plain numbers.

Pure functions, no I/O and no Flask. The input is a list of *records*, one per negotiation,
made from either source the server has:

- :func:`records_from_view`: the negotiations of ``Hub.session_view`` (live, in memory);
- :func:`records_from_rows`: rows of the ``negotiations`` export table (``game.export.table``
  or the CSV read back with ``csv.DictReader``: empty cells and ``"true"``/``"false"`` are
  understood).

:func:`summary` turns records into everything the debrief page draws: the condition comparison
table, the agreements in outcome space, joint points by condition, the anchoring pairs, and how
often each option was agreed. :func:`path` gives one negotiation's offers as a path in outcome
space (both roles' points: for the instructor only).

Definitions (docs/instructor.md repeats them for instructors):

- The *first offerer* is the role that made the negotiation's first offer (the scenario's
  ``first_mover``); the *recipient* is the other role.
- Points of a finished negotiation are the agreement's points, or both BATNAs at an impasse;
  the first offerer's and the recipient's points are averaged over finished negotiations.
- *First counteroffer's value to the first offerer*: of the recipient's first offer, the
  package best for the first offerer (``scoring.score``'s
  ``first_counter_value_to_first_offerer``); only negotiations that had a counteroffer count.
- *% Pareto-optimal*: among agreements. *Impasse rate*: among finished negotiations.
  *Time to agreement*: seconds from pairing to acceptance, among agreements.
- Standard deviations are sample standard deviations (divisor n - 1); ``None`` when n < 2.
  A mean of no values is ``None``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from game.core import middle_scoring
from game.core.debrief_records import records_from_rows, records_from_view
from game.core.stats import describe, fit, mean, rate, sd

Number = int | float
__all__ = ["records_from_rows", "records_from_view", "describe", "fit", "mean", "rate", "sd"]

#: The measures of the condition comparison table, in display order: (key, label).
MEASURES: tuple[tuple[str, str], ...] = (
    ("first_counter", "First counteroffer's value to the first offerer"),
    ("first_offerer_points", "First offerer's points"),
    ("recipient_points", "Recipient's points"),
    ("joint", "Joint points"),
    ("time_to_agreement_s", "Time to agreement (seconds)"),
)

#: The order conditions are listed in when a session does not give one.
CONDITION_ORDER = ("single", "meso", "any")


# ---------------------------------------------------------------- the summary


def conditions_in(records: Sequence[Mapping[str, Any]], given: Sequence[str] = ()) -> list[str]:
    """The conditions to show, in order: those ``given`` (a session's list, repeats dropped),
    then any other seen in the records, in CONDITION_ORDER then alphabetically."""
    out: list[str] = []
    for c in given:
        if c not in out:
            out.append(c)
    seen = {r["condition"] for r in records}
    rank = {c: n for n, c in enumerate(CONDITION_ORDER)}
    for c in sorted(seen - set(out), key=lambda c: (rank.get(c, len(rank)), c)):
        out.append(c)
    return out


def _finished(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in records if r["status"] != "open" and r["points"] is not None]


def compare(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One row of the condition comparison table over ``records`` (one condition, or all)."""
    finished = _finished(records)
    agreed = [r for r in finished if r["status"] == "agreed"]
    values: dict[str, list[Number]] = {k: [] for k, _ in MEASURES}
    for r in records:
        if r["first_counter"] is not None:
            values["first_counter"].append(r["first_counter"])
    for r in finished:
        fo = r["first_offerer"]
        values["first_offerer_points"].append(r["points"][fo])
        values["recipient_points"].append(r["points"][1 - fo])
        values["joint"].append(r["points"][0] + r["points"][1])
    for r in agreed:
        if r["duration_s"] is not None:
            values["time_to_agreement_s"].append(r["duration_s"])
    pareto_known = [r for r in agreed if r["pareto_optimal"] is not None]
    return {
        "negotiations": len(records),
        "open": sum(1 for r in records if r["status"] == "open"),
        "finished": len(finished),
        "agreed": len(agreed),
        "impasses": len(finished) - len(agreed),
        "measures": {k: describe(v) for k, v in values.items()},
        "pareto_optimal": rate(
            sum(1 for r in pareto_known if r["pareto_optimal"]), len(pareto_known)
        ),
        "impasse": rate(len(finished) - len(agreed), len(finished)),
    }


def comparison(
    records: Sequence[Mapping[str, Any]], conditions: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The condition comparison table: one row per condition, then one for all together."""
    rows = []
    for c in conditions_in(records, conditions):
        rows.append({"condition": c, **compare([r for r in records if r["condition"] == c])})
    rows.append({"condition": "all", **compare(records)})
    return rows


def outcomes(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every agreement as a point (role 0's points, role 1's points), with its condition."""
    return [
        {
            "negotiation_id": r["negotiation_id"],
            "condition": r["condition"],
            "round": r["round"],
            "points": list(r["points"]),
            "pareto_optimal": r["pareto_optimal"],
        }
        for r in _finished(records)
        if r["status"] == "agreed"
    ]


def joint_by_condition(
    records: Sequence[Mapping[str, Any]], conditions: Sequence[str] = ()
) -> dict[str, list[dict[str, Any]]]:
    """Joint points of every finished negotiation, by condition (impasses flagged)."""
    out: dict[str, list[dict[str, Any]]] = {c: [] for c in conditions_in(records, conditions)}
    for r in _finished(records):
        out.setdefault(r["condition"], []).append(
            {
                "negotiation_id": r["negotiation_id"],
                "joint": r["points"][0] + r["points"][1],
                "agreed": r["status"] == "agreed",
            }
        )
    return out


def anchoring(
    records: Sequence[Mapping[str, Any]], conditions: Sequence[str] = ()
) -> dict[str, Any]:
    """First offer's value to the first offerer against the first offerer's final points.

    ``pairs``: one per finished negotiation that had a first offer; ``fits``: per condition,
    the least-squares line and r (see :func:`fit`).
    """
    pairs = []
    for r in _finished(records):
        if r["first_offer_value"] is None:
            continue
        pairs.append(
            {
                "negotiation_id": r["negotiation_id"],
                "condition": r["condition"],
                "first_offer_value": r["first_offer_value"],
                "final_points": r["points"][r["first_offerer"]],
                "agreed": r["status"] == "agreed",
            }
        )
    fits = {}
    for c in conditions_in(records, conditions):
        fits[c] = fit(
            [(p["first_offer_value"], p["final_points"]) for p in pairs if p["condition"] == c]
        )
    return {"pairs": pairs, "fits": fits}


def option_frequencies(
    records: Sequence[Mapping[str, Any]],
    scenario: Mapping[str, Any] | None = None,
    conditions: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """How often each option was agreed, per issue, overall and by condition.

    ``scenario`` (the scenario file's dict) gives the issues and options in their order, with
    names and labels, and options never agreed (count 0); without it, only what the agreements
    name is listed. Shares are of the agreements (each agreement picks one option per issue).
    """
    agreed = [r for r in _finished(records) if r["status"] == "agreed" and r["agreement"]]
    conds = conditions_in(records, conditions)
    n_by_cond = {c: sum(1 for r in agreed if r["condition"] == c) for c in conds}
    issues: list[dict[str, Any]] = []
    if scenario:
        for i in scenario.get("issues", []):
            issues.append(
                {
                    "id": i["id"],
                    "name": i.get("name", i["id"]),
                    "options": [
                        {"id": o["id"], "label": o.get("label", o["id"])} for o in i["options"]
                    ],
                }
            )
    index = {i["id"]: i for i in issues}
    for r in agreed:
        for iid, oid in r["agreement"].items():
            issue = index.get(iid)
            if issue is None:
                issue = {"id": iid, "name": iid, "options": []}
                issues.append(issue)
                index[iid] = issue
            if not any(o["id"] == oid for o in issue["options"]):
                issue["options"].append({"id": oid, "label": oid})
    for issue in issues:
        for o in issue["options"]:
            hits = [r for r in agreed if r["agreement"].get(issue["id"]) == o["id"]]
            o["count"] = len(hits)
            o["share"] = len(hits) / len(agreed) if agreed else None
            o["by_condition"] = {
                c: {
                    "count": sum(1 for r in hits if r["condition"] == c),
                    "share": (sum(1 for r in hits if r["condition"] == c) / n_by_cond[c])
                    if n_by_cond[c]
                    else None,
                }
                for c in conds
            }
        issue["agreements"] = len(agreed)
    return issues


def summary(
    records: Sequence[Mapping[str, Any]],
    *,
    conditions: Sequence[str] = (),
    scenario: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the debrief shows, from records (see the module's docstring)."""
    conds = conditions_in(records, conditions)
    return {
        "conditions": conds,
        "counts": {
            c: {
                "negotiations": sum(1 for r in records if r["condition"] == c),
                "open": sum(1 for r in records if r["condition"] == c and r["status"] == "open"),
                "agreed": sum(
                    1 for r in records if r["condition"] == c and r["status"] == "agreed"
                ),
                "impasses": sum(
                    1 for r in records if r["condition"] == c and r["status"] == "impasse"
                ),
            }
            for c in conds
        },
        "measures": [{"key": k, "label": label} for k, label in MEASURES],
        "comparison": comparison(records, conds),
        "outcomes": outcomes(records),
        "joint": joint_by_condition(records, conds),
        "anchoring": anchoring(records, conds),
        "options": option_frequencies(records, scenario, conds),
    }


def signature(records: Sequence[Mapping[str, Any]]) -> str:
    """A short key that changes whenever the debrief's numbers can: each negotiation's id,
    status and offer count. Pages redraw their charts only when it changes."""
    parts = sorted(f"{r['negotiation_id']}:{r['status']}:{r['offers_count']}" for r in records)
    return format(zlib.crc32("|".join(parts).encode()), "08x")


# ---------------------------------------------------------------- one negotiation's path


def path(
    offers: Sequence[Mapping[str, Any]],
    *,
    roles: Sequence[str],
    outcome: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Offers as a path in outcome space.

    ``offers``: in order, each ``{"seq", "by" (role id), "points": [[p0, p1] per package],
    "packages"?: [...], "based_on"?: {...}}``. Each step of the path gives the offer's packages
    with both roles' points and ``centre``, the mean point of its packages (the path runs
    through the centres); ``accepted`` names the package index accepted, if this offer was.
    """
    steps = []
    last = len(offers) - 1
    accepted_pkg = None
    if outcome and outcome.get("reason") == "accepted" and outcome.get("package") is not None:
        accepted_pkg = outcome["package"]
    for n, o in enumerate(offers):
        pts = [[p[0], p[1]] for p in o["points"]]
        packages = list(o.get("packages") or [None] * len(pts))
        acc = None
        if n == last and accepted_pkg is not None:
            acc = next((j for j, pk in enumerate(packages) if pk == accepted_pkg), None)
            if acc is None:  # no packages given: match by points
                target = list(outcome.get("points") or [])
                acc = next((j for j, p in enumerate(pts) if p == target), None)
        steps.append(
            {
                "seq": o["seq"],
                "by": o["by"],
                "by_index": list(roles).index(o["by"]),
                "packages": [
                    {"index": j, "package": pk, "points": p}
                    for j, (pk, p) in enumerate(zip(packages, pts, strict=True))
                ],
                "centre": [sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)],
                "based_on": o.get("based_on"),
                "accepted": acc,
            }
        )
    return steps


def path_from_state(state: Any) -> dict[str, Any]:
    """The path of a negotiation's state (``game.core.protocols.offers.State``), with its outcome."""
    sc = state.scenario
    roles = list(sc.role_ids)
    outcome = None
    if state.outcome is not None:
        outcome = {
            "reason": state.outcome.reason,
            "package": state.outcome.package,
            "points": list(state.outcome.points),
            "by": state.outcome.by,
        }
    offers = [
        {
            "seq": o.seq,
            "by": o.by,
            "packages": [dict(p) for p in o.packages],
            "points": [list(p) for p in o.points],
            "based_on": o.based_on,
        }
        for o in state.offers
    ]
    seats = list(getattr(state, "seats", roles))
    steps = middle_scoring.path(state)
    if len(seats) > 2:
        # a mediator's proposals or a facilitator's drafts: the path, by the middle seat
        offers = [
            {"seq": s["seq"], "by": seats[2], "packages": [s["package"]], "points": [s["points"]]}
            for s in steps
        ]
    return {
        "negotiation_id": state.id,
        "condition": state.condition,
        "status": state.status,
        "roles": roles,
        "outcome": outcome,
        "offers": path(offers, roles=seats, outcome=outcome),
        # a mediator's proposals or a facilitator's drafts (no offers): seq, package, points
        "steps": steps,
    }
