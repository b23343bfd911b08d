"""``python run.py simulate``: an ordinary session whose export folds back to the outcomes
played, the same seed giving the same outcomes, and bad input refused naming it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from game.core import agents
from game.core.scenario import load_file
from game.paths import SCENARIOS
from game.server import export, records
from game.server.simulate import simulate
from game.server.store import Store
from tests.support import ROOT


def run(*args, timeout=120):
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def outcomes(store, code):
    rows = store.read(
        "SELECT condition_index, end_reason FROM negotiations WHERE session_code = ? "
        "ORDER BY condition_index",
        [code],
    )
    nego = {r["negotiation_id"]: r for r in export.table(store, "negotiations", code)}
    by_index = {r["condition_index"]: r for r in nego.values()}
    return [
        (
            r["end_reason"],
            by_index[r["condition_index"]]["points_0"],
            by_index[r["condition_index"]]["points_1"],
        )
        for r in rows
    ]


def test_the_same_seed_gives_the_same_outcomes_and_the_export_folds_back(tmp_path):
    store = Store(tmp_path / "sim.db")
    sc = load_file(SCENARIOS / "hiring-meso.json")
    a = simulate(store, sc, ("meso", "tit_for_tat"), runs=12, seed=7, conditions=["single", "meso"])
    b = simulate(store, sc, ("meso", "tit_for_tat"), runs=12, seed=7, conditions=["single", "meso"])
    c = simulate(store, sc, ("boulware", "conceder"), runs=12, seed=8)
    assert outcomes(store, a) == outcomes(store, b)
    assert outcomes(store, a) != outcomes(store, c)
    # the stored summary columns are the fold of the stored events
    session = records.session_from_row(store.read("SELECT * FROM sessions WHERE code = ?", [a])[0])
    assert session.agents["strategies"] == ["meso", "tit_for_tat"]
    for row in store.read("SELECT * FROM negotiations WHERE session_code = ?", [a]):
        st = records.state_from_row(row, sc, store.events_of(row["negotiation_id"]))
        assert (
            not st.is_open and st.status == row["status"] and st.outcome.reason == row["end_reason"]
        )
    parts = export.table(store, "participants", a)
    assert [p["kind"] for p in parts] == ["agent", "agent"]
    assert [p["strategy"] for p in parts] == ["meso", "tit_for_tat"]
    assert json.loads(parts[0]["params"]) == agents.make("meso").params
    store.close()


def test_the_command_writes_a_session_export_reads(tmp_path):
    db = tmp_path / "sim.db"
    done = run(
        "simulate",
        "job-offer",
        "--agents",
        "boulware,meso",
        "--runs",
        "30",
        "--seed",
        "7",
        "--db",
        str(db),
    )
    assert done.returncode == 0, done.stderr
    assert "30/30 negotiations" in done.stderr  # the progress bar
    code = done.stdout.split()[1].rstrip(":")
    again = run(
        "simulate",
        "job-offer",
        "--agents",
        "boulware,meso",
        "--runs",
        "30",
        "--seed",
        "7",
        "--db",
        str(db),
        "--quiet",
    )
    code2 = again.stdout.split()[1].rstrip(":")
    assert again.stderr == ""
    out = tmp_path / "out"
    assert run("export", "--db", str(db), "--out", str(out)).returncode == 0
    with open(out / "negotiations.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    mine = [
        (r["end_reason"], r["points_0"], r["points_1"]) for r in rows if r["session_code"] == code
    ]
    theirs = [
        (r["end_reason"], r["points_0"], r["points_1"]) for r in rows if r["session_code"] == code2
    ]
    assert len(mine) == 30 and mine == theirs


@pytest.mark.parametrize(
    ("args", "words", "rc"),
    [
        (["--agents", "boulware,nope"], ["unknown strategy 'nope'"], 2),
        (["--agents", "boulware"], ["--agents", "two strategies"], 2),
        (["--agents", "boulware,linear", "--params-a", '{"e": 99}'], ["'e'", "from 0.01 to 50"], 2),
        (["--agents", "boulware,linear", "--params-b", "{nope"], ["--params-b", "not JSON"], 2),
        (["--agents", "boulware,linear", "--runs", "0"], ["--runs"], 2),
    ],
)
def test_bad_input_exits_non_zero_naming_it_and_writes_nothing(tmp_path, args, words, rc):
    db = tmp_path / "bad.db"
    done = run("simulate", "job-offer", *args, "--db", str(db))
    assert done.returncode == rc
    for w in words:
        assert w in done.stderr
    assert not db.exists()


def test_an_unknown_scenario_exits_1(tmp_path):
    done = run(
        "simulate", "no-such-case", "--agents", "linear,linear", "--db", str(tmp_path / "x.db")
    )
    assert done.returncode == 1 and "no-such-case" in done.stderr


def test_a_researchers_agents_file_is_simulated_and_a_broken_one_named(tmp_path):
    """``--agents-file`` loads the researcher's strategies (the example of docs/agents.md), so
    ``--agents`` may name one; a file that cannot be used exits 2 naming it, writing nothing."""
    import re as re_mod

    from game.paths import DOCS

    text = (DOCS / "agents.md").read_text()
    mine = tmp_path / "my_agents.py"
    mine.write_text(re_mod.search(r"```python\n(.*?)```", text, re_mod.S).group(1))
    db = tmp_path / "sim.db"
    done = run("simulate", "job-offer", "--agents", "halfway,conceder", "--agents-file",
               str(mine), "--runs", "4", "--db", str(db), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    code = done.stdout.split()[1].rstrip(":")
    store = Store(db)
    parts = export.table(store, "participants", code)
    store.close()
    assert {p["strategy"] for p in parts} == {"halfway", "conceder"}
    # without the file the name is unknown; a broken file is named
    assert (
        "unknown strategy 'halfway'"
        in run(
            "simulate", "job-offer", "--agents", "halfway,conceder", "--db", str(tmp_path / "b.db")
        ).stderr
    )
    broken = tmp_path / "broken_agents.py"
    broken.write_text("def broken(:\n")
    bad = run("simulate", "job-offer", "--agents", "halfway,conceder", "--agents-file",
              str(broken), "--db", str(tmp_path / "c.db"))  # fmt: skip
    assert (
        bad.returncode == 2 and "--agents-file" in bad.stderr and "broken_agents.py" in bad.stderr
    )
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "c.db").exists()


def test_a_mixed_simulation_plays_the_middle_seat_protocols_with_the_computer_in_the_middle(
    tmp_path,
):
    """``conditions`` from several protocols: each negotiation is played by its condition's,
    the computer in the middle and the agents as parties; the stored rows are the fold of the
    stored events, the middle seat's events carry no participant, and steps.csv has them."""
    from game.core.protocols import mediated, single_text

    store = Store(tmp_path / "sim.db")
    sc = load_file(SCENARIOS / "job-offer.json")
    conds = ["single", "mediated", "single_text"]
    code = simulate(store, sc, ("boulware", "conceder"), runs=9, seed=3, conditions=conds)
    again = simulate(store, sc, ("boulware", "conceder"), runs=9, seed=3, conditions=conds)
    assert outcomes(store, code) == outcomes(store, again)
    session = records.session_from_row(
        store.read("SELECT * FROM sessions WHERE code = ?", [code])[0]
    )
    assert (session.protocol, session.middle) == ("mixed", "computer")
    rows = store.read("SELECT * FROM negotiations WHERE session_code = ?", [code])
    assert sorted(r["condition"] for r in rows) == sorted(conds * 3)
    for row in rows:
        events = store.events_of(row["negotiation_id"])
        st = records.state_from_row(row, sc, events, session.protocol)
        assert not st.is_open and st.status == row["status"]
        assert st.outcome.reason == row["end_reason"]
        middle = {"mediated": mediated, "single_text": single_text}.get(row["condition"])
        if middle is not None:
            made = {"mediated": "proposal", "single_text": "drafted"}[row["condition"]]
            by_middle = [e for e in events if e["type"] == made]
            assert by_middle and all(e["participant_id"] is None for e in by_middle)
            assert all(e["participant_id"] for e in events if e["type"] in ("answered", "marked"))
    steps = export.table(store, "steps", code)
    assert {s["protocol"] for s in steps} == {"mediated", "single_text"}
    # a condition no protocol has, or an agent that plays no middle seat: refused, nothing made
    before = store.read("SELECT count(*) AS n FROM sessions")[0]["n"]
    with pytest.raises(ValueError, match="unknown condition 'haggle'"):
        simulate(store, sc, ("boulware", "conceder"), conditions=["single", "haggle"])

    class OffersOnly(agents.Agent):
        name = "offers_only_test"

    agents.register(OffersOnly)
    try:
        with pytest.raises(ValueError, match="does not play the mediated protocol"):
            simulate(store, sc, ("offers_only_test", "linear"), conditions=["mediated"])
    finally:
        agents.REGISTRY.pop("offers_only_test", None)
    assert store.read("SELECT count(*) AS n FROM sessions")[0]["n"] == before
    store.close()


def test_a_strategy_that_breaks_the_rules_stops_the_simulation_keeping_nothing(tmp_path):
    """A researcher's strategy that proposes a package outside the scenario (in the offers
    protocol and in a single text): the run stops naming the strategy and the rule's code,
    and the database holds no half session; the command exits 1 saying so."""
    from game.core.agents.base import Step

    class Broken(agents.Agent):
        name = "broken_test"
        protocols = ("offers", "single_text")

        def act(self, view, memory, rng, now):
            neg = view["negotiation"]
            if neg["status"] != "open":
                return None
            if neg.get("protocol") == "single_text":
                drafts = neg["drafts"]
                if not drafts:
                    return None
                return Step("mark", {"draft_id": drafts[-1]["id"], "marks": {"nope": {"ok": True}}})
            if neg["turn"] != neg["role"]:
                return None
            return Step("propose", {"packages": [{"salary": "1-dollar"}]})

    agents.register(Broken)
    store = Store(tmp_path / "sim.db")
    sc = load_file(SCENARIOS / "job-offer.json")
    try:
        for conds in (["single"], ["single_text"]):
            with pytest.raises(agents.AgentError) as e:
                simulate(store, sc, ("broken_test", "linear"), runs=3, conditions=conds)
            assert "broken_test" in str(e.value) and "nothing kept" in str(e.value)
            assert ("invalid_package" in str(e.value)) or ("unknown_issue" in str(e.value))
            for table in ("sessions", "participants", "negotiations", "events"):
                assert store.read(f"SELECT count(*) AS n FROM {table}")[0]["n"] == 0, table
    finally:
        agents.REGISTRY.pop("broken_test", None)
        store.close()
