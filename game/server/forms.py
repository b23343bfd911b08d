"""The questionnaires a server offers: the files of questionnaires/ and those uploaded (kept in
the store), each checked by game.core.questionnaires."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from game.core import questionnaires
from game.server.records import ApiError
from game.server.store import Store


class Forms:
    def __init__(self, store: Store, directory: str | Path | None = None):
        self._store = store
        self._forms: dict[str, dict] = {}
        self._source: dict[str, str] = {}
        if directory is not None and Path(directory).is_dir():
            for q in questionnaires.load_dir(directory):
                self._forms[q["id"]] = q
                self._source[q["id"]] = "file"
        for data in store.scenarios(table="questionnaires"):
            self._forms[data["id"]] = data
            self._source[data["id"]] = "upload"

    def by_id(self) -> dict[str, dict]:
        return dict(self._forms)

    def all(self) -> list[dict]:
        return [self._forms[k] for k in sorted(self._forms)]

    def source(self, qid: str) -> str:
        return self._source.get(qid, "file")

    def add(self, data: Any) -> str:
        """Check and keep an uploaded questionnaire (ApiError 400 naming every problem at its
        place, 409 if its id is taken); its id. Nothing is kept when it is refused."""
        try:
            q = questionnaires.parse(data)
        except questionnaires.QuestionnaireError as e:
            raise ApiError(400, e.errors) from e
        if q["id"] in self._forms:
            raise ApiError(409, f"id: a questionnaire with id {q['id']!r} exists already")
        self._store.add_scenario(q["id"], q, table="questionnaires")
        self._forms[q["id"]] = q
        self._source[q["id"]] = "upload"
        return q["id"]
