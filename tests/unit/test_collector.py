"""The garbage-collection policy of a serving process (game/server/collector.py) on a fake gc
module and a fake clock: freezes while a class plays, a full collection at quiet moments and at
least every THAW_S, and PARLEY_GC=default for CPython's own."""

from __future__ import annotations

from game.server import collector
from game.server.collector import FREEZE_S, QUIET_S, THAW_S, Collector


class FakeGc:
    def __init__(self):
        self.calls: list[str] = []

    def freeze(self):
        self.calls.append("freeze")

    def unfreeze(self):
        self.calls.append("unfreeze")

    def collect(self):
        self.calls.append("collect")


def test_a_busy_class_is_frozen_and_collected_fully_only_every_thaw_s():
    now = [0.0]
    fake = FakeGc()
    c = Collector(lambda: True, collector=fake, clock=lambda: now[0])
    did = []
    while now[0] < THAW_S + 5 * FREEZE_S:
        now[0] += FREEZE_S
        did.append(c.step())
    assert did.count("thaw") == 1 and did.index("thaw") == int(THAW_S / FREEZE_S) - 1
    assert fake.calls.count("collect") == 1
    k = fake.calls.index("unfreeze")
    assert fake.calls[k : k + 3] == ["unfreeze", "collect", "freeze"]  # frozen again at once


def test_a_quiet_moment_collects_at_most_every_quiet_s():
    now = [0.0]
    busy = [False]
    fake = FakeGc()
    c = Collector(lambda: busy[0], collector=fake, clock=lambda: now[0])
    did = []
    for _ in range(int(3 * QUIET_S / FREEZE_S)):
        now[0] += FREEZE_S
        did.append(c.step())
    assert did.count("thaw") == 3  # quiet all along: one a minute, not one a check
    busy[0] = True
    for _ in range(int(QUIET_S / FREEZE_S) * 2):
        now[0] += FREEZE_S
        assert c.step() == "freeze"  # playing: never a full collection before THAW_S


def test_parley_gc_default_turns_it_off():
    assert collector.enabled({})
    assert collector.enabled({"PARLEY_GC": "policy"})
    assert not collector.enabled({"PARLEY_GC": "default"})
    assert not collector.enabled({"PARLEY_GC": " Default "})


def test_the_hub_says_whether_a_negotiation_is_open(world):
    from tests.unit.test_hub import people

    hub = world.hub
    code = hub.create_session({"scenario": "test-supply"})
    assert not hub.any_open()
    people(hub, code, "Ann", "Bob")  # paired on arrival
    assert hub.any_open()
