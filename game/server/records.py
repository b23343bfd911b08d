"""The hub's records (a session, a participant, a negotiation) and their rows in the store.

Each record is written as one row (:func:`session_row`, :func:`participant_row`,
:func:`negotiation_row`) and read back from it (:func:`session_from_row`, ...); a negotiation's
state is rebuilt from its row and events in one way only, :func:`state_from_row`, for the hub's
recovery and for the exports alike.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from game.core import protocols, trios
from game.core.protocols.common import played
from game.core.scenario import Scenario, parse
from game.core.study import Progress
from game.server.store import iso


class ApiError(Exception):
    """An error of the HTTP API: a status and a list of ``PLACE: problem`` strings."""

    def __init__(self, status: int, errors: list[str] | str):
        self.status = status
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))


@dataclass
class Session:
    code: str
    scenario: Scenario
    conditions: list[str]
    time_limit_s: float | None
    max_offers: int
    pairing: str
    seed: int
    round: int  # the last round started: the largest in the session's events
    created_at: str
    demo: bool = False
    protocol: str = protocols.DEFAULT
    name: str = ""
    closed: bool = False
    archived: bool = False
    student_id: str | None = None  # the label of the student-id field at join; None: not asked
    count_instructor_ended: bool = False  # standings count negotiations the instructor ended
    agents: dict | None = None  # computer counterparts (game.core.requests.parse_agents)
    multiple_seats: bool = False
    debrief: str = "immediate"  # game.core.requests.DEBRIEFS
    middle: str = "players"  # who sits in a middle seat: players | computer | instructor
    rotate: bool = False
    study: dict | None = None  # game.core.study settings, with its questionnaires' copies
    options: dict | None = None  # the protocol's own setting (e.g. post_settlement)
    negotiation_count: int = 0
    debrief_open: set[int] = field(default_factory=set)  # rounds whose debrief is open
    waiting: list[str] = field(default_factory=list)  # arrival queue, in order
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}:roles")

    @property
    def rules(self) -> ModuleType:
        """The protocol module of the session's first condition (each negotiation is played by
        :meth:`rules_for` its condition)."""
        return self.rules_for(self.conditions[0])

    def rules_for(self, condition: str) -> ModuleType:
        """The protocol that plays a negotiation of ``condition``: the session's, or in a
        session mixing protocols, the condition's (game.core.protocols)."""
        if self.protocol == protocols.MIXED:
            return protocols.for_condition(condition)
        return protocols.get(self.protocol)

    @property
    def group(self) -> int:
        """How many participants a negotiation takes (at least): 3 when a player sits in the
        middle of every one; a session forming pairs and trios takes 2 (game.core.trios)."""
        if trios.sizes_vary(self.protocol, self.middle, self.conditions):
            return 2
        middle = protocols.has_middle(self.protocol, self.conditions)
        return 3 if middle and self.middle == "players" else 2

    def computer_middle(self, state: Any) -> bool:
        """Whether a computer sits in the middle seat of this session's negotiation."""
        return self.middle == "computer" and hasattr(self.rules_for(state.condition), "MIDDLE")


@dataclass
class Participant:
    id: str
    code: str
    name: str
    label: str
    token: str
    joined_at: str
    seq: int
    device: str | None = None  # a hash of the browser's device cookie (game.server.seats)
    negotiations: list[str] = field(default_factory=list)
    sids: set[str] = field(default_factory=set)
    waiting_since: float | None = None
    last_sat_out: int = -1
    kind: str = "human"  # or "agent" (a computer counterpart)
    strategy: str | None = None  # an agent's strategy (game.core.agents)
    params: dict | None = None  # and its parameters

    @property
    def is_agent(self) -> bool:
        return self.kind == "agent"

    external_id: str | None = None
    progress: Progress = field(default_factory=Progress)
    first_waited: float | None = None  # when the waiting room's limit started to count

    @property
    def connected(self) -> bool:
        return bool(self.sids)


@dataclass
class Negotiation:
    id: str
    code: str
    round: int
    participants: tuple[str, ...]  # by seat index: role 0, role 1, the middle seat if played
    condition_index: int
    state: Any  # the session's protocol's State

    def seat(self, pid: str) -> str:
        """The seat id (a role id, or the middle seat's name) of one of its participants."""
        return protocols.seats(self.state)[self.participants.index(pid)]

    def others(self, pid: str) -> list[tuple[str, str]]:
        """(seat, participant id) of every other participant, in seat order."""
        seats = protocols.seats(self.state)
        return [(seats[i], x) for i, x in enumerate(self.participants) if x != pid]


# ---------------------------------------------------------------- sessions


def session_row(s: Session) -> dict:
    row = {
        "code": s.code,
        "scenario_id": s.scenario.id,
        "scenario_json": json.dumps(s.scenario.to_dict(), separators=(",", ":")),
        "conditions": json.dumps(s.conditions),
        "time_limit_s": s.time_limit_s,
        "max_offers": s.max_offers,
        "pairing": s.pairing,
        "seed": s.seed,
        "round": 0,  # unused since schema 2: the round is read from the events
        "demo": int(s.demo),
        "created_at": s.created_at,
        "protocol": s.protocol,
        "name": s.name,
        "closed": int(s.closed),
        "archived": int(s.archived),
        "student_id": s.student_id,
        "count_instructor_ended": int(s.count_instructor_ended),
        "multiple_seats": int(s.multiple_seats),
        "debrief": s.debrief,
        "middle": s.middle,
        "rotate": int(s.rotate),
        "study": json.dumps(s.study, separators=(",", ":")) if s.study else None,
    }
    if s.agents:  # schema 3; absent (NULL) for a session without agents
        row["agents"] = json.dumps(s.agents, separators=(",", ":"))
    if s.options is not None:  # schema 7: a protocol's own setting
        row["protocol_options"] = json.dumps(s.options)
    return row


def session_from_row(row: dict) -> Session:
    return Session(
        code=row["code"],
        scenario=parse(json.loads(row["scenario_json"])),
        conditions=json.loads(row["conditions"]),
        time_limit_s=row["time_limit_s"],
        max_offers=row["max_offers"],
        pairing=row["pairing"],
        seed=row["seed"],
        round=0,
        created_at=row["created_at"],
        demo=bool(row["demo"]),
        protocol=row.get("protocol") or protocols.DEFAULT,  # absent before schema 2
        name=row.get("name") or "",  # these four absent before schema 3
        closed=bool(row.get("closed")),
        archived=bool(row.get("archived")),
        student_id=row.get("student_id"),
        count_instructor_ended=bool(row.get("count_instructor_ended")),
        agents=json.loads(row["agents"]) if row.get("agents") else None,  # schema 3
        multiple_seats=bool(row.get("multiple_seats")),  # absent before schema 3
        debrief=row.get("debrief") or "immediate",
        middle=row.get("middle") or "players",  # absent before schema 4
        rotate=bool(row.get("rotate")),
        study=json.loads(row["study"]) if row.get("study") else None,  # absent before schema 4
        options=json.loads(row["protocol_options"]) if row.get("protocol_options") else None,
    )


# ---------------------------------------------------------------- participants


def participant_row(p: Participant) -> dict:
    return {
        "participant_id": p.id,
        "session_code": p.code,
        "name": p.name,
        "label": p.label,
        "token": p.token,
        "joined_at": p.joined_at,
        "seq": p.seq,
        "kind": p.kind,
        "strategy": p.strategy,
        "params": json.dumps(p.params, separators=(",", ":")) if p.params is not None else None,
        "device": p.device,
        "external_id": p.external_id,
    }


def participant_from_row(row: dict) -> Participant:
    return Participant(
        id=row["participant_id"],
        code=row["session_code"],
        name=row["name"],
        label=row["label"] or "",
        token=row["token"],
        joined_at=row["joined_at"],
        seq=row["seq"],
        kind=row.get("kind") or "human",  # absent before schema 3
        strategy=row.get("strategy"),
        params=json.loads(row["params"]) if row.get("params") else None,
        device=row.get("device"),
        external_id=row.get("external_id"),
    )


# ---------------------------------------------------------------- negotiations


def negotiation_row(s: Session, n: Negotiation) -> dict:
    st = n.state
    r0, r1 = s.scenario.role_ids
    return {
        "negotiation_id": n.id,
        "session_code": s.code,
        "scenario_id": s.scenario.id,
        "condition": st.condition,
        "condition_index": n.condition_index,
        "round": n.round,
        "role_0": r0,
        "role_1": r1,
        "participant_0": n.participants[0],
        "participant_1": n.participants[1],
        "participant_2": n.participants[2] if len(n.participants) > 2 else None,
        "max_offers": s.max_offers,
        "time_limit_s": s.time_limit_s,
        "deadline": st.deadline,
        "started": st.started_at,
        "started_at": iso(st.started_at),
        "status": "open",
        "end_reason": None,
        "ended_at": None,
    }


def paired_event(s: Session, n: Negotiation) -> dict:
    """The session event that records a pairing (who, which roles and condition, the seed)."""
    st = n.state
    return {
        "session_code": s.code,
        "negotiation_id": n.id,
        "participant_id": None,
        "type": "paired",
        "payload": {
            "participants": list(n.participants),
            "roles": list(s.scenario.role_ids),
            "seats": list(protocols.seats(st)),
            "condition": st.condition,
            "condition_index": n.condition_index,
            "seed": s.seed,
            "round": n.round,
            "deadline": st.deadline,
            "deadline_at": iso(st.deadline),
        },
        "at": st.started_at,
    }


def state_from_row(
    row: dict,
    scenario: Scenario,
    events: list[dict],
    protocol: str | None = None,
    options: dict | None = None,
):
    """A negotiation's state: its protocol's fold of its events over its stored setup."""
    if protocol and protocol != protocols.MIXED:
        rules = protocols.get(protocol)
    else:
        rules = protocols.for_condition(row["condition"])
    setup = rules.new_state(
        row["negotiation_id"],
        scenario,
        row["condition"],
        started_at=row["started"],
        max_offers=row["max_offers"],
        deadline=row["deadline"],
        **({"options": options} if options is not None else {}),  # a protocol's own setting
    )
    return rules.replay(setup, played(events))


def negotiation_from_row(row: dict, s: Session, events: list[dict]) -> Negotiation:
    return Negotiation(
        id=row["negotiation_id"],
        code=s.code,
        round=row["round"] or 0,
        participants=tuple(
            x
            for x in (row["participant_0"], row["participant_1"], row.get("participant_2"))
            if x is not None
        ),
        condition_index=row["condition_index"],
        state=state_from_row(row, s.scenario, events, s.protocol, s.options),
    )
