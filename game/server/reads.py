"""The instructor's reads of a session: its participants and negotiations, and the standings.

Functions of the hub's public interface only (``hub.session``, ``hub.members``, ...): they read
a snapshot of a session's members and change nothing.
"""

from __future__ import annotations

from game.core import lobby, middle_scoring, protocols, scoring, seats
from game.core import scales as scales_mod
from game.core.protocols import pss_measures
from game.server.hub import Hub, Negotiation
from game.server.store import iso


def negotiation_summary(hub: Hub, n: Negotiation, *, metrics: bool = True) -> dict:
    """One negotiation for the instructor: who, which condition, where it stands, its outcome
    and (``metrics``) its scores."""
    st = n.state
    sc = st.scenario
    out_metrics = None
    if metrics:
        out_metrics = scoring.score(st, frontier=hub.analysis(sc)["pareto"])
    people = [hub.participant(x) for x in n.participants]
    return {
        "negotiation_id": n.id,
        "round": n.round,
        "condition": st.condition,
        "roles": list(sc.role_ids),
        "seats": list(protocols.seats(st)),
        "participants": list(n.participants),
        "names": [p.name for p in people],
        "connected": [p.connected for p in people],
        "kinds": [p.kind for p in people],  # human | agent (a computer counterpart)
        "strategies": [p.strategy for p in people],
        "status": st.status,
        "end_reason": st.outcome.reason if st.outcome else None,
        "ended_by": st.outcome.by if st.outcome else None,
        "turn": st.turn,
        "offers_count": len(st.offers),
        # a middle seat's proposals (mediated) or drafts (single_text): its path's steps
        "steps_count": len(middle_scoring.steps_of(st)),
        "deadline": st.deadline,
        "time_left": max(0.0, st.deadline - hub.clock()) if st.deadline and st.is_open else None,
        "started_at": iso(st.started_at),
        "ended_at": iso(st.ended_at),
        "agreement": st.outcome.package if st.outcome else None,
        "points": list(st.outcome.points) if st.outcome else None,
        "metrics": out_metrics,
        # the post-settlement phase (protocol pss): its measures, both roles' (docs/metrics.md)
        "post_settlement": pss_measures.measures(st) if hasattr(st, "phase") else None,
        "in_phase": bool(getattr(st, "in_phase", False)),  # open, after a deal (pss)
    }


def session_view(hub: Hub, code: str, *, metrics: bool = True) -> dict:
    """The session for the instructor; ``metrics=False`` leaves out each negotiation's
    scores (the live push does, to stay small with hundreds of participants)."""
    s = hub.session(code)
    parts, negs = hub.members(s.code)
    by_id = {n.id: n for n in negs}
    flags = seats.flags(parts)
    out_parts = []
    for p in parts:
        n = by_id.get(p.negotiations[-1]) if p.negotiations else None
        role = None
        phase = "lobby"
        if n is not None:
            role = n.seat(p.id)  # a role id, or the middle seat's name
            phase = "negotiating" if n.state.is_open else "done"
        out_parts.append(
            {
                "participant_id": p.id,
                "name": p.name,
                "label": p.label,
                "kind": p.kind,
                "strategy": p.strategy,
                "joined_at": p.joined_at,
                "connected": p.connected,
                "phase": phase,
                "waiting": p.id in s.waiting,
                "negotiation_id": n.id if n else None,
                "role": role,
                "negotiations": len(p.negotiations),
                "sat_out": p.last_sat_out == s.round > 0 and phase != "negotiating",
                "last_end": n.state.outcome.reason if n is not None and n.state.outcome else None,
                # what this seat shares with another seat of the session: "name", "device"
                "flags": flags[p.id],
                "removable": not p.negotiations,
            }
        )
        if s.study:
            st = hub.study_stage(p)
            out_parts[-1]["external_id"] = p.external_id
            out_parts[-1]["stage"] = st["stage"]
            out_parts[-1]["stage_point"] = st.get("point")
            out_parts[-1]["released"] = bool(st.get("released"))
    return {
        "code": s.code,
        "scenario": {"id": s.scenario.id, "title": s.scenario.title},
        "conditions": s.conditions,
        "time_limit_s": s.time_limit_s,
        "max_offers": s.max_offers,
        "pairing": s.pairing,
        "protocol": s.protocol,
        "post_settlement": s.options if s.protocol == "pss" else None,
        "round": s.round,
        "created_at": s.created_at,
        "demo": s.demo,
        "name": s.name,
        "closed": s.closed,
        "archived": s.archived,
        "student_id": s.student_id,
        "count_instructor_ended": s.count_instructor_ended,
        "agents": s.agents,
        "multiple_seats": s.multiple_seats,
        "debrief": s.debrief,
        "debrief_open": sorted(s.debrief_open),
        "middle": s.middle,  # who sits in a middle seat: players | computer | instructor
        "rotate": s.rotate,
        "participants": out_parts,
        "negotiations": [negotiation_summary(hub, n, metrics=metrics) for n in negs],
    }


def counted(n: Negotiation, count_instructor_ended: bool) -> bool:
    """Whether a negotiation counts in standings and grades: finished, and not ended by the
    instructor unless the session says so (``count_instructor_ended``)."""
    st = n.state
    return not st.is_open and (count_instructor_ended or st.outcome.reason != "instructor")


def standings(hub: Hub, code: str, include_instructor: bool | None = None) -> list[dict]:
    """Each student's points over the session's finished negotiations, scored within role
    (z-scores among the students' finished negotiations of the same role), best first.
    Computer counterparts (agent seats) are not ranked and their points not scored.
    Negotiations the instructor ended are left out unless ``include_instructor`` (by default
    the session's ``count_instructor_ended``)."""
    s = hub.session(code)
    if include_instructor is None:
        include_instructor = s.count_instructor_ended
    parts, negs = hub.members(s.code)
    parts = [p for p in parts if not p.is_agent]
    humans = {p.id for p in parts}
    negs = [n for n in negs if counted(n, include_instructor)]
    rows: list[tuple[str, int, Negotiation, float]] = []
    for n in negs:
        for k in (0, 1):
            if n.participants[k] in humans:
                rows.append((n.participants[k], k, n, n.state.outcome.points[k]))
    z: dict[tuple[str, int], float] = {}
    for k in (0, 1):
        group = [(r[2].id, r[3]) for r in rows if r[1] == k]
        for (nid, _), zz in zip(group, lobby.zscores([v for _, v in group]), strict=True):
            z[(nid, k)] = zz
    table: dict[str, dict] = {}
    for p in parts:
        table[p.id] = {
            "participant_id": p.id,
            "name": p.name,
            "label": p.label,
            "negotiations": 0,
            "points_total": 0,
            "score_within_role": 0.0,
            "joint_total": 0,
            "rounds": [],
        }
    for pid, k, n, pts in rows:
        t = table[pid]
        t["negotiations"] += 1
        t["points_total"] += pts
        t["score_within_role"] += z[(n.id, k)]
        joint = sum(n.state.outcome.points)
        t["joint_total"] += joint
        t["rounds"].append(
            {
                "round": n.round,
                "negotiation_id": n.id,
                "role": n.state.scenario.role_ids[k],
                "points": pts,
                "z": round(z[(n.id, k)], 4),
                "joint": joint,
                "status": n.state.status,
            }
        )
    out = list(table.values())
    for t in out:
        t["score_within_role"] = round(t["score_within_role"], 4)
        t["rounds"].sort(key=lambda r: r["round"])
    out.sort(key=lambda t: (-t["score_within_role"], -t["points_total"], t["name"]))
    return out


def scales(hub: Hub, code: str) -> list[dict]:
    """The study's questionnaire scales by condition (game.core.scales), from the answers of
    the participants whose negotiation has ended; [] without a study."""
    s = hub.session(code)
    if not s.study:
        return []
    parts, negs = hub.members(s.code)
    by_id = {n.id: n for n in negs}
    rows = []
    for p in parts:
        n = by_id.get(p.negotiations[-1]) if p.negotiations else None
        if n is None or n.state.is_open:
            continue
        role = s.scenario.role_ids[n.participants.index(p.id)]
        opener = n.state.offers[0].by if n.state.offers else None
        got = scales_mod.participant_scales(s.study["forms"], p.progress.answers)
        if got:
            rows.append((n.state.condition, opener is not None and role != opener, got))
    return scales_mod.by_condition(rows, s.conditions)
