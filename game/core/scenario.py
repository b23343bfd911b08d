"""Scenarios: load, validate (every problem at once, each at its place), and read.

A scenario is plain immutable data. Points are kept per role *index* (0 or 1, the order of
the file's ``roles``), so the rest of the core can work with pairs and never look up a role
by name in a hot loop. Nothing here does I/O except :func:`load_file` and :func:`load_dir`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from game.core.validation import (
    ID_RE,
    MAX_ID_CHARS,
    MAX_ISSUES,
    MAX_OFFERS,
    MAX_OPTIONS,
    MAX_PACKAGES,
    MAX_TEXT,
    lone_surrogate,
    validate,
)

__all__ = [  # the limits and checks live in game.core.validation; read here as before
    "ID_RE",
    "MAX_ID_CHARS",
    "MAX_ISSUES",
    "MAX_OFFERS",
    "MAX_OPTIONS",
    "MAX_PACKAGES",
    "MAX_TEXT",
    "Issue",
    "Option",
    "Role",
    "Scenario",
    "ScenarioError",
    "load_dir",
    "load_file",
    "loads",
    "lone_surrogate",
    "parse",
    "validate",
]


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
