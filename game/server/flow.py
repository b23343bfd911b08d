"""The study flow's commands, part of the hub (:class:`game.server.hub.Hub` inherits them).

Consent, entry with a panel's external id, questionnaire answers and pages, leaving the debrief,
and the waiting room's limit. The decisions are game.core.study's and game.core.questionnaires';
here each command is checked, logged as a session event (``consented``, ``declined``,
``responded``, ``submitted``, ``continued``, ``released``, ``completed``) and only then applied
to the participant's progress in memory, under the hub's one lock.
"""

from __future__ import annotations

import secrets
from typing import Any

from game.core import lobby, questionnaires, study
from game.core.protocols.common import RuleError
from game.core.protocols.offers_payloads import MAX_PAYLOAD_PACKAGES
from game.server.records import ApiError, Negotiation, Participant, Session, participant_row
from game.server.store import iso


class StudyFlow:
    """Mixed into the hub: uses its ``_lock``, ``_store``, ``_sessions``, ``_participants``."""

    def add_questionnaire(self, data: Any) -> str:
        with self._lock:
            return self.forms.add(data)

    def _note(self, p: Participant | None, n: Negotiation | None, kind: str, payload: dict):
        """Log an event no protocol folds (``suggested``, ``refused``): the log keeps what was
        asked and refused, and the negotiation's state stays as it is. Nothing more is logged
        of a participant who declined consent."""
        if p is not None and not p.progress.declined:
            event = {"type": kind, "at": self.clock(), **payload}
            self._store.append(p.code, n.id if n else None, p.id, [event])

    def _note_suggest(self, p: Participant, n: Negotiation, payload: Any, answer: dict) -> dict:
        """Log a ``suggest`` answer (``suggested`` with what was asked and returned, or
        ``refused`` with its code) and return it."""
        with self._lock:
            if answer.get("ok"):
                asked = {
                    "packages": payload["packages"][:MAX_PAYLOAD_PACKAGES],
                    "count": payload.get("count"),
                }
                returned = {k: answer[k] for k in ("packages", "points", "target")}
                self._note(p, n, "suggested", {"asked": asked, "returned": returned})
            else:
                self._note(p, n, "refused", {"action": "suggest", "code": answer["error"]["code"]})
        return answer

    def _recover_study(self) -> None:
        for e in self._store.session_events(study.STUDY_EVENTS):
            p = self._participants.get(e["participant_id"] or "")
            if p is not None:
                p.progress.apply({**e, "created_at": iso(e["at"])})
                if e["type"] == "waiting" and p.first_waited is None:
                    p.first_waited = e["at"]  # the waiting-room limit counts across restarts

    def _stage(self, s: Session, p: Participant) -> dict | None:
        if not s.study:
            return None
        n = self.current(p)
        status = None if n is None else ("open" if n.state.is_open else "ended")
        return study.stage(s.study, p.progress, status)

    def study_stage(self, p: Participant) -> dict | None:
        """Where a participant stands in their session's study flow (None without one)."""
        with self._lock:
            return self._stage(self._sessions[p.code], p)

    def _log_study(self, p: Participant, kind: str, payload: dict) -> None:
        """Commit one study event, then fold it into the participant's progress."""
        now = self.clock()
        self._store.log(p.code, p.id, kind, payload, now)
        p.progress.apply({"type": kind, **payload, "created_at": iso(now)})
        self.version += 1

    # ------------------------------------------------------------ entry
    def enter(self, code: str, body: Any) -> tuple[str, str, bool]:
        """Entry with a panel's participant id: (token, participant id, whether it resumed a
        seat). One participation per external id: the same id gets the same seat back."""
        s = self.session(code)
        if not s.study or not s.study.get("entry_param"):
            raise ApiError(400, "code: this session is not entered with a participant id")
        try:
            external = study.parse_external_id(body)
        except study.StudyError as e:
            raise ApiError(400, e.errors) from e
        with self._lock:
            for p in self._participants.values():
                if p.code == s.code and p.external_id == external:
                    return p.token, p.id, True
            pid = "p_" + secrets.token_hex(6)
            token = lobby.make_token()
            now = self.clock()
            seq = len(self._participants) + 1
            p = Participant(pid, s.code, "Participant", "", token, iso(now), seq)
            p.external_id = external
            self._store.add_participant(participant_row(p), at=now)
            self._participants[pid] = p
            self._by_token[token] = pid
            self.version += 1
            return token, pid, False

    # ------------------------------------------------------------ commands
    def study_act(self, sid: str, kind: str, payload: Any) -> tuple[dict, set[str]]:
        """A study command (``consent``, ``answer``, ``submit``, ``continue``); (the
        acknowledgement, who to update). A refusal changes nothing and is logged."""
        with self._lock:
            pid = self._sid_owner.get(sid)
            p = self._participants.get(pid) if pid else None
            try:
                if p is None:
                    raise RuleError("not_negotiating", "this connection has no participant")
                s = self._sessions[p.code]
                st = self._stage(s, p)
                if st is None:
                    raise RuleError("wrong_stage", "this session has no study flow")
                if not isinstance(payload, dict):
                    raise RuleError("bad_request", "send one payload object")
                answer = getattr(self, f"_study_{kind}")(s, p, st, payload)
            except RuleError as e:
                self._note(p, None, "refused", {"action": kind, "code": e.code})
                return e.as_answer(), set()
            touched = {p.id} | self._after_study_step(s, p)
            return answer, touched

    def _after_study_step(self, s: Session, p: Participant) -> set[str]:
        """Queue a participant who has become ready to wait; log a completion reached."""
        touched: set[str] = set()
        if (
            p.connected
            and not p.negotiations
            and p.id not in s.waiting
            and study.ready_to_wait(s.study, p.progress)
        ):
            s.waiting.append(p.id)
            p.waiting_since = self.clock()  # in the queue since (pairs and trios: game.core.trios)
            if p.first_waited is None:
                # a study's wait counts from the first entry to the waiting room, across reloads
                # and restarts: the clock shown, the limit and a computer counterpart's wait
                p.first_waited = p.waiting_since
                self._store.log(p.code, p.id, "waiting", {}, p.first_waited)
            touched |= self._pair_arrivals(s)
        st = self._stage(s, p)
        if st["stage"] == "complete" and not p.progress.completed_at:
            self._log_study(p, "completed", {"code": st["code"], "released": st["released"]})
        return touched

    def _study_consent(self, s: Session, p: Participant, st: dict, payload: dict) -> dict:
        if st["stage"] != "consent":
            raise RuleError("wrong_stage", "consent is not asked now")
        agree = payload.get("agree")
        if not isinstance(agree, bool):
            raise RuleError("bad_request", "agree: must be true or false")
        self._log_study(p, "consented" if agree else "declined", {})
        return {"ok": True}

    def _study_respond(self, s: Session, p: Participant, st: dict, payload: dict) -> dict:
        if st["stage"] != "questionnaire":
            raise RuleError("wrong_stage", "no questionnaire is open now")
        q = st["questionnaire"]
        if payload.get("questionnaire") != q["id"]:
            raise RuleError("wrong_stage", f"questionnaire: the open questionnaire is {q['id']!r}")
        if set(payload) - {"questionnaire", "item", "value"}:
            raise RuleError("bad_request", "send questionnaire, item and value only")
        try:
            value = questionnaires.check_answer(q, payload.get("item"), payload.get("value"))
        except questionnaires.AnswerError as e:
            raise RuleError("bad_request", str(e)) from e
        self._log_study(
            p, "responded",
            {"questionnaire": q["id"], "point": st["point"], "item": payload["item"],
             "value": value},
        )  # fmt: skip
        return {"ok": True, "value": value}

    def _study_submit(self, s: Session, p: Participant, st: dict, payload: dict) -> dict:
        if st["stage"] != "questionnaire":
            raise RuleError("wrong_stage", "no questionnaire is open now")
        q = st["questionnaire"]
        if payload.get("questionnaire") != q["id"] or payload.get("page") != st["page"]:
            raise RuleError("wrong_stage", f"the open page is page {st['page']} of {q['id']!r}")
        missing = questionnaires.missing(q, st["page"], st["answers"])
        if missing:
            texts = [questionnaires.item(q, iid)["text"] for iid in missing]
            raise RuleError(
                "missing_answers",
                "please answer every required question: " + "; ".join(texts),
            )
        self._log_study(p, "submitted", {"questionnaire": q["id"], "page": st["page"]})
        return {"ok": True}

    def _study_continue(self, s: Session, p: Participant, st: dict, payload: dict) -> dict:
        if st["stage"] != "debrief":
            raise RuleError("wrong_stage", "there is no debrief to leave now")
        self._log_study(p, "continued", {})
        return {"ok": True}

    # ------------------------------------------------------------ the waiting room's limit
    def release_due(self) -> set[str]:
        """Release, with a code, whoever has waited longer than their session's limit."""
        touched: set[str] = set()
        now = self.clock()
        with self._lock:
            for s in self._sessions.values():
                limit = (s.study or {}).get("wait_limit_s")
                # with a computer counterpart, the agents' runner seats one after its wait_s
                if not limit or not s.waiting or s.study.get("computer_counterpart"):
                    continue
                for pid in list(s.waiting):
                    p = self._participants[pid]
                    since = p.first_waited or p.waiting_since
                    if since is not None and now - since >= limit:
                        s.waiting.remove(pid)
                        p.waiting_since = None
                        self._log_study(p, "released", {"waited_s": round(now - since, 3)})
                        self._after_study_step(s, p)
                        touched.add(pid)
        return touched
