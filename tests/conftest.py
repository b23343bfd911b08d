from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.support import Player, Server

# CI (.ci/run sets CI=1) draws the same examples every run, so what lands does not depend on
# luck; a developer's runs explore new ones (and keep failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def server(tmp_path):
    """A fresh real server (subprocess, eventlet, own SQLite file) for one test."""
    s = Server(tmp_path / "srv").start()
    yield s
    s.stop()


@pytest.fixture
def players():
    """Make Players; all are disconnected at the end of the test."""
    made: list[Player] = []

    def make(server, token, **kw) -> Player:
        p = Player(server, token, **kw)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()
