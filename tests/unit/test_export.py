"""game.export: the four tables of PROTOCOL.md section 5 from a store, cells and CSV files.

The games are played in-process through the hub with a fixed clock, so every time is known.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from game.server import export
from game.server.hub import Hub
from game.server.store import Store, iso
from tests.support import scenario_dict

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


def pk(price, delivery, warranty, training):
    return {
        "price": f"price{price}",
        "delivery": f"delivery{delivery}",
        "warranty": f"warranty{warranty}",
        "training": f"training{training}",
    }


@pytest.fixture
def world(tmp_path):
    store = Store(tmp_path / "x.db")
    clock = Clock()
    hub = Hub(store, None, clock=clock)
    hub.add_scenario(scenario_dict())
    yield store, hub, clock
    store.close()


def play_pair(hub, code, clock, names=("Ann", "Bob")):
    """Two participants joined and connected; (seller sid, buyer sid, seller id, buyer id)."""
    ta, pa = hub.join(code, {"name": names[0], "label": "L" + names[0]})
    tb, pb = hub.join(code, {"name": names[1]})
    hub.connect(ta, "sid-" + pa)
    hub.connect(tb, "sid-" + pb)
    n = hub.current(hub.participant(pa))
    seller = n.participants[0]
    buyer = n.participants[1]
    return "sid-" + seller, "sid-" + buyer, seller, buyer


def act(hub, sid, kind, payload):
    answer, _ = hub.act(sid, kind, payload)
    assert answer["ok"], answer
    return answer


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_the_tables_of_a_played_session(world):
    store, hub, clock = world
    code = hub.create_session({"scenario": "test-supply", "conditions": ["any"]})
    s_sid, b_sid, seller, buyer = play_pair(hub, code, clock)
    clock.now = T0 + 10
    o1 = act(hub, s_sid, "propose", {"packages": [pk(1, 0, 0, 0), pk(0, 2, 0, 0)]})["offer_id"]
    clock.now = T0 + 20
    act(hub, b_sid, "chat", {"text": "no, thanks"})
    clock.now = T0 + 30
    o2 = act(
        hub,
        b_sid,
        "propose",
        {"packages": [pk(1, 1, 1, 1)], "based_on": {"offer_id": o1, "package": 1}},
    )["offer_id"]
    clock.now = T0 + 40
    act(hub, s_sid, "accept", {"offer_id": o2, "package": 0})

    (n,) = export.table(store, "negotiations", code)
    assert n["status"] == "agreed" and n["end_reason"] == "accepted"
    assert n["agreement"] == pk(1, 1, 1, 1)
    assert (n["points_0"], n["points_1"]) == (650, 1200)
    assert n["joint"] == 1850
    assert n["participant_0"] == seller and n["participant_1"] == buyer
    assert n["offers_count"] == 2
    assert n["started_at"] == "2026-01-01T00:00:00.000Z"
    assert n["ended_at"] == "2026-01-01T00:00:40.000Z"
    assert n["pareto_optimal"] in (True, False)

    offers = export.table(store, "offers", code)
    assert [(r["offer_id"], r["seq"], r["package_index"]) for r in offers] == [
        (o1, 1, 0),
        (o1, 1, 1),
        (o2, 2, 0),
    ]
    assert [(r["proposer_points"], r["recipient_points"]) for r in offers] == [
        (500, 1000),
        (500, 900),
        (1200, 650),
    ]
    assert offers[2]["based_on_offer_id"] == o1 and offers[2]["based_on_package"] == 1
    assert offers[0]["based_on_offer_id"] is None
    assert offers[2]["created_at"] == "2026-01-01T00:00:30.000Z"

    events = export.table(store, "events", code)
    types = [e["type"] for e in events]
    assert types[:2] == ["joined", "joined"]
    assert "paired" in types
    assert types[-4:] == ["proposed", "chat", "proposed", "accepted"]
    chat = events[-3]
    assert chat["participant_id"] == buyer
    assert json.loads(chat["payload"])["text"] == "no, thanks"
    assert chat["created_at"] == "2026-01-01T00:00:20.000Z"

    people = export.table(store, "participants", code)
    assert [(p["name"], p["label"]) for p in people] == [("Ann", "LAnn"), ("Bob", "")]


def test_cells_follow_the_contract():
    rows = [
        {
            "negotiation_id": "n_1",
            "agreement": {"a": "x", "b": "y"},
            "pareto_optimal": True,
            "points_0": None,
            "points_1": 12.0,
            "joint": 0.5,
        },
        {"negotiation_id": "n_2", "pareto_optimal": False, "agreement": None, "points_1": 3},
    ]
    text = export.csv_text(rows, "negotiations")
    got = rows_of(text)
    assert got[0]["agreement"] == '{"a":"x","b":"y"}'
    assert got[0]["pareto_optimal"] == "true" and got[1]["pareto_optimal"] == "false"
    assert got[0]["points_0"] == "" and got[1]["agreement"] == ""
    assert got[0]["points_1"] == "12" and got[0]["joint"] == "0.5" and got[1]["points_1"] == "3"
    # every contract column is in the header even when a row lacks it
    assert set(export.NEGOTIATION_COLUMNS) <= set(text.splitlines()[0].split(","))


def test_a_text_cell_with_commas_quotes_and_newlines_survives_the_csv(world):
    store, hub, clock = world
    code = hub.create_session({"scenario": "test-supply"})
    s_sid, _, _, _ = play_pair(hub, code, clock, names=('Ann "the, first"', "Bob"))
    act(hub, s_sid, "chat", {"text": 'one, "two"\nthree'})
    events = rows_of(export.csv_text(export.table(store, "events", code), "events"))
    chat = [e for e in events if e["type"] == "chat"][0]
    assert json.loads(chat["payload"])["text"] == 'one, "two"\nthree'
    people = rows_of(export.csv_text(export.table(store, "participants", code), "participants"))
    assert people[0]["name"] == 'Ann "the, first"'


def test_impasse_rows_carry_the_batnas_and_open_rows_carry_no_outcome(world):
    store, hub, clock = world
    code = hub.create_session({"scenario": "test-supply", "time_limit_s": 60})
    s1, _, _, _ = play_pair(hub, code, clock)
    play_pair(hub, code, clock, names=("Cy", "Di"))
    act(hub, s1, "walk_away", {})
    rows = {r["status"]: r for r in export.table(store, "negotiations", code)}
    assert set(rows) == {"impasse", "open"}
    imp = rows["impasse"]
    assert (imp["points_0"], imp["points_1"], imp["joint"]) == (300, 250, 550)
    assert imp["agreement"] is None and imp["pareto_optimal"] is None
    still = rows["open"]
    assert still["end_reason"] is None and still["points_0"] is None and still["ended_at"] is None
    # the deadline passes: the server's own event has no participant
    clock.now = T0 + 61
    hub.tick()
    rows = export.table(store, "negotiations", code)
    assert {r["end_reason"] for r in rows} == {"walked_away", "deadline"}
    deadline = [e for e in export.table(store, "events", code) if e["type"] == "deadline"]
    assert len(deadline) == 1 and deadline[0]["participant_id"] is None
    assert deadline[0]["created_at"] == iso(T0 + 60)
    text = export.csv_text(export.table(store, "events", code), "events")
    assert [r for r in rows_of(text) if r["type"] == "deadline"][0]["participant_id"] == ""


def test_a_session_filter_keeps_other_sessions_out(world, tmp_path):
    store, hub, clock = world
    one = hub.create_session({"scenario": "test-supply"})
    two = hub.create_session({"scenario": "test-supply"})
    for code, names in ((one, ("Ann", "Bob")), (two, ("Cy", "Di"))):
        s_sid, _, _, _ = play_pair(hub, code, clock, names=names)
        act(hub, s_sid, "propose", {"packages": [pk(1, 0, 0, 0)]})
    for name in export.TABLES:
        rows = export.table(store, name, one)
        if name == "steps":  # proposals and drafts of a middle seat: none with offers
            assert rows == [] and export.table(store, name) == []
            continue
        assert rows and {r["session_code"] for r in rows} == {one}
        everything = export.table(store, name)
        assert {r["session_code"] for r in everything} == {one, two}
    paths = export.write_all(store, tmp_path / "a" / "b")
    assert sorted(p.name for p in paths) == sorted(f"{t}.csv" for t in export.TABLES)
    for p in paths:
        assert p.read_text(encoding="utf-8").splitlines()[0]


def test_an_export_replays_the_log_rather_than_trusting_summary_columns(world):
    store, hub, clock = world
    code = hub.create_session({"scenario": "test-supply"})
    s_sid, _, _, _ = play_pair(hub, code, clock)
    act(hub, s_sid, "walk_away", {})
    # a summary column gone wrong does not change what the export says
    store.db.execute("UPDATE negotiations SET status = 'open', end_reason = NULL")
    (row,) = export.table(store, "negotiations", code)
    assert row["status"] == "impasse" and row["end_reason"] == "walked_away"


def test_a_session_zip_holds_its_tables_its_scenario_and_its_settings(world):
    store, hub, clock = world
    code = hub.create_session(
        {"scenario": "test-supply", "conditions": ["single", "any"], "pairing": "rounds"}
    )
    other = hub.create_session({"scenario": "test-supply"})
    play_pair(hub, other, clock)
    ta, _ = hub.join(code, {"name": "Ann"})
    tb, _ = hub.join(code, {"name": "Bob"})
    hub.connect(ta, "sid-a")
    hub.connect(tb, "sid-b")
    hub.start_round(code)

    name, data = export.session_zip(store, code, now=T0 + 3600 * 25 + 61)
    assert name == f"parley-{code}-20260102-0101.zip"
    folder = name.removesuffix(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        for t in export.TABLES:
            assert z.read(f"{folder}/{t}.csv").decode() == export.session_csv(store, t, code)
        scenario = json.loads(z.read(f"{folder}/scenario.json"))
        settings = json.loads(z.read(f"{folder}/session.json"))
    expected = {f"{folder}/{t}.csv" for t in export.TABLES}
    expected |= {f"{folder}/scenario.json", f"{folder}/session.json"}
    if export.DATA_DICTIONARY.exists():
        expected.add(f"{folder}/data-dictionary.md")
    assert names == expected
    assert scenario == hub.session(code).scenario.to_dict()
    assert settings == {
        "code": code,
        "scenario_id": "test-supply",
        "conditions": ["single", "any"],
        "pairing": "rounds",
        "time_limit_s": hub.session(code).time_limit_s,
        "max_offers": hub.session(code).max_offers,
        "protocol": "offers",
        "middle": "players",
        "rotate": False,
        "rounds": 1,
        "created_at": "2026-01-01T00:00:00.000Z",
        "exported_at": "2026-01-02T01:01:01Z",
    }


def test_a_session_zip_of_no_session_is_a_key_error(world):
    store, _, _ = world
    with pytest.raises(KeyError):
        export.session_zip(store, "NOPE00")


def test_the_zips_data_dictionary_has_no_links_to_files_it_lacks():
    import re

    from game.server.export import DATA_DICTIONARY, unlinked

    text = unlinked(DATA_DICTIONARY.read_text(encoding="utf-8"))
    local = re.findall(r"\]\((?!https?:|#|mailto:)[^)\s]+\)", text)
    assert local == []
    assert unlinked("see [metrics](metrics.md).") == (
        "see metrics (`metrics.md` beside docs/data-dictionary.md in Parley)."
    )
