"""The new session form's computer counterparts (the ``agents`` setting, docs/agents.md)."""

from __future__ import annotations

from typing import Any

from game.core import agents
from game.core.requests import OPENINGS

AGENT_FORM = {
    "agents_mode": "none",
    "agents_strategy": "linear",
    "agents_wait_s": "60",
    "agents_think_lo": "2",
    "agents_think_hi": "5",
    "agents_openings": [],
}
MODES = {
    "none": ("No computer counterparts", "Students play students only."),
    "fill": (
        "Fill the empty seat",
        "In rounds, the odd one out plays the computer instead of sitting out; on arrival, a "
        "student who waits longer than the seconds below plays the computer.",
    ),
    "research": (
        "Research: everyone plays the computer",
        "With pairing On arrival, each student plays a computer counterpart that makes the first "
        "offer; with openings "
        "chosen, each negotiation's opening is drawn balanced and seeded.",
    ),
}


def agent_choices() -> dict[str, Any]:
    return {"agent_modes": MODES, "strategies": agents.names(), "openings": OPENINGS}


def _number(raw: str, errors: dict[str, list[str]], what: str) -> float | None:
    try:
        return float((raw or "").strip())
    except ValueError:
        errors.setdefault("agents", []).append(f"{what} must be a number")
        return None


def agent_fields(f: Any, body: dict, errors: dict[str, list[str]]) -> dict[str, Any]:
    """Read the form's agent fields into ``body["agents"]`` (when a mode is chosen); the form's
    values to show again."""
    form = {
        "agents_mode": f.get("agents_mode", "none"),
        "agents_strategy": f.get("agents_strategy", "linear"),
        "agents_wait_s": f.get("agents_wait_s", "60"),
        "agents_think_lo": f.get("agents_think_lo", "2"),
        "agents_think_hi": f.get("agents_think_hi", "5"),
        "agents_openings": f.getlist("agents_openings"),
    }
    if form["agents_mode"] == "none":
        return form
    setting: dict[str, Any] = {"mode": form["agents_mode"], "strategy": form["agents_strategy"]}
    wait = _number(form["agents_wait_s"], errors, "the wait")
    lo = _number(form["agents_think_lo"], errors, "the think time")
    hi = _number(form["agents_think_hi"], errors, "the think time")
    if form["agents_mode"] == "fill" and wait is not None:
        setting["wait_s"] = wait
    if lo is not None and hi is not None:
        setting["think_s"] = [lo, hi]
    if form["agents_mode"] == "research" and form["agents_openings"]:
        setting["openings"] = form["agents_openings"]
        setting["strategy"] = "scripted"
    body["agents"] = setting
    return form
