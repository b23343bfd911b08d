"""The instructor's reads of the hub: a session, its standings, one negotiation's summary.

Stubs for the console: thin wrappers of today's hub methods (the hub's helper moves them here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from game.server.hub import Hub, Negotiation


def session_view(hub: Hub, code: str, *, metrics: bool = True) -> dict:
    return hub.session_view(code, metrics=metrics)


def standings(hub: Hub, code: str) -> list[dict]:
    return hub.standings(code)


def negotiation_summary(hub: Hub, n: Negotiation, *, metrics: bool = True) -> dict:
    return hub.negotiation_summary(n, metrics=metrics)
