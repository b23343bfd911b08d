from __future__ import annotations

import pytest

from tests.support import Player, Server


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
