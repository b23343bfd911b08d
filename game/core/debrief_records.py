"""Debrief records: one plain dict per negotiation, from the live view or the export rows.

- :func:`records_from_view`: the negotiations of the instructor's session view (live, in memory);
- :func:`records_from_rows`: rows of the ``negotiations`` export table (``export.table`` or the
  CSV read back with ``csv.DictReader``: empty cells and ``"true"``/``"false"`` are understood).

Pure functions; no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Number = int | float


def _num(v: Any) -> Number | None:
    """A number from a Python value or a CSV cell; None for an empty or missing one."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        v = v.strip()
        if not v:
            return None
        try:
            f = float(v)
        except ValueError:
            return None
        return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f
    return None


def _bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        return {"true": True, "false": False}.get(v.strip().lower())
    return None


def _json(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        if not v:
            return None
        try:
            return json.loads(v)
        except ValueError:
            return None
    return v


def _record(
    *,
    nid: Any,
    round_no: Any,
    condition: Any,
    status: Any,
    end_reason: Any,
    roles: Sequence[str],
    first_mover: Any,
    points: Sequence[Any] | None,
    agreement: Any,
    pareto_optimal: Any,
    first_offer_value: Any,
    first_counter: Any,
    duration_s: Any,
    offers_count: Any,
) -> dict[str, Any]:
    fo = list(roles).index(first_mover) if first_mover in roles else 0
    pts = None
    if points is not None:
        p = [_num(x) for x in points]
        pts = p if None not in p else None
    return {
        "negotiation_id": nid,
        "round": _num(round_no),
        "condition": condition or "any",
        "status": status or "open",
        "end_reason": end_reason or None,
        "roles": list(roles),
        "first_offerer": fo,
        "points": pts,
        "agreement": _json(agreement),
        "pareto_optimal": _bool(pareto_optimal),
        "first_offer_value": _num(first_offer_value),
        "first_counter": _num(first_counter),
        "duration_s": _num(duration_s),
        "offers_count": _num(offers_count) or 0,
    }


def records_from_view(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Records from ``Hub.session_view(code)`` (or its ``negotiations`` list alone)."""
    negs = view.get("negotiations", []) if isinstance(view, Mapping) else view
    out = []
    for n in negs:
        m = n.get("metrics") or {}
        roles = n.get("roles") or [m.get("role_0"), m.get("role_1")]
        out.append(
            _record(
                nid=n.get("negotiation_id"),
                round_no=n.get("round"),
                condition=n.get("condition"),
                status=n.get("status"),
                end_reason=n.get("end_reason"),
                roles=roles,
                first_mover=m.get("first_mover"),
                points=n.get("points"),
                agreement=n.get("agreement") if n.get("status") == "agreed" else None,
                pareto_optimal=m.get("pareto_optimal"),
                first_offer_value=m.get("first_offer_value_to_proposer"),
                first_counter=m.get("first_counter_value_to_first_offerer"),
                duration_s=m.get("duration_s"),
                offers_count=n.get("offers_count"),
            )
        )
    return out


def records_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Records from rows of the ``negotiations`` export table (Python values or CSV text)."""
    out = []
    for r in rows:
        status = r.get("status") or "open"
        points = None
        if status != "open" and _num(r.get("points_0")) is not None:
            points = [r.get("points_0"), r.get("points_1")]
        out.append(
            _record(
                nid=r.get("negotiation_id"),
                round_no=r.get("round"),
                condition=r.get("condition"),
                status=status,
                end_reason=r.get("end_reason"),
                roles=[r.get("role_0"), r.get("role_1")],
                first_mover=r.get("first_mover"),
                points=points,
                agreement=r.get("agreement") if status == "agreed" else None,
                pareto_optimal=r.get("pareto_optimal"),
                first_offer_value=r.get("first_offer_value_to_proposer"),
                first_counter=r.get("first_counter_value_to_first_offerer"),
                duration_s=r.get("duration_s"),
                offers_count=r.get("offers_count"),
            )
        )
    return out
