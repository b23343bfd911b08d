"""The middle seat of a negotiation, for the hub: which protocol plays a negotiation, the
computer in the middle, and the instructor in the middle (``Hub`` inherits these methods; they
run under the hub's lock and commit through ``Hub._commit`` like every change)."""

from __future__ import annotations

from typing import Any

from game.core import computer_middle, lobby, trios
from game.core.protocols.common import RuleError
from game.server.records import ApiError, Negotiation, Session


class MiddleSeat:
    @staticmethod
    def _made(events: list[dict]) -> dict:
        """The id an action's answer names: the offer, proposal or draft it made, if any."""
        key = {
            "proposed": "offer_id",
            "pss_proposed": "offer_id",
            "proposal": "proposal_id",
            "drafted": "draft_id",
        }.get(events[0]["type"])
        return {key: events[0][key]} if key else {}

    @staticmethod
    def _arrival_seats(s: Session, group: list[str]) -> tuple[str, ...]:
        """Who takes which seat among arrivals: a pair's roles, or a trio's seats, drawn."""
        if s.group == 2:
            return lobby.arrival_roles(group[0], group[1], s.rng)
        return trios.arrival_seats(group, s.rng)

    @staticmethod
    def _round_groups(s: Session, ready: list[str], negs: list, sat: dict, rng: Any):
        """A round's groups (pairs, or trios with a player in the middle) and who sits out."""
        if s.group == 2:
            history = [lobby.Past(*n.participants[:2]) for n in negs]
            plan = lobby.plan_round(ready, history, sat, rng)
            return plan.pairs, [plan.sitting_out] if plan.sitting_out else []
        tp = trios.plan_trios(ready, [n.participants for n in negs], sat, rng, s.rotate)
        return tp.trios, tp.sitting_out

    def _rules(self, n: Negotiation):
        """The protocol module that plays ``n``."""
        return self._sessions[n.code].rules_for(n.state.condition)

    def _computer_turn(self, s: Session, n: Negotiation) -> None:
        """A computer in the middle seat acts at once when its rule says so (its events have
        no participant id)."""
        if n.state.is_open and s.computer_middle(n.state):
            events = computer_middle.events(self._rules(n), n.state, self.clock())
            if events:
                self._commit(n, None, events)

    def _instructors_middle(self, nid: str) -> tuple[Negotiation, Any]:
        n = self._negotiations.get(nid)
        if n is None:
            raise ApiError(404, f"negotiation: no negotiation {nid!r}")
        rules = self._rules(n)
        if self._sessions[n.code].middle != "instructor" or not hasattr(rules, "MIDDLE"):
            raise ApiError(409, "negotiation: the instructor does not sit in its middle seat")
        return n, rules

    def act_as_middle(self, nid: str, kind: str, payload: Any) -> tuple[dict, set[str]]:
        """The instructor acts in the middle seat of a negotiation (session ``middle``
        "instructor"): as a participant's action, answered the same way; its events have no
        participant id."""
        with self._lock:
            n, rules = self._instructors_middle(nid)
            try:
                action = rules.parse_action(kind, payload)
                now = self.clock()
                if rules.due(n.state, now):
                    self._commit(n, None, rules.due(n.state, now))
                events = rules.apply(n.state, rules.MIDDLE, action, now)
            except RuleError as e:
                return e.as_answer(), set(n.participants)
            self._commit(n, None, events)
            key = {"proposal": "proposal_id", "drafted": "draft_id"}.get(events[0]["type"])
            answer = {"ok": True, **({key: events[0][key]} if key else {})}
            return answer, set(n.participants)

    def middle_view(self, nid: str) -> dict:
        """What the instructor sees in the middle seat: the protocol's view of that seat."""
        with self._lock:
            n, rules = self._instructors_middle(nid)
            others = {}
            for seat, pid in n.others(""):
                p = self._participants[pid]
                others[seat] = {"name": p.name, "connected": p.connected}
            ended = None if n.state.is_open else self.analysis(n.state.scenario)
            return rules.view(n.state, rules.MIDDLE, others=others, analysis=ended)
