"""The instructor's class control, part of the hub's writer: end a round at once, close and
reopen a session, name, archive and delete it, replace or delete an uploaded scenario.

:class:`Course` is a mixin of :class:`game.server.hub.Hub`: its methods change the hub's
records under the hub's lock and commit to the store first, like every other change. Pure
decisions (which negotiations a round's end touches, what a setting may be) are in
``game.core.requests``; what is stored is a session's columns ``name``, ``closed``,
``archived`` (schema 3) and the session-level events ``round_ended``, ``closed``, ``reopened``.
"""

from __future__ import annotations

from typing import Any

from game.core import requests
from game.core.protocols.common import RuleError
from game.server.records import ApiError, Session
from game.server.store import delete_session


class Course:
    """Class control for the hub (see the module's docstring)."""

    def _open_of_round(self, s: Session) -> list:
        _, negs = self.members(s.code)
        return [n for n in negs if n.state.is_open]

    def end_round(self, code: str) -> tuple[int, int, set[str]]:
        """End every open negotiation of the session at once (the instructor's end, reason
        ``instructor``): (the round, how many were ended, who to update). Nothing open: 0."""
        s = self.session(code)
        with self._lock:
            now = self.clock()
            open_ = self._open_of_round(s)
            touched: set[str] = set()
            for n in open_:  # each end committed, then folded, like any other
                try:
                    events = s.rules.end_by_instructor(n.state, now)
                except RuleError:  # pragma: no cover - open negotiations only
                    continue
                self._commit(n, None, events)
                touched |= set(n.participants)
            if open_:
                self._store.log(
                    s.code, None, "round_ended", {"round": s.round, "ended": len(open_)}, now
                )
            return s.round, len(open_), touched

    def set_closed(self, code: str, closed: bool) -> set[str]:
        """Close a session (joining refused, its students told the class is over) or reopen
        it; who to update (every participant of the session)."""
        s = self.session(code)
        with self._lock:
            if s.closed == closed:
                return set()
            now = self.clock()
            with self._store.transaction():
                self._store.update_session(s.code, closed=int(closed))
                self._store.log(s.code, None, "closed" if closed else "reopened", {}, now)
            s.closed = closed
            if closed:
                s.waiting.clear()
            self.version += 1
            parts, _ = self.members(s.code)
            return {p.id for p in parts}

    def update_session(self, code: str, body: Any) -> Session:
        """Rename or (un)archive a session: ``{"name"?, "archived"?}``; ApiError 400 naming
        the field, nothing changed."""
        s = self.session(code)
        try:
            changes = requests.parse_session_update(body)
        except requests.RequestError as e:
            raise ApiError(400, e.errors) from e
        with self._lock:
            stored = {k: int(v) if isinstance(v, bool) else v for k, v in changes.items()}
            if stored:
                self._store.update_session(s.code, **stored)
            for k, v in changes.items():
                setattr(s, k, v)
            self.version += 1
            return s

    def delete_session(self, code: str, confirm: Any) -> None:
        """Delete a session and all its data; ``confirm`` must be its code. ApiError 400 when
        it is not, 409 while a negotiation is open."""
        s = self.session(code)
        if not isinstance(confirm, str) or confirm.strip().upper() != s.code:
            raise ApiError(400, f"confirm: type the session's code {s.code} to delete it")
        with self._lock:
            parts, negs = self.members(s.code)
            if any(n.state.is_open for n in negs):
                raise ApiError(
                    409, "session: a negotiation is still open; end the round before deleting"
                )
            delete_session(self._store, s.code)
            for n in negs:
                self._negotiations.pop(n.id, None)
                self.encoder.forget(n.id)
            for p in parts:
                self._participants.pop(p.id, None)
                self._by_token.pop(p.token, None)
                for sid in p.sids:
                    self._sid_owner.pop(sid, None)
            del self._sessions[s.code]
            self.version += 1

    def replace_scenario(self, sid: str, data: Any) -> str:
        """A new version of an uploaded scenario (same id); sessions keep their own copy."""
        with self._lock:
            return self._catalog.replace(sid, data)

    def delete_scenario(self, sid: str) -> None:
        """Delete an uploaded scenario that no session uses (ApiError 409 otherwise)."""
        with self._lock:
            users = [s.code for s in self._sessions.values() if s.scenario.id == sid]
            if self._catalog.get(sid) is not None and users:
                raise ApiError(
                    409,
                    f"scenario: {sid!r} is used by session{'s' * (len(users) > 1)} "
                    f"{', '.join(sorted(users))}; delete those sessions first",
                )
            self._catalog.delete(sid)
