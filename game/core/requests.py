"""Requests of the HTTP API checked as pure parsing, beside the protocols' ``parse_action``.

Each function returns what it parsed or raises :class:`RequestError` with every problem found,
as the contract's ``PLACE: problem`` strings (PROTOCOL.md section 3); nothing is changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from game.core import protocols, study
from game.core.agents import seating
from game.core.scenario import Scenario

PAIRINGS = ("arrival", "rounds")
NAME_MAX = 80
LABEL_MAX = 80
SESSION_NAME_MAX = 80
SESSION_KEYS = (
    "scenario",
    "conditions",
    "time_limit_s",
    "max_offers",
    "pairing",
    "protocol",
    "agents",
    "multiple_seats",
    "debrief",
    "name",
    "student_id",
    "post_settlement",
    "middle",
    "rotate",
    "study",
)
# a protocol's own setting, by the key that names it in a request: the protocol it implies
OPTION_KEYS = {"post_settlement": "pss"}
# When a participant of a round sees the debrief (the other role's numbers): once every
# negotiation of their round has ended (or the instructor opens it), or as soon as theirs ends.
DEBRIEFS = ("round_end", "immediate")
MIDDLES = ("players", "computer", "instructor")


class RequestError(ValueError):
    """A request refused: ``errors`` lists every problem, ``PLACE: problem``."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True)
class SessionSettings:
    scenario: Scenario
    conditions: list[str]
    time_limit_s: float | None
    max_offers: int
    pairing: str
    protocol: str = protocols.DEFAULT
    multiple_seats: bool = False  # may one browser take several seats (demonstrations)?
    debrief: str = "immediate"  # DEBRIEFS; round_end only with pairing "rounds"
    middle: str = "players"  # who sits in the middle seat of a protocol that has one
    rotate: bool = False  # rounds: whether the middle seat rotates among the participants
    agents: dict | None = None  # computer counterparts: parse_agents
    study: dict | None = None  # game.core.study.parse_settings
    name: str = ""
    student_id: str | None = None  # the label of the student-id field at join; None: not asked
    options: dict | None = None  # the protocol's own setting (post_settlement)


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def parse_session(
    body: Any, scenarios: Mapping[str, Scenario], forms: Mapping[str, dict] | None = None
) -> SessionSettings:
    """The settings of ``POST /api/sessions``; an absent key takes the scenario's value.
    ``forms`` are the questionnaires a ``study`` may name, by id."""
    if not isinstance(body, dict):
        raise RequestError("body: must be a JSON object")
    errors = [f"{k}: unknown key" for k in body if k not in SESSION_KEYS]
    sid = body.get("scenario")
    sc = scenarios.get(sid) if isinstance(sid, str) else None
    if sc is None:
        errors.append(f"scenario: unknown scenario {sid!r}")
    implied = next((OPTION_KEYS[k] for k in OPTION_KEYS if k in body), protocols.DEFAULT)
    protocol = body.get("protocol", implied)
    if not isinstance(protocol, str) or (
        protocol not in protocols.REGISTRY and protocol != protocols.MIXED
    ):
        names = ", ".join([*protocols.names(), protocols.MIXED])
        errors.append(f"protocol: unknown protocol {protocol!r} ({names})")
        protocol = protocols.DEFAULT
    options = None
    for key, owner in OPTION_KEYS.items():
        if key in body and protocol != owner:
            errors.append(f"{key}: only with protocol {owner!r}, not {protocol!r}")
    parse_options = (
        None
        if protocol == protocols.MIXED
        else getattr(protocols.get(protocol), "parse_options", None)
    )
    if parse_options is not None:
        key = next(k for k, v in OPTION_KEYS.items() if v == protocol)
        options, problems = parse_options(body.get(key))
        errors += problems
    if protocol == protocols.MIXED:
        known = protocols.all_conditions()
    else:
        known = protocols.get(protocol).CONDITIONS
    # the contract's default, ["any"]; a protocol without it (mediated, single_text) has one
    default = ["any"] if "any" in known else [known[0]]
    conditions = body.get("conditions", default)
    if not isinstance(conditions, list) or not conditions or len(conditions) > 30:
        errors.append(f"conditions: must be a list of 1 to 30 of {', '.join(known)}")
        conditions = []
    one_of = " or ".join(filter(None, [", ".join(known[:-1]), known[-1]]))
    for n, c in enumerate(conditions):
        if not isinstance(c, str) or c not in known:
            errors.append(f"conditions[{n}]: unknown condition {c!r} ({one_of})")
        elif c == "meso" and sc is not None and sc.max_packages < 2:
            errors.append(f"conditions[{n}]: meso needs a scenario with max_packages of at least 2")
    if "time_limit_s" in body:
        t = body["time_limit_s"]
        if t is not None and (not _number(t) or not 0 < t <= 86400 * 7):
            errors.append("time_limit_s: must be a positive number of seconds or null")
        time_limit = t
    else:
        time_limit = sc.time_limit_s if sc else None
    if "max_offers" in body:
        m = body["max_offers"]
        if not isinstance(m, int) or isinstance(m, bool) or not 1 <= m <= 1000:
            errors.append("max_offers: must be a whole number from 1 to 1000")
        max_offers = m
    else:
        max_offers = sc.max_offers if sc else 0
    pairing = body.get("pairing", "arrival")
    if pairing not in PAIRINGS:
        errors.append(f"pairing: must be arrival or rounds, not {pairing!r}")
    agents = None
    if body.get("agents") is not None:
        try:
            agents = parse_agents(body["agents"], pairing=pairing, conditions=conditions)
        except RequestError as e:
            errors.extend(e.errors)
        playable = [c for c in conditions if isinstance(c, str) and c in known]
        errors += seating.middle_problems(
            body["agents"], protocol, playable, body.get("middle", "players")
        )
    multiple = body.get("multiple_seats", False)
    if not isinstance(multiple, bool):
        errors.append("multiple_seats: must be true or false")
    debrief = body.get("debrief", "round_end" if pairing == "rounds" else "immediate")
    if debrief not in DEBRIEFS:
        errors.append(f"debrief: must be round_end or immediate, not {debrief!r}")
    elif debrief == "round_end" and pairing != "rounds":
        errors.append("debrief: round_end needs pairing 'rounds' (arrival pairs have no round)")
    settings = None
    try:
        settings = study.parse_settings(body.get("study"), forms or {}, pairing, agents)
    except study.StudyError as e:
        errors += e.errors
    middle = body.get("middle", "players")
    if middle not in MIDDLES:
        errors.append(f"middle: must be players, computer or instructor, not {middle!r}")
    elif middle != "players" and protocol != protocols.MIXED and not protocols.has_middle(protocol):
        errors.append(f"middle: the protocol {protocol!r} has no middle seat")
    # a mixed session with a student in the middle forms pairs and trios by condition
    # (game.core.trios.plan_slots); none of its other settings is refused for it
    rotate = body.get("rotate", False)
    if not isinstance(rotate, bool):
        errors.append("rotate: must be true or false")
    name = _session_name(body.get("name", ""), errors)
    student_id = body.get("student_id")
    if student_id is not None:
        if not isinstance(student_id, str) or not 1 <= len(student_id.strip()) <= LABEL_MAX:
            errors.append(
                f"student_id: must be the field's label (1 to {LABEL_MAX} characters) or null"
            )
        else:
            student_id = " ".join(student_id.split())
    if errors:
        raise RequestError(errors)
    return SessionSettings(
        sc,
        list(conditions),
        time_limit,
        max_offers,
        pairing,
        protocol,
        multiple_seats=multiple,
        debrief=debrief,
        middle=middle,
        rotate=rotate,
        agents=agents,
        study=settings,
        name=name,
        student_id=student_id,
        options=options,
    )


def _session_name(raw: Any, errors: list[str]) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str) or len(raw.strip()) > SESSION_NAME_MAX:
        errors.append(f"name: must be text of at most {SESSION_NAME_MAX} characters")
        return ""
    return " ".join(raw.split())


def parse_session_update(body: Any) -> dict[str, Any]:
    """``PATCH /api/sessions/<code>``: ``{"name"?, "archived"?, "count_instructor_ended"?}``,
    the changes to make."""
    if not isinstance(body, dict):
        raise RequestError("body: must be a JSON object")
    keys = ("name", "archived", "count_instructor_ended")
    errors = [f"{k}: unknown key ({', '.join(keys)})" for k in body if k not in keys]
    out: dict[str, Any] = {}
    if "name" in body:
        out["name"] = _session_name(body["name"], errors)
    for k in keys[1:]:
        if k in body:
            if not isinstance(body[k], bool):
                errors.append(f"{k}: must be true or false")
            out[k] = body[k]
    if errors:
        raise RequestError(errors)
    return out


def parse_join(body: Any) -> tuple[str, str]:
    """``(name, label)`` of ``POST /api/sessions/<code>/join``, each with its spaces folded."""
    if not isinstance(body, dict):
        raise RequestError("body: must be a JSON object")
    name = body.get("name")
    label = body.get("label", "")
    errors = []
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= NAME_MAX:
        errors.append(f"name: must be 1 to {NAME_MAX} characters")
    if label is None:
        label = ""
    if not isinstance(label, str) or len(label.strip()) > LABEL_MAX:
        errors.append(f"label: must be text of at most {LABEL_MAX} characters")
    if errors:
        raise RequestError(errors)
    return " ".join(name.split()), " ".join(label.split())


AGENT_MODES = ("fill", "practice", "research")
AGENT_KEYS = ("mode", "strategy", "params", "wait_s", "think_s", "openings", "name")
OPENINGS = ("single-extreme", "single-moderate", "meso-extreme", "meso-moderate")
THINK_DEFAULT = [2.0, 5.0]
WAIT_DEFAULT = 60.0  # fill, arrival pairing: seconds a participant waits before an agent


def parse_agents(value: Any, *, pairing: str = "arrival", conditions: Any = ()) -> dict:
    """The ``agents`` key of ``POST /api/sessions`` (docs/agents.md): where computer
    counterparts play and how; every problem as ``agents.<key>: problem``."""
    from game.core import agents as agents_mod  # the strategies (and any loaded from a file)

    if not isinstance(value, dict):
        raise RequestError("agents: must be an object (mode, strategy, params, ...)")
    errors = [f"agents.{k}: unknown key" for k in value if k not in AGENT_KEYS]
    mode = value.get("mode", "fill")
    if mode not in AGENT_MODES:
        errors.append(f"agents.mode: must be one of {', '.join(AGENT_MODES)}, not {mode!r}")
    if mode in ("practice", "research") and pairing != "arrival":
        errors.append(
            f"agents.mode: {mode} needs pairing arrival (every participant plays an agent)"
        )
    strategy = value.get("strategy", "scripted" if value.get("openings") else "linear")
    params = value.get("params", {})
    try:
        agent = agents_mod.make(strategy, params)
    except agents_mod.AgentError as e:
        where = "agents.strategy" if "unknown strategy" in str(e) else "agents.params"
        errors.append(f"{where}: {e}")
        agent = None
    wait = value.get("wait_s", WAIT_DEFAULT if mode == "fill" else 0.0)
    if not _number(wait) or not 0 <= wait <= 86400:
        errors.append("agents.wait_s: must be a number of seconds from 0 to 86400")
    think = value.get("think_s", THINK_DEFAULT)
    if (
        not isinstance(think, list)
        or len(think) != 2
        or not all(_number(x) for x in think)
        or not 0 <= think[0] <= think[1] <= 600
    ):
        errors.append("agents.think_s: must be [least, most] seconds, 0 <= least <= most <= 600")
    openings = value.get("openings")
    if openings is not None:
        if mode != "research":
            errors.append("agents.openings: only with mode research")
        if not isinstance(openings, list) or not 1 <= len(openings) <= 30:
            errors.append(f"agents.openings: must be a list of 1 to 30 of {', '.join(OPENINGS)}")
            openings = []
        for n, o in enumerate(openings):
            if o not in OPENINGS:
                errors.append(
                    f"agents.openings[{n}]: unknown opening {o!r} ({', '.join(OPENINGS)})"
                )
            elif o.startswith("meso") and "single" in (conditions or ()):
                errors.append(
                    f"agents.openings[{n}]: a MESO opening needs conditions without single"
                )
        if strategy != "scripted":
            errors.append("agents.openings: the openings are the scripted strategy's")
    name = value.get("name", "Computer")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= NAME_MAX:
        errors.append(f"agents.name: must be 1 to {NAME_MAX} characters")
    if errors:
        raise RequestError(errors)
    return {
        "mode": mode,
        "strategy": strategy,
        "params": getattr(agent, "params", None) or {},
        "wait_s": float(wait),
        "think_s": [float(think[0]), float(think[1])],
        "openings": list(openings) if openings else None,
        "name": " ".join(name.split()),
    }
