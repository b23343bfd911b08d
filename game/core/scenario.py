"""Scenarios: load, validate (every problem at once, each at its place), and read.

A scenario is plain immutable data. Points are kept per role *index* (0 or 1, the order of
the file's ``roles``), so the rest of the core can work with pairs and never look up a role
by name in a hot loop. Nothing here does I/O except :func:`load_file` and :func:`load_dir`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
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


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``errors`` lists every problem as ``PLACE: problem``."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    points: tuple[float, float]  # by role index


@dataclass(frozen=True)
class Issue:
    id: str
    name: str
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option | None:
        for o in self.options:
            if o.id == option_id:
                return o
        return None


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    brief: str
    batna: float


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    description: str
    roles: tuple[Role, Role]
    issues: tuple[Issue, ...]
    first_mover: str
    max_packages: int
    meso_tolerance: float
    time_limit_s: float | None
    max_offers: int

    # --- roles
    @property
    def role_ids(self) -> tuple[str, str]:
        return (self.roles[0].id, self.roles[1].id)

    def role_index(self, role_id: str) -> int:
        if role_id == self.roles[0].id:
            return 0
        if role_id == self.roles[1].id:
            return 1
        raise KeyError(role_id)

    def role(self, role_id: str) -> Role:
        return self.roles[self.role_index(role_id)]

    def other(self, role_id: str) -> str:
        return self.roles[1 - self.role_index(role_id)].id

    @property
    def batnas(self) -> tuple[float, float]:
        return (self.roles[0].batna, self.roles[1].batna)

    # --- packages
    def issue(self, issue_id: str) -> Issue | None:
        for i in self.issues:
            if i.id == issue_id:
                return i
        return None

    def package_problem(self, package: Any) -> str | None:
        """Why ``package`` is not a complete package of known options, or None if it is."""
        if not isinstance(package, dict):
            return "a package is an object of issue id to option id"
        for issue_id, option_id in package.items():
            issue = self.issue(issue_id) if isinstance(issue_id, str) else None
            if issue is None:
                return f"unknown issue {issue_id!r}"
            if not isinstance(option_id, str) or issue.option(option_id) is None:
                return f"{issue_id}: unknown option {option_id!r}"
        missing = [i.id for i in self.issues if i.id not in package]
        if missing:
            return "incomplete package, missing " + ", ".join(missing)
        return None

    def points(self, package: dict[str, str]) -> tuple[float, float]:
        """Both roles' points for a complete, valid package."""
        p0 = p1 = 0
        for issue in self.issues:
            o = issue.option(package[issue.id])
            p0 += o.points[0]
            p1 += o.points[1]
        return (p0, p1)

    def value(self, package: dict[str, str], role_id: str) -> float:
        return self.points(package)[self.role_index(role_id)]

    def normalize(self, package: dict[str, str]) -> dict[str, str]:
        """The package with its issues in the scenario's order."""
        return {i.id: package[i.id] for i in self.issues}

    def compromise(self) -> dict[str, str]:
        """The all-compromise package: the middle option of every issue (lower middle if even)."""
        return {i.id: i.options[(len(i.options) - 1) // 2].id for i in self.issues}

    # --- views
    def to_dict(self) -> dict[str, Any]:
        """The scenario in the file format of PROTOCOL.md section 1."""
        r0, r1 = self.role_ids
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "roles": [
                {"id": r.id, "name": r.name, "brief": r.brief, "batna": r.batna} for r in self.roles
            ],
            "issues": [
                {
                    "id": i.id,
                    "name": i.name,
                    "options": [
                        {"id": o.id, "label": o.label, "points": {r0: o.points[0], r1: o.points[1]}}
                        for o in i.options
                    ],
                }
                for i in self.issues
            ],
            "first_mover": self.first_mover,
            "max_packages": self.max_packages,
            "meso_tolerance": self.meso_tolerance,
            "time_limit_s": self.time_limit_s,
            "max_offers": self.max_offers,
        }

    def role_view(self, role_id: str) -> dict[str, Any]:
        """What one role may see: its own brief, BATNA and points, nothing of the other role."""
        k = self.role_index(role_id)
        role = self.roles[k]
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "role_name": role.name,
            "brief": role.brief,
            "batna": role.batna,
            "max_packages": self.max_packages,
            "meso_tolerance": self.meso_tolerance,
            "issues": [
                {
                    "id": i.id,
                    "name": i.name,
                    "options": [
                        {"id": o.id, "label": o.label, "points": o.points[k]} for o in i.options
                    ],
                }
                for i in self.issues
            ],
        }


# ---------------------------------------------------------------- validation


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
        for n, role in enumerate(roles):
            place = f"roles[{n}]"
            if not isinstance(role, dict):
                errors.append(f"{place}: must be an object")
                continue
            _unknown_keys(errors, role, ROLE_KEYS, place)
            rid = _ident(errors, role, place)
            if rid is not None:
                if rid in role_ids:
                    errors.append(f"{place}.id: duplicate role id {rid!r}")
                role_ids.append(rid)
            _text(errors, role, "name", place)
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
        issue_ids: set[str] = set()
        for n, issue in enumerate(issues):
            place = f"issues[{n}]"
            if not isinstance(issue, dict):
                errors.append(f"{place}: must be an object")
                continue
            _unknown_keys(errors, issue, ISSUE_KEYS, place)
            iid = _ident(errors, issue, place)
            if iid is not None:
                if iid in issue_ids:
                    errors.append(f"{place}.id: duplicate issue id {iid!r}")
                issue_ids.add(iid)
            _text(errors, issue, "name", place)
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
            option_ids: set[str] = set()
            for m, option in enumerate(options):
                oplace = f"{place}.options[{m}]"
                if not isinstance(option, dict):
                    errors.append(f"{oplace}: must be an object")
                    continue
                _unknown_keys(errors, option, OPTION_KEYS, oplace)
                oid = _ident(errors, option, oplace)
                if oid is not None:
                    if oid in option_ids:
                        errors.append(f"{oplace}.id: duplicate option id {oid!r} in this issue")
                    option_ids.add(oid)
                _text(errors, option, "label", oplace)
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
                        if len(role_ids) == 2 and rid not in role_ids:
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


def parse(data: Any) -> Scenario:
    """A Scenario from a decoded document; raises ScenarioError listing every problem."""
    errors = validate(data)
    if errors:
        raise ScenarioError(errors)
    r0, r1 = data["roles"][0]["id"], data["roles"][1]["id"]
    return Scenario(
        id=data["id"],
        title=data["title"],
        description=data["description"],
        roles=tuple(Role(r["id"], r["name"], r["brief"], r["batna"]) for r in data["roles"]),
        issues=tuple(
            Issue(
                i["id"],
                i["name"],
                tuple(
                    Option(o["id"], o["label"], (o["points"][r0], o["points"][r1]))
                    for o in i["options"]
                ),
            )
            for i in data["issues"]
        ),
        first_mover=data["first_mover"],
        max_packages=data["max_packages"],
        meso_tolerance=data["meso_tolerance"],
        time_limit_s=data["time_limit_s"],
        max_offers=data["max_offers"],
    )


def loads(text: str) -> Scenario:
    """A Scenario from JSON text; a text that is not JSON says where it breaks."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ScenarioError([f"line {e.lineno} column {e.colno}: not valid JSON ({e.msg})"]) from e
    except RecursionError as e:
        raise ScenarioError(["scenario: nested too deeply to be a scenario"]) from e
    return parse(data)


def load_file(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError([f"{path}: cannot be read ({e})"]) from e
    return loads(text)


def load_dir(directory: str | Path) -> list[Scenario]:
    """Every scenario in a folder (``*.json``), sorted by id; a bad file raises ScenarioError."""
    out: dict[str, Scenario] = {}
    where: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            sc = load_file(path)
        except ScenarioError as e:
            raise ScenarioError([f"{path.name}: {x}" for x in e.errors]) from e
        if sc.id in out:
            raise ScenarioError([f"{path.name}: id: {sc.id!r} is taken by {where[sc.id]}"])
        out[sc.id] = sc
        where[sc.id] = path.name
    return [out[k] for k in sorted(out)]
