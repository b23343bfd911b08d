"""The new-session form's online-study fields, turned into the API's ``study`` settings
(game.core.study checks them; its errors come back under the form's ``study`` field)."""

from __future__ import annotations

from typing import Any

from game.core.study import POINTS

TEXT_FIELDS = ("consent", "entry_param", "completion_code", "release_code", "redirect_url")


def blank(forms: list[dict]) -> dict[str, Any]:
    """The fields as the empty form shows them."""
    return {"on": False, "wait_limit_min": "", "computer_counterpart": False,
            **{k: "" for k in TEXT_FIELDS},
            "questionnaires": {p: [] for p in POINTS}, "choices": forms}  # fmt: skip


def from_form(f: Any, forms: list[dict], errors: dict[str, list[str]]) -> tuple[dict | None, dict]:
    """(the ``study`` settings or None when the study box is not ticked, the form's state)."""
    state = blank(forms)
    state["on"] = bool(f.get("study_on"))
    state["computer_counterpart"] = bool(f.get("study_computer_counterpart"))
    for k in TEXT_FIELDS:
        state[k] = (f.get(f"study_{k}") or "").strip()
    state["wait_limit_min"] = (f.get("study_wait_limit_min") or "").strip()
    for p in POINTS:
        state["questionnaires"][p] = [x for x in f.getlist(f"study_q_{p}") if x]
    if not state["on"]:
        return None, state
    study: dict[str, Any] = {k: state[k] or None for k in TEXT_FIELDS}
    if state["wait_limit_min"]:
        try:
            study["wait_limit_s"] = round(float(state["wait_limit_min"]) * 60, 3)
        except ValueError:
            errors.setdefault("study", []).append("the waiting-room limit must be a number")
    study["questionnaires"] = state["questionnaires"]
    study["computer_counterpart"] = state["computer_counterpart"]
    return study, state
