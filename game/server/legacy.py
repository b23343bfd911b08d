"""The hub's old open attributes, kept only for game/server/instructor.py.

The instructor's pages are being rewritten (game/server/console/) against the hub's public
interface (``hub.session``, ``hub.members``, ``game.server.reads``...). Until that lands this
mixin keeps the old names working for instructor.py alone; nothing else may use them. Delete
this module, and ``LegacyAccess`` from ``Hub``'s bases, once instructor.py is gone.
"""

from __future__ import annotations

from typing import Any


class LegacyAccess:
    @property
    def participants(self) -> dict:
        return self._participants

    @property
    def negotiations(self) -> dict:
        return self._negotiations

    @property
    def sessions(self) -> dict:
        return self._sessions

    @property
    def scenarios(self) -> dict:
        return self._catalog.by_id()

    @property
    def scenario_source(self) -> dict:
        return {sc.id: self._catalog.source(sc.id) for sc in self._catalog.all()}

    @property
    def lock(self) -> Any:
        return self._lock

    @property
    def store(self) -> Any:
        return self._store

    def session_view(self, code: str, *, metrics: bool = True) -> dict:
        from game.server import reads

        return reads.session_view(self, code, metrics=metrics)

    def standings(self, code: str) -> list[dict]:
        from game.server import reads

        return reads.standings(self, code)

    def negotiation_summary(self, n: Any, *, metrics: bool = True) -> dict:
        from game.server import reads

        return reads.negotiation_summary(self, n, metrics=metrics)
