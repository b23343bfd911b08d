"""Computer counterparts: agents that decide as pure functions of a participant's view.

:func:`make` builds a strategy by name with its parameters (checked, errors naming them);
:data:`REGISTRY` holds the shipped strategies (:mod:`game.core.agents.strategies`) and any a
researcher loads from a file (``python run.py serve --agents FILE``, :func:`register`). The
interface is in :mod:`game.core.agents.base`; the shell's runner (game.server.agents) schedules
agents and sends their actions through the hub like a human's.
"""

from __future__ import annotations

from typing import Any

from game.core.agents.base import (
    Agent,
    AgentError,
    Param,
    Step,
    check_params,
    decision_rng,
    think_time,
)
from game.core.agents.strategies import SHIPPED

__all__ = [
    "Agent",
    "AgentError",
    "Param",
    "REGISTRY",
    "Step",
    "check_params",
    "decision_rng",
    "make",
    "names",
    "register",
    "think_time",
]

REGISTRY: dict[str, type] = dict(SHIPPED)


def names() -> list[str]:
    return sorted(REGISTRY)


def make(name: Any, params: Any = None) -> Any:
    """An agent of strategy ``name`` with ``params``; AgentError naming what is wrong."""
    cls = REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None:
        raise AgentError(f"unknown strategy {name!r} (known: {', '.join(names())})")
    if params is not None and not isinstance(params, dict):
        raise AgentError(f"{name}: parameters must be an object of name to value")
    try:
        return cls(**(params or {}))
    except AgentError:
        raise
    except TypeError as e:
        raise AgentError(f"{name}: {e}") from e


def register(cls: Any) -> str:
    """Add a strategy class (a ``name`` and an ``act`` method); AgentError if it has none."""
    name = getattr(cls, "name", None)
    if not isinstance(cls, type) or not isinstance(name, str) or not name:
        raise AgentError(f"{cls!r}: an agent class needs a 'name' (text)")
    if not callable(getattr(cls, "act", None)):
        raise AgentError(f"{name}: an agent class needs an act(view, memory, rng, now) method")
    REGISTRY[name] = cls
    return name
