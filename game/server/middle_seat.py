"""The middle seat of a negotiation, for the hub: who forms a pair or a trio (and, in a session
mixing protocols with a student in the middle, which condition each group plays), which protocol
plays a negotiation, the computer in the middle, and the instructor in the middle (``Hub``
inherits these methods; they run under the hub's lock and commit through ``Hub._commit`` like
every change)."""

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
        if len(group) == 2:
            return lobby.arrival_roles(group[0], group[1], s.rng)
        return trios.arrival_seats(group, s.rng)

    def _taken(self, s: Session) -> set[int]:
        """The positions of the session's condition sequence its negotiations took."""
        return {n.condition_index for n in self._negotiations.values() if n.code == s.code}

    def _next_arrivals(self, s: Session, force: bool) -> tuple[list[str], int] | None:
        """The head of the queue that forms the next negotiation, and its position in the
        condition sequence; None while they wait. A session forming pairs and trios follows
        ``trios.plan_slots``: strictly, unless the instructor pairs them (``force``) or the two
        at the head have waited ``trios.TRIO_WAIT_S`` together for a third."""
        if not trios.sizes_vary(s.protocol, s.middle, s.conditions):
            if len(s.waiting) < s.group:
                return None
            return s.waiting[: s.group], s.negotiation_count
        strict = not (force or self._waited_together(s))
        slots = trios.plan_slots(
            s.conditions, s.seed, self._taken(s), len(s.waiting), strict=strict
        )
        return (s.waiting[: slots[0].size], slots[0].index) if slots else None

    def _waited_together(self, s: Session) -> bool:
        if len(s.waiting) < 2:
            return False
        since = [self._participants[pid].waiting_since for pid in s.waiting[:2]]
        return None not in since and self.clock() - max(since) >= trios.TRIO_WAIT_S

    def pair_due(self) -> set[str]:
        """Arrivals of a session forming pairs and trios who waited ``trios.TRIO_WAIT_S``
        together for a third play a direct condition now (the background loop calls this)."""
        touched: set[str] = set()
        with self._lock:
            for s in self._sessions.values():
                if (
                    s.pairing == "arrival"
                    and not s.closed
                    and trios.sizes_vary(s.protocol, s.middle, s.conditions)
                    and self._waited_together(s)
                ):
                    touched |= self._pair_safely(s)
        return touched

    def _round_groups(self, s: Session, ready: list[str], negs: list, sat: dict, rng: Any):
        """A round's groups, each with its position in the condition sequence (pairs, trios
        with a player in the middle, or both by condition), and who sits out."""
        base = s.negotiation_count
        if trios.sizes_vary(s.protocol, s.middle, s.conditions):
            slots = trios.plan_slots(s.conditions, s.seed, self._taken(s), len(ready), strict=False)
            history = [n.participants for n in negs]
            sizes = [slot.size for slot in slots]
            mp = trios.plan_mixed_round(ready, history, sat, rng, s.rotate, sizes)
            return list(zip(mp.groups, [slot.index for slot in slots], strict=True)), mp.sitting_out
        if s.group == 2:
            history = [lobby.Past(*n.participants[:2]) for n in negs]
            plan = lobby.plan_round(ready, history, sat, rng)
            sitting = [plan.sitting_out] if plan.sitting_out else []
            return [(g, base + k) for k, g in enumerate(plan.pairs)], sitting
        tp = trios.plan_trios(ready, [n.participants for n in negs], sat, rng, s.rotate)
        return [(g, base + k) for k, g in enumerate(tp.trios)], tp.sitting_out

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
