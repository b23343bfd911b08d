"""The study flow of a session, as pure decisions: its settings and where a participant stands.

A session may carry ``study`` settings (``POST /api/sessions`` ``{"study": {...}}``): a consent
text, the URL parameter that carries a panel's participant id, a waiting-room limit, a completion
code and redirect, and questionnaires at three points of the flow: ``before`` the negotiation,
``after`` it ends (before the debrief shows the other side's numbers) and after the ``debrief``.
:func:`parse_settings` checks them; :func:`stage` says what a participant is to see next from
their :class:`Progress`. docs/questionnaires.md and docs/instructor.md describe the flow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

POINTS = ("before", "after", "debrief")
STUDY_KEYS = (
    "consent",
    "entry_param",
    "wait_limit_s",
    "completion_code",
    "release_code",
    "redirect_url",
    "questionnaires",
    "computer_counterpart",
)
PARAM_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
EXTERNAL_ID_RE = re.compile(r"[A-Za-z0-9_.@:-]{1,100}")
CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_CONSENT = 20_000
MAX_WAIT_S = 3600
MAX_URL = 2000
MAX_PER_POINT = 5


class StudyError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


@dataclass
class Progress:
    """One participant's way through the flow, rebuilt from their session events."""

    consented_at: str | None = None
    declined: bool = False
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # questionnaire -> item
    submitted: dict[str, set[int]] = field(default_factory=dict)  # questionnaire -> pages
    continued: bool = False  # left the debrief
    released: bool = False  # let go from the waiting room with a code
    completed_at: str | None = None

    def apply(self, event: dict) -> None:
        """Fold one of the participant's study events into the progress."""
        t = event["type"]
        if t == "consented":
            self.consented_at = event.get("created_at") or self.consented_at or "?"
        elif t == "declined":
            self.declined = True
        elif t == "responded":
            self.answers.setdefault(event["questionnaire"], {})[event["item"]] = event["value"]
        elif t == "submitted":
            self.submitted.setdefault(event["questionnaire"], set()).add(event["page"])
        elif t == "continued":
            self.continued = True
        elif t == "released":
            self.released = True
        elif t == "completed":
            self.completed_at = event.get("created_at") or "?"


STUDY_EVENTS = ("consented", "declined", "responded", "submitted", "continued", "released")
STUDY_EVENTS += ("completed", "waiting")


def parse_settings(
    data: Any, forms: Mapping[str, dict], pairing: str, agents: dict | None = None
) -> dict | None:
    """The ``study`` settings of a session request, with a copy of each questionnaire it names
    (``forms``, by id); None when absent. ``agents`` is the session's computer counterparts
    setting (game.core.requests.parse_agents), which ``computer_counterpart`` needs. Raises
    StudyError with every problem."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise StudyError(["study: must be an object"])
    errors = [f"study.{k}: unknown key" for k in data if k not in STUDY_KEYS]
    if pairing != "arrival":
        errors.append("study: needs pairing 'arrival' (one negotiation per participant)")
    consent = data.get("consent")
    if consent is not None and (
        not isinstance(consent, str) or not consent.strip() or len(consent) > MAX_CONSENT
    ):
        errors.append(f"study.consent: must be text of 1 to {MAX_CONSENT} characters, or null")
    param = data.get("entry_param")
    if param is not None and (not isinstance(param, str) or not PARAM_RE.fullmatch(param)):
        errors.append(
            "study.entry_param: must be a URL parameter name of letters, digits and _ "
            "(such as PROLIFIC_PID), or null"
        )
    wait = data.get("wait_limit_s")
    if wait is not None and (
        not isinstance(wait, (int, float)) or isinstance(wait, bool) or not 0 < wait <= MAX_WAIT_S
    ):
        errors.append(f"study.wait_limit_s: must be seconds from 1 to {MAX_WAIT_S}, or null")
    for k in ("completion_code", "release_code"):
        v = data.get(k)
        if v is not None and (not isinstance(v, str) or not CODE_RE.fullmatch(v)):
            errors.append(f"study.{k}: must be 1 to 64 letters, digits, _ or -, or null")
    url = data.get("redirect_url")
    if url is not None and (
        not isinstance(url, str)
        or not re.fullmatch(r"https?://[^\s<>\"]+", url)
        or len(url) > MAX_URL
    ):
        errors.append("study.redirect_url: must be an http:// or https:// address, or null")
    agent = data.get("computer_counterpart", False)
    if not isinstance(agent, bool):
        errors.append("study.computer_counterpart: must be true or false")
    elif agent and (not agents or agents.get("mode") != "fill"):
        errors.append(
            "study.computer_counterpart: needs the session's agents with mode fill (whose "
            "wait_s is then the waiting room's limit)"
        )
    elif agent and wait is not None:
        errors.append(
            "study.wait_limit_s: with a computer counterpart the agents' wait_s is the limit"
        )
    qs = data.get("questionnaires", {})
    copies: dict[str, dict] = {}
    points: dict[str, list[str]] = {p: [] for p in POINTS}
    if not isinstance(qs, dict):
        errors.append("study.questionnaires: must be an object of before, after and debrief")
        qs = {}
    for point, ids in qs.items():
        at = f"study.questionnaires.{point}"
        if point not in POINTS:
            errors.append(f"{at}: unknown point (before, after or debrief)")
            continue
        if not isinstance(ids, list) or len(ids) > MAX_PER_POINT:
            errors.append(f"{at}: must be a list of at most {MAX_PER_POINT} questionnaire ids")
            continue
        for i, qid in enumerate(ids):
            if not isinstance(qid, str) or qid not in forms:
                errors.append(f"{at}[{i}]: unknown questionnaire {qid!r}")
            elif qid in copies:
                errors.append(f"{at}[{i}]: questionnaire {qid!r} is used twice in the session")
            else:
                copies[qid] = forms[qid]
                points[point].append(qid)
    if errors:
        raise StudyError(errors)
    return {
        "consent": consent,
        "entry_param": param,
        "wait_limit_s": wait,
        "completion_code": data.get("completion_code"),
        "release_code": data.get("release_code"),
        "redirect_url": url,
        "computer_counterpart": agent is True,
        "questionnaires": points,
        "forms": copies,
    }


def parse_external_id(body: Any) -> str:
    if not isinstance(body, dict):
        raise StudyError(["body: must be a JSON object"])
    x = body.get("external_id")
    if not isinstance(x, str) or not EXTERNAL_ID_RE.fullmatch(x):
        raise StudyError(["external_id: must be 1 to 100 letters, digits or . _ @ : -"])
    return x


def _next_form(st: dict, point: str, prog: Progress) -> tuple[str, int] | None:
    """The first questionnaire at ``point`` not fully submitted, and its first open page."""
    for qid in st["questionnaires"][point]:
        pages = len(st["forms"][qid]["pages"])
        done = prog.submitted.get(qid, set())
        for page in range(pages):
            if page not in done:
                return qid, page
    return None


def ready_to_wait(st: dict | None, prog: Progress) -> bool:
    """Whether a participant may enter the waiting room (consent given, ``before`` done)."""
    if st is None:
        return True
    if prog.declined or prog.released or (st["consent"] and not prog.consented_at):
        return False
    return _next_form(st, "before", prog) is None


def stage(st: dict, prog: Progress, negotiation: str | None) -> dict[str, Any]:
    """What the participant is to see: ``{"stage": ...}`` with what that stage needs.

    ``negotiation`` is None before pairing, else ``"open"`` or ``"ended"``. Stages: ``consent``,
    ``declined``, ``questionnaire`` (with ``point``, ``questionnaire``, ``page`` and the
    answers so far), ``play`` (waiting or negotiating), ``debrief`` (the negotiation's debrief,
    then Continue) and ``complete`` (the completion code and redirect).
    """
    if prog.declined:
        return {"stage": "declined"}
    if st["consent"] and not prog.consented_at:
        return {"stage": "consent", "consent": st["consent"]}
    if prog.released and negotiation is None:
        code = st["release_code"] or st["completion_code"]
        return {"stage": "complete", "released": True, "code": code,
                "redirect_url": st["redirect_url"]}  # fmt: skip
    points = ("before",) if negotiation != "ended" else ("before", "after")
    if negotiation == "ended" and prog.continued:
        points = (*points, "debrief")
    for point in points:
        nxt = _next_form(st, point, prog)
        if nxt:
            qid, page = nxt
            return {
                "stage": "questionnaire",
                "point": point,
                "questionnaire": st["forms"][qid],
                "page": page,
                "answers": dict(prog.answers.get(qid, {})),
            }
    if negotiation != "ended":
        return {"stage": "play"}
    if not prog.continued:
        return {"stage": "debrief"}
    return {"stage": "complete", "released": False, "code": st["completion_code"],
            "redirect_url": st["redirect_url"]}  # fmt: skip


def hides_debrief(view: dict) -> bool:
    """Whether a stage keeps the negotiation's debrief (the other side's numbers) hidden."""
    return view["stage"] == "questionnaire" and view["point"] in ("before", "after")
