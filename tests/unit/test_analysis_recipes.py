"""docs/analysis-recipes.md runs: its Python blocks, in order, on the export of a simulated
session (MESO and single first offers, counteroffers, the after-negotiation questionnaire), and
its results equal what the session's negotiations were."""

from __future__ import annotations

import re

import pytest

from game.paths import DOCS
from game.server import export
from game.server.hub import Hub
from game.server.store import Store
from tests.support import scenario_dict
from tests.unit.test_hub import Clock

pd = pytest.importorskip("pandas")

RECIPE = DOCS / "analysis-recipes.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", RECIPE.read_text(), re.S)


def pk(a, b, c, d):
    return {"price": f"price{a}", "delivery": f"delivery{b}", "warranty": f"warranty{c}",
            "training": f"training{d}"}  # fmt: skip


def simulate(tmp_path):
    """Eight negotiations (four meso, four single), each opened by the first mover, countered,
    accepted; both sides answer the cooperativeness items, the recipients rating MESO
    proposers higher. Returns the export folder and what was played."""
    store = Store(tmp_path / "sim.db")
    clock = Clock()
    hub = Hub(store, None, clock=clock)
    hub.add_scenario(scenario_dict())
    code = hub.create_session(
        {"scenario": "test-supply", "conditions": ["meso", "single"],
         "study": {"questionnaires": {"after": ["after-negotiation"]}}}
    )  # fmt: skip
    played = []
    for i in range(8):
        sids = []
        for side in "ab":
            token, pid = hub.join(code, {"name": f"{side}{i}"})
            sid = f"sid-{side}{i}"
            hub.connect(token, sid)
            sids.append((sid, pid))
        n = hub.current(hub.participant(sids[0][1]))
        by_pid = dict((pid, sid) for sid, pid in sids)
        first, second = (by_pid[x] for x in n.participants)
        state = n.state
        if state.turn != state.scenario.role_ids[0]:
            first, second = second, first
        opening = [pk(3, 0, 0, 1)]
        if state.condition == "meso":
            extra = hub.suggest(first, {"packages": opening, "count": 2})
            opening = opening + extra["packages"][:1]
        answer, _ = hub.act(first, "propose", {"packages": opening})
        assert answer["ok"], answer
        counter = pk(0, 2, 1, 0) if state.condition == "meso" else pk(0, 1, 0, 0)
        answer, _ = hub.act(second, "propose", {"packages": [counter]})
        assert answer["ok"], answer
        answer, _ = hub.act(first, "accept", {"offer_id": answer["offer_id"], "package": 0})
        assert answer["ok"], answer
        rating = 6 if state.condition == "meso" else 3
        for sid, _pid in sids:
            for item, value in (("coop_1", rating), ("coop_2", rating), ("coop_3", 8 - rating),
                                ("attention_1", "somewhat_disagree")):  # fmt: skip
                a, _ = hub.study_act(
                    sid, "respond",
                    {"questionnaire": "after-negotiation", "item": item, "value": value},
                )  # fmt: skip
                assert a["ok"], a
        played.append(hub.current(hub.participant(sids[0][1])).state)
    out = tmp_path / "export"
    export.write_all(store, out, code)
    store.close()
    return out, played


def test_the_recipe_runs_on_a_simulated_session_and_finds_what_was_played(tmp_path):
    out, played = simulate(tmp_path)
    ns: dict = {"DIR": str(out)}
    for code in blocks():
        exec(compile(code, str(RECIPE), "exec"), ns)  # noqa: S102 - the doc's own code
    claims, coop, joint = ns["claims"], ns["cooperativeness"], ns["joint"]
    by = {c: [s for s in played if s.condition == c] for c in ("meso", "single")}
    for c, states in by.items():
        assert claims.loc[c, "negotiations"] == len(states) == 4
        first_claims = [
            sum(p[s.scenario.role_index(s.offers[0].by)] for p in s.offers[0].points)
            / len(s.offers[0].points)
            for s in states
        ]
        assert claims.loc[c, "first_claim"] == pytest.approx(sum(first_claims) / 4)
        to_first = [s.offers[1].points[0][s.scenario.role_index(s.offers[0].by)] for s in states]
        assert claims.loc[c, "counter_to_first_mover"] == pytest.approx(sum(to_first) / 4)
        joints = [sum(s.outcome.points) for s in states]
        assert joint.loc[c, "joint"] == pytest.approx(sum(joints) / 4)
        assert joint.loc[c, "agreements"] == 4
    assert coop.loc["meso", "count"] == coop.loc["single", "count"] == 4
    assert coop.loc["meso", "mean"] == pytest.approx(6)
    assert coop.loc["single", "mean"] == pytest.approx(3)
    assert ns["openings"].groupby("condition")["first_packages"].min().to_dict() == {
        "meso": 2, "single": 1}  # fmt: skip
    assert set(ns["items"].columns) >= {"coop_1", "coop_2", "coop_3"}


def test_the_recipe_reads_only_the_export_folder_it_is_given():
    """Every block is plain pandas over the folder's CSV files: no Parley import, no database."""
    code = "\n".join(blocks())
    assert len(blocks()) == 5
    assert "import game" not in code and "sqlite" not in code
    assert set(re.findall(r'DIR / "([a-z_]+\.csv)"', code)) == {
        "negotiations.csv", "offers.csv", "participants_wide.csv", "responses.csv"}  # fmt: skip
