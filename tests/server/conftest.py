"""Fixtures of the server tests (the function-scoped ``server`` and ``players`` are in
tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.support import Server, scenario_dict


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    """One real server for a whole module, with the test scenario uploaded.

    Tests sharing it stay apart by each creating its own session.
    """
    s = Server(tmp_path_factory.mktemp("module-srv")).start()
    r = s.upload(scenario_dict())
    assert r.status_code == 201, r.text
    yield s
    s.stop()
