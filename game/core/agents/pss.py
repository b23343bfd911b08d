"""Computer counterparts in the post-settlement phase (protocol ``pss``, issue 14).

Every shipped strategy answers a proposal waiting for it the same way, from its own view only:
it accepts the package of the proposal worth most to it when that is worth **more** to it than
the deal in force, and declines the proposal otherwise. It makes no proposal and never closes
the phase: the human partner or the phase's limits close it. The ``pss_improver`` strategy
also proposes, while no proposal waits, what :mod:`game.core.agents.improver` finds better for
both by its estimate of the other side, and closes the phase when it finds nothing or after
``max_declines`` of its proposals were declined (:func:`improve`).
"""

from __future__ import annotations

from game.core.agents import improver
from game.core.agents.base import Step
from game.core.agents.model import model


def in_phase(view: dict) -> bool:
    """Whether ``view`` shows an open post-settlement phase."""
    neg = view.get("negotiation") if isinstance(view, dict) else None
    phase = (neg or {}).get("post_settlement") or {}
    return bool(neg) and neg.get("status") == "open" and phase.get("state") == "open"


def answer(view: dict, now: float) -> Step | None:
    """The agent's answer to the proposal waiting for it, or None (nothing to answer)."""
    neg = view["negotiation"]
    phase = neg["post_settlement"]
    if neg.get("deadline") is not None and now >= neg["deadline"]:
        return None
    waiting = next((p for p in phase["proposals"] if p["id"] == phase["pending"]), None)
    if waiting is None or waiting["by"] == neg["role"]:
        return None
    k = max(range(len(waiting["points"])), key=lambda j: (waiting["points"][j], -j))
    if waiting["points"][k] > phase["deal"]["points"]:
        return Step("accept", {"offer_id": waiting["id"], "package": k})
    return Step("decline", {"offer_id": waiting["id"]})


def improve(view: dict, now: float, max_declines: int) -> Step | None:
    """Answer what waits for the agent; while nothing waits, propose an improvement for both (by
    its estimate) or close the phase."""
    neg = view["negotiation"]
    phase = neg["post_settlement"]
    if neg.get("deadline") is not None and now >= neg["deadline"]:
        return None
    if phase["pending"] is not None:
        return answer(view, now)
    kind, packages = improver.step_kind(model(neg), neg, max_declines)
    if kind == "propose":
        return Step("propose", {"packages": packages})
    return Step("close_phase", {})
