"""The scenarios a server can play: the files of its scenarios folder and those uploaded (kept in
the store), each with its analysis computed once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from game.core import analysis as analysis_mod
from game.core.scenario import Scenario, ScenarioError, load_dir, parse
from game.server.records import ApiError
from game.server.store import Store, delete_where


class Catalog:
    def __init__(self, store: Store, scenarios_dir: str | Path | None = None):
        self._store = store
        self._scenarios: dict[str, Scenario] = {}
        self._source: dict[str, str] = {}
        self._analysis: dict[tuple[str, int], dict] = {}
        if scenarios_dir is not None:
            for sc in load_dir(scenarios_dir):
                self._scenarios[sc.id] = sc
                self._source[sc.id] = "file"
        for data in store.scenarios():
            sc = parse(data)
            self._scenarios[sc.id] = sc
            self._source[sc.id] = "upload"

    def get(self, sid: Any) -> Scenario | None:
        return self._scenarios.get(sid) if isinstance(sid, str) else None

    def all(self) -> list[Scenario]:
        """Every scenario, by id."""
        return sorted(self._scenarios.values(), key=lambda s: s.id)

    def by_id(self) -> dict[str, Scenario]:
        return dict(self._scenarios)

    def source(self, sid: str) -> str:
        """Where a scenario came from: ``file`` or ``upload``."""
        return self._source.get(sid, "file")

    def add(self, data: Any) -> str:
        """Check and keep an uploaded scenario (ApiError 400 naming the problems, 409 if its
        id is taken); its id."""
        try:
            sc = parse(data)
        except ScenarioError as e:
            raise ApiError(400, e.errors) from e
        if sc.id in self._scenarios:
            raise ApiError(409, f"id: a scenario with id {sc.id!r} exists already")
        self._store.add_scenario(sc.id, sc.to_dict())
        self._scenarios[sc.id] = sc
        self._source[sc.id] = "upload"
        return sc.id

    def replace(self, sid: str, data: Any) -> str:
        """A new version of an uploaded scenario under the same id (ApiError 404 if no such
        upload, 400 naming the problems, 400 if the file's id differs); its id."""
        if self._source.get(sid) != "upload":
            raise ApiError(404, f"scenario: no uploaded scenario {sid!r}")
        try:
            sc = parse(data)
        except ScenarioError as e:
            raise ApiError(400, e.errors) from e
        if sc.id != sid:
            raise ApiError(400, f"id: the new version must keep the id {sid!r}, not {sc.id!r}")
        self._store.add_scenario(sid, sc.to_dict(), replace=True)
        self._scenarios[sid] = sc
        return sid

    def delete(self, sid: str) -> None:
        """Forget an uploaded scenario (ApiError 404 if no such upload)."""
        if self._source.get(sid) != "upload":
            raise ApiError(404, f"scenario: no uploaded scenario {sid!r} (shipped files stay)")
        delete_where(self._store, [("scenarios", "id")], sid)
        del self._scenarios[sid], self._source[sid]

    def analysis(self, sc: Scenario) -> dict:
        """The scenario's analysis (frontier, max joint, Nash, ...), computed once per scenario."""
        key = (sc.id, hash(sc))
        a = self._analysis.get(key)
        if a is None:
            a = analysis_mod.analyze(sc)
            a["cloud"] = analysis_mod.outcome_cloud(sc)
            self._analysis[key] = a
        return a
