"""Where computer counterparts sit: pure decisions from a session's ``agents`` setting
(``game.core.requests.parse_agents``)."""

from __future__ import annotations

from typing import Any

from game.core import lobby, protocols


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


def plays(cls: Any, protocol: str) -> bool:
    """Whether an agent class plays ``protocol``: the shipped strategies play every protocol; a
    class loaded from a file plays those its ``protocols`` names (the offers protocol and its
    post-settlement phase when it names none)."""
    return protocol in getattr(cls, "protocols", ("offers", "pss"))


def middle_problems(value: Any, protocol: str, conditions: list[str], middle: Any) -> list[str]:
    """What cannot work with computer counterparts (``agents``, already parsed or not) in a
    session of ``protocol`` with a middle seat (``mediated``, ``single_text``, or a mixed
    session with such a condition); [] when there is no middle seat or all is well. An agent
    plays a party, so the middle seat takes the computer or the instructor; the scripted
    openings are first offers, which a negotiation with a middle seat has not."""
    from game.core import agents

    if not isinstance(value, dict):
        return []
    mixed = protocol == protocols.MIXED
    names = sorted({protocols.for_condition(c).NAME for c in conditions} if mixed else {protocol})
    with_middle = [n for n in names if protocols.has_middle(n)]
    if not with_middle:
        return []
    problems = []
    if middle not in ("computer", "instructor"):
        problems.append(
            f"agents: in {' and '.join(with_middle)} a computer counterpart plays a party, so the "
            "middle seat takes the computer or the instructor (middle: computer or instructor), "
            f"not {middle!r}"
        )
    if value.get("openings") and not mixed:
        problems.append(
            f"agents.openings: the scripted openings are first offers; {protocol} has none"
        )
    strategy = value.get("strategy", "scripted" if value.get("openings") else "linear")
    cls = agents.REGISTRY.get(strategy) if isinstance(strategy, str) else None
    for name in with_middle:
        if cls is not None and not plays(cls, name):
            problems.append(
                f"agents.strategy: {strategy!r} does not play {name} (its class names the "
                "protocols it plays in 'protocols'; see docs/agents.md)"
            )
    return problems
