"""Fixtures of the unit tests: ``world``, a hub on a real SQLite file and a fake clock with the
shared test scenario (a module may define its own ``world``, which then wins)."""

from __future__ import annotations

import pytest

from tests.support import scenario_dict
from tests.unit.test_hub import World


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path / "hub.db")
    w.hub.add_scenario(scenario_dict())
    yield w
    w.store.close()
