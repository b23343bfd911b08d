"""Scenario validation: every problem of a scenario document at once, each at its place
(``issues[2].options[0].points.candidate: missing``), and the limits a scenario must keep.

Pure functions over the parsed JSON; :mod:`game.core.scenario` builds the Scenario from a
document that passes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

ID_RE = re.compile(r"[a-z0-9_-]+")  # used with fullmatch: "$" would allow a final newline

TOP_KEYS = (
    "id",
    "title",
    "description",
    "roles",
    "issues",
    "first_mover",
    "max_packages",
    "meso_tolerance",
    "time_limit_s",
    "max_offers",
)
ROLE_KEYS = ("id", "name", "brief", "batna")
ISSUE_KEYS = ("id", "name", "options")
OPTION_KEYS = ("id", "label", "points")

MAX_ISSUES = 40
MAX_OPTIONS = 40
MAX_TEXT = 20_000
MAX_ID_CHARS = 64  # ids of the scenario, its roles, issues and options
MAX_PACKAGES = 3  # the largest max_packages: packages in one offer
MAX_OFFERS = 1000  # the largest max_offers


def _is_number(x: Any) -> bool:
    return (
        isinstance(x, (int, float))
        and not isinstance(x, bool)
        and math.isfinite(x)
        and abs(x) < 1e15
    )


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _text(errors: list[str], obj: dict, key: str, place: str, *, allow_empty: bool = False) -> None:
    if key not in obj:
        errors.append(f"{place}.{key}: missing" if place else f"{key}: missing")
        return
    v = obj[key]
    where = f"{place}.{key}" if place else key
    if not isinstance(v, str):
        errors.append(f"{where}: must be a string")
    elif not allow_empty and not v.strip():
        errors.append(f"{where}: must not be empty")
    elif len(v) > MAX_TEXT:
        errors.append(f"{where}: longer than {MAX_TEXT} characters")


def _ident(errors: list[str], obj: dict, place: str) -> str | None:
    where = f"{place}.id" if place else "id"
    if "id" not in obj:
        errors.append(f"{where}: missing")
        return None
    v = obj["id"]
    if not isinstance(v, str):
        errors.append(f"{where}: must be a string")
        return None
    if not ID_RE.fullmatch(v) or len(v) > MAX_ID_CHARS:
        errors.append(f"{where}: {v!r} must match [a-z0-9_-]+ (at most {MAX_ID_CHARS} characters)")
        return None
    return v


def _unknown_keys(errors: list[str], obj: dict, allowed: tuple[str, ...], place: str) -> None:
    for k in obj:
        if k not in allowed:
            where = f"{place}.{k}" if place else str(k)
            errors.append(f"{where}: unknown key")


def _entries(
    errors: list[str],
    items: list,
    place: str,
    keys: tuple[str, ...],
    label: str,
    what: str,
    scope: str = "",
) -> Iterator[tuple[str, dict, str | None]]:
    """Each object of a list of roles, issues or options, after the checks they share (an
    object, known keys, a unique id, a label): ``(its place, it, its id or None)``."""
    seen: set[str] = set()
    for n, obj in enumerate(items):
        here = f"{place}[{n}]"
        if not isinstance(obj, dict):
            errors.append(f"{here}: must be an object")
            continue
        _unknown_keys(errors, obj, keys, here)
        oid = _ident(errors, obj, here)
        if oid is not None:
            if oid in seen:
                errors.append(f"{here}.id: duplicate {what} id {oid!r}{scope}")
            seen.add(oid)
        _text(errors, obj, label, here)
        yield here, obj, oid


def lone_surrogate(obj: Any, place: str = "", depth: int = 0) -> str | None:
    """Where a text in ``obj`` (a decoded JSON value) holds a lone surrogate (``"\\ud800"``,
    which is not Unicode text and cannot be encoded as UTF-8), as ``PLACE``; else None.

    Used at the edges (HTTP bodies, Socket.IO payloads, scenario documents), so such text is
    refused before it is stored and makes every later page or export that shows it fail.
    """
    if isinstance(obj, str):
        if obj.isascii():
            return None
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError:
            return place or "text"
        return None
    if depth > 64:
        return None
    if isinstance(obj, dict):
        for k, v in obj.items():
            where = f"{place}.{k}" if place else str(k)
            if isinstance(k, str) and lone_surrogate(k) is not None:
                return (place + "." if place else "") + "(a key)"
            found = lone_surrogate(v, where, depth + 1)
            if found is not None:
                return found
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found = lone_surrogate(v, f"{place}[{i}]", depth + 1)
            if found is not None:
                return found
    return None


def validate(data: Any) -> list[str]:
    """Every problem of a scenario document, each as ``PLACE: problem``; [] when it is valid."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["scenario: must be a JSON object"]
    where = lone_surrogate(data)
    if where is not None:
        return [f"{where}: text with a lone surrogate (not valid Unicode)"]
    _unknown_keys(errors, data, TOP_KEYS, "")
    _ident(errors, data, "")
    _text(errors, data, "title", "")
    _text(errors, data, "description", "", allow_empty=True)

    role_ids: list[str] = []
    roles = data.get("roles")
    if "roles" not in data:
        errors.append("roles: missing")
    elif not isinstance(roles, list):
        errors.append("roles: must be a list")
    else:
        if len(roles) != 2:
            errors.append(f"roles: must list exactly two roles, found {len(roles)}")
        for place, role, rid in _entries(errors, roles, "roles", ROLE_KEYS, "name", "role"):
            if rid is not None:
                role_ids.append(rid)
            _text(errors, role, "brief", place, allow_empty=True)
            if "batna" not in role:
                errors.append(f"{place}.batna: missing")
            elif not _is_number(role["batna"]):
                errors.append(f"{place}.batna: must be a finite number (less than 1e15 in size)")

    issues = data.get("issues")
    if "issues" not in data:
        errors.append("issues: missing")
    elif not isinstance(issues, list):
        errors.append("issues: must be a list")
    elif not issues:
        errors.append("issues: must list at least one issue")
    elif len(issues) > MAX_ISSUES:
        errors.append(f"issues: at most {MAX_ISSUES} issues")
    else:
        for place, issue, _ in _entries(errors, issues, "issues", ISSUE_KEYS, "name", "issue"):
            options = issue.get("options")
            if "options" not in issue:
                errors.append(f"{place}.options: missing")
                continue
            if not isinstance(options, list):
                errors.append(f"{place}.options: must be a list")
                continue
            if len(options) < 2:
                errors.append(
                    f"{place}.options: must list at least two options, found {len(options)}"
                )
            if len(options) > MAX_OPTIONS:
                errors.append(f"{place}.options: at most {MAX_OPTIONS} options")
            for oplace, option, _ in _entries(
                errors,
                options,
                f"{place}.options",
                OPTION_KEYS,
                "label",
                "option",
                " in this issue",
            ):
                points = option.get("points")
                if "points" not in option:
                    errors.append(f"{oplace}.points: missing")
                elif not isinstance(points, dict):
                    errors.append(f"{oplace}.points: must be an object of role id to points")
                else:
                    for rid in role_ids:
                        if rid not in points:
                            errors.append(f"{oplace}.points.{rid}: missing")
                        elif not _is_number(points[rid]):
                            errors.append(
                                f"{oplace}.points.{rid}: must be a finite number (less than 1e15 in size)"
                            )
                    for rid in points:
                        if len(set(role_ids)) == 2 and rid not in role_ids:
                            errors.append(f"{oplace}.points.{rid}: unknown role")

    if "first_mover" not in data:
        errors.append("first_mover: missing")
    elif not isinstance(data["first_mover"], str) or (
        role_ids and data["first_mover"] not in role_ids
    ):
        errors.append(f"first_mover: {data['first_mover']!r} is not a role id")

    if "max_packages" not in data:
        errors.append("max_packages: missing")
    elif not _is_int(data["max_packages"]) or not 1 <= data["max_packages"] <= MAX_PACKAGES:
        errors.append(f"max_packages: must be a whole number from 1 to {MAX_PACKAGES}")

    if "meso_tolerance" not in data:
        errors.append("meso_tolerance: missing")
    elif not _is_number(data["meso_tolerance"]) or data["meso_tolerance"] < 0:
        errors.append("meso_tolerance: must be a number of at least 0")

    if "time_limit_s" not in data:
        errors.append("time_limit_s: missing (use null for no limit)")
    elif data["time_limit_s"] is not None and (
        not _is_number(data["time_limit_s"]) or data["time_limit_s"] <= 0
    ):
        errors.append("time_limit_s: must be a positive number of seconds or null")

    if "max_offers" not in data:
        errors.append("max_offers: missing")
    elif not _is_int(data["max_offers"]) or not 1 <= data["max_offers"] <= MAX_OFFERS:
        errors.append(f"max_offers: must be a whole number from 1 to {MAX_OFFERS}")
    return errors
