"""What one participant is shown: built by one function from the negotiation and a role.

Privacy by construction: while a negotiation is open, :func:`negotiation_view` reads only the
viewer's column of the scenario (``Scenario.role_view``) and the viewer's points of each offer.
The other role's points, BATNA and brief enter the view only through :func:`debrief`, which is
called only once the negotiation has ended.
"""

from __future__ import annotations

import json
from typing import Any

from game.core import analysis as analysis_mod
from game.core import scoring, trios
from game.core.protocols import offers
from game.core.protocols.common import negotiation_fields
from game.core.protocols.offers import Offer, State


def dumps(obj: Any) -> str:
    """Compact JSON, as Socket.IO sends it."""
    return json.dumps(obj, separators=(",", ":"))


class ViewEncoder:
    """Views as JSON text, with what never changes in an open negotiation encoded only once.

    A negotiation's view is sent whole after every change (PROTOCOL.md section 4), and most of
    its JSON is the scenario (for one role, fixed) and the offers (each one's view for one role
    fixed once made). Encoding them afresh for every state took about two thirds of the time of
    each state's JSON; here each is encoded once per role and spliced into the rest.
    ``json.loads(encode(view)) == view`` always; only the order of keys differs.
    """

    def __init__(self) -> None:
        # (negotiation id, role) -> (scenario JSON, [offer JSON], [offer id])
        self._parts: dict[tuple[str, str], tuple[str, list[str], list[str]]] = {}

    def __len__(self) -> int:
        return len(self._parts)

    def forget(self, negotiation_id: str) -> None:
        """Drop a negotiation's parts (it has ended: its views change no more)."""
        for key in [k for k in self._parts if k[0] == negotiation_id]:
            del self._parts[key]

    def encode(self, view: dict[str, Any]) -> str:
        neg = view.get("negotiation")
        if not neg or "offers" not in neg:  # a protocol with a middle seat: encoded whole
            return dumps(view)
        key = (neg["id"], neg["role"])
        if neg["status"] != "open":
            self._parts.pop(key, None)  # ended: nothing more to reuse
            return dumps(view)
        parts = self._parts.get(key)
        shown = neg["offers"]
        if (
            parts is None
            or len(parts[1]) > len(shown)
            or (parts[1] and parts[2][-1] != shown[len(parts[2]) - 1]["id"])
        ):
            parts = self._parts[key] = (dumps(neg["scenario"]), [], [])
        scenario, encoded, ids = parts
        for o in shown[len(encoded) :]:
            encoded.append(dumps(o))
            ids.append(o["id"])
        # never "{}": id, role and status (read above) are in it
        rest = dumps({k: v for k, v in neg.items() if k not in ("scenario", "offers")})
        neg_json = f'{{"scenario":{scenario},"offers":[{",".join(encoded)}],{rest[1:]}'
        outer = dumps({k: v for k, v in view.items() if k != "negotiation"})
        if len(outer) == 2:
            return f'{{"negotiation":{neg_json}}}'
        return f'{{"negotiation":{neg_json},{outer[1:]}'


def outcome_view(state: State, role: str) -> dict | None:
    o = state.outcome
    if o is None:
        return None
    k = state.scenario.role_index(role)
    return {"reason": o.reason, "package": o.package, "points": o.points[k], "by": o.by}


def offer_view(offer: Offer, k: int) -> dict:
    return {
        "id": offer.id,
        "seq": offer.seq,
        "by": offer.by,
        "packages": list(offer.packages),
        "points": [p[k] for p in offer.points],
        "based_on": offer.based_on,
        "at": offer.at,
    }


def negotiation_view(
    state: State,
    role: str,
    *,
    partner: dict[str, Any],
    analysis: dict[str, Any] | None = None,
) -> dict[str, Any]:
    sc = state.scenario
    k = sc.role_index(role)
    lo, hi = state.package_bounds(role)
    view = {
        **negotiation_fields(state, role, offers.condition_rule(state, role)),
        "package_bounds": [lo, hi],
        "scenario": sc.role_view(role),
        "offers": [offer_view(o, k) for o in state.offers],
        # the last messages only (the whole chat is in the log and the exports)
        "chat": [dict(c) for c in state.chat[-offers.CHAT_SHOWN :]],
        "chat_total": len(state.chat),
        "outcome": outcome_view(state, role),
        "partner": {
            "name": partner.get("name"),
            "connected": bool(partner.get("connected")),
            "role": sc.other(role),
            "role_name": sc.role(sc.other(role)).name,
        },
        "debrief": None,
    }
    if not state.is_open and analysis is not None:
        view["debrief"] = debrief(state, role, analysis)
    return view


MAX_FRONTIER_POINTS = 1500


def thin(points: list, limit: int = MAX_FRONTIER_POINTS) -> list:
    """At most ``limit`` points (default :data:`MAX_FRONTIER_POINTS`), evenly spread and
    keeping both ends (``analysis.thin``)."""
    return analysis_mod.thin(points, limit)


def debrief(state: State, role: str, analysis: dict[str, Any]) -> dict[str, Any]:
    """The whole picture, both roles' points included: only for a negotiation that has ended."""
    if state.is_open:
        raise ValueError("a debrief is only for a negotiation that has ended")
    sc = state.scenario
    k = sc.role_index(role)
    points = list(state.outcome.points)
    frontier = analysis["pareto"]
    m = scoring.score(state, frontier=frontier)
    return {
        "roles": list(sc.role_ids),
        "role_names": [r.name for r in sc.roles],
        "you": k,
        "points": points,
        "your_points": points[k],
        "partner_points": points[1 - k],
        "batnas": list(sc.batnas),
        "joint": m["joint"],
        "max_joint": m["max_joint"],
        "left_on_table": m["left_on_table"],
        "efficiency": m["efficiency"],
        "pareto_optimal": m["pareto_optimal"],
        "frontier": thin(frontier),
        "cloud": analysis.get("cloud", []),
        "nash": (analysis.get("nash") or {}).get("points"),
        "compromise": (analysis.get("compromise") or {}).get("points"),
        "offers": [
            {"seq": o.seq, "by": o.by, "points": [list(p) for p in o.points], "at": o.at}
            for o in state.offers
        ],
    }


# ---------------------------------------------------------------- a participant's whole view


def lobby_view(session: Any, p: Any, *, negotiating: bool) -> dict[str, Any]:
    """The lobby part of a participant's view: since when they wait, and what for."""
    s = session
    if getattr(s, "closed", False) and not negotiating:
        msg = (
            "The class is over: the instructor has closed this session. Thank you for taking part."
        )
    elif s.pairing == "arrival":
        if p.negotiations:
            msg = "Your negotiation has ended. Thank you for playing."
        elif trios.sizes_vary(
            getattr(s, "protocol", ""), getattr(s, "middle", ""), getattr(s, "conditions", ())
        ):  # pairs and trios by condition (game.core.trios)
            msg = (
                "Waiting for the others. You will be seated as soon as enough participants have "
                "joined: two for a direct negotiation, three with a mediator or facilitator."
            )
        elif getattr(s, "group", 2) == 3:
            msg = "Waiting for the others. You will be seated as soon as three of you are here."
        else:
            msg = "Waiting for a partner. You will be paired as soon as another participant joins."
    elif p.last_sat_out == s.round and s.round > 0 and not negotiating:
        msg = (
            f"You sit out round {s.round} (an odd number of participants). "
            "You will play in the next round."
        )
    else:
        msg = "Waiting for the instructor to start the next round."
    # a study's participant waits since their first entry to the waiting room (across reloads)
    waited = getattr(p, "first_waited", None) or p.waiting_since
    since = None if getattr(s, "closed", False) and not negotiating else waited
    return {"since": since, "message": msg, "waiting": len(s.waiting)}


def student_view(
    session: Any,
    p: Any,
    n: Any = None,
    *,
    others: dict[str, Any] | None = None,
    protocol: Any,
    analysis: dict[str, Any] | None,
    version: int,
    now: float,
    results: list[dict[str, Any]] | None = None,
    debrief_pending: bool = False,
) -> dict[str, Any]:
    """The ``state`` a participant is sent (PROTOCOL.md section 4).

    ``session``, ``p`` (the participant), ``n`` (their current negotiation or None) and
    ``others`` (the other participants of ``n`` by seat) are the hub's records, read only; a
    computer in the middle seat has no record and shows as connected; ``protocol``
    is the session's protocol module, whose ``view`` gives the negotiation's part; ``analysis``
    the scenario's (used once the negotiation has ended); ``results`` the participant's
    finished negotiations (:func:`result_row`), sent once the session is closed.
    ``debrief_pending``: the negotiation
    has ended but its round's debrief is not open yet (``negotiation.debrief_pending``; the
    debrief is then null and the view shows the participant's own outcome only).
    """
    s = session
    out: dict[str, Any] = {
        "phase": "lobby",
        "version": version,
        "server_time": now,
        "participant": {"id": p.id, "name": p.name, "label": p.label},
        "session": {
            "code": s.code,
            "pairing": s.pairing,
            "round": s.round,
            "title": s.scenario.title,
            "closed": bool(getattr(s, "closed", False)),
        },
        "lobby": None,
        "negotiation": None,
    }
    if n is not None:
        seat = n.seat(p.id)
        people = {k: {"name": x.name, "connected": x.connected} for k, x in (others or {}).items()}
        ended = None if n.state.is_open else analysis
        if hasattr(protocol, "MIDDLE"):
            if protocol.MIDDLE not in people and seat != protocol.MIDDLE:
                who = "Instructor" if getattr(s, "middle", None) == "instructor" else "Computer"
                people[protocol.MIDDLE] = {"name": who, "connected": True}
            out["negotiation"] = protocol.view(n.state, seat, others=people, analysis=ended)
        else:
            (partner,) = people.values()
            out["negotiation"] = protocol.view(n.state, seat, partner=partner, analysis=ended)
        out["negotiation"]["round"] = n.round
        out["negotiation"]["debrief_pending"] = bool(debrief_pending)
        out["phase"] = "negotiating" if n.state.is_open else "done"
    if out["phase"] != "negotiating":
        negotiating = n is not None and n.state.is_open
        out["lobby"] = lobby_view(s, p, negotiating=negotiating)
        if out["session"]["closed"] and results is not None:
            out["lobby"]["results"] = results
    return out


def result_row(n: Any, k: int, partner_name: str) -> dict[str, Any]:
    """One finished negotiation in a participant's results: round, role, partner, how it
    ended and the points this participant got."""
    st = n.state
    return {
        "round": n.round,
        "role": st.scenario.roles[k].name,
        "partner": partner_name,
        "reason": st.outcome.reason,
        "points": st.outcome.points[k],
    }
