"""Where computer counterparts sit: pure decisions from a session's ``agents`` setting
(``game.core.requests.parse_agents``)."""

from __future__ import annotations

from typing import Any

from game.core import lobby


def agent_for(
    setting: dict, seed: Any, index: int, condition: str | None = None
) -> tuple[str, dict]:
    """The strategy and parameters of the agent of a session's ``index``-th negotiation.

    In research with ``openings``, the scripted agent's first offer (single or MESO, extreme or
    moderate) is the opening drawn for that negotiation: balanced in blocks and seeded as the
    session's conditions are (``lobby.condition_for``), with a seed of its own so the openings
    and the conditions are drawn independently. In research with the scripted agent, the
    negotiation's ``condition`` maps to its opening too: ``single`` opens with one package,
    ``meso`` with a MESO (so conditions single and meso crossed with openings of both levels
    make the 2x2); ``any`` leaves the opening to ``openings`` or the parameters.
    """
    params = dict(setting.get("params") or {})
    openings = setting.get("openings")
    if openings:
        kind, level = lobby.condition_for(openings, f"{seed}:openings", index).split("-")
        params.update(opening=kind, level=level)
    research = setting.get("mode") == "research" and setting["strategy"] == "scripted"
    if research and condition in ("single", "meso"):
        params["opening"] = condition
    return setting["strategy"], params


def agent_first(setting: dict | None) -> bool:
    """Whether the agent takes the first mover's role (research: its opening is the design)."""
    return bool(setting and setting.get("mode") == "research")


def fills_rounds(setting: dict | None) -> bool:
    """Whether the odd one out of a round plays an agent instead of sitting out."""
    return bool(setting and setting.get("mode") == "fill")


def fills_arrivals(setting: dict | None) -> bool:
    """Whether arrival pairing gives an agent to who waited ``wait_s`` seconds (fill), or at
    once (practice, research: every participant plays an agent)."""
    return bool(setting)


def humans_pair(setting: dict | None) -> bool:
    """Whether two waiting humans are paired with each other (not in practice or research)."""
    return not setting or setting.get("mode") == "fill"
