"""game.store: a versioned schema, an append-only event log in WAL mode, durable commits."""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading

import pytest

from game.server import store as store_mod
from game.server.store import MIGRATIONS, SCHEMA_VERSION, Store, iso


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "parley.db")
    yield s
    s.close()


def session_row(code="ABC234"):
    return {
        "code": code,
        "scenario_id": "sc",
        "scenario_json": "{}",
        "conditions": '["any"]',
        "time_limit_s": None,
        "max_offers": 8,
        "pairing": "arrival",
        "seed": 1,
        "round": 0,
        "demo": 0,
        "created_at": iso(1_700_000_000),
    }


def negotiation_row(nid="n_1", code="ABC234"):
    return {
        "negotiation_id": nid,
        "session_code": code,
        "scenario_id": "sc",
        "condition": "any",
        "condition_index": 0,
        "round": 0,
        "role_0": "seller",
        "role_1": "buyer",
        "participant_0": "p_a",
        "participant_1": "p_b",
        "max_offers": 8,
        "time_limit_s": None,
        "deadline": None,
        "started": 1_700_000_000.0,
        "started_at": iso(1_700_000_000.0),
        "status": "open",
        "end_reason": None,
        "ended_at": None,
    }


# ---------------------------------------------------------------- schema


def test_a_new_database_is_at_the_latest_schema_version(store):
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 1
    assert store.schema_version == SCHEMA_VERSION
    tables = set(store.db.table_names())
    assert {"meta", "scenarios", "sessions", "participants", "negotiations", "events"} <= tables


def test_reopening_keeps_the_version_and_the_data(tmp_path):
    s = Store(tmp_path / "x.db")
    s.set_meta("instructor_key", "abc")
    s.close()
    again = Store(tmp_path / "x.db")
    assert again.schema_version == SCHEMA_VERSION
    assert again.get_meta("instructor_key") == "abc"
    again.close()


def test_a_later_migration_runs_once_on_an_older_database(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    Store(path).close()
    calls = []

    def m2(db):
        calls.append(1)
        db["negotiations"].add_column("note", str)

    monkeypatch.setattr(store_mod, "MIGRATIONS", [*MIGRATIONS, m2])
    s = Store(path)
    assert s.schema_version == len(MIGRATIONS) + 1
    assert "note" in s.db["negotiations"].columns_dict
    s.close()
    Store(path).close()
    assert calls == [1]


def test_the_database_is_in_wal_mode_with_normal_sync(store, tmp_path):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL (WAL)
    store.set_meta("k", "v")
    assert (tmp_path / "parley.db-wal").exists()


# ---------------------------------------------------------------- meta, scenarios


def test_meta_values_are_set_and_replaced(store):
    assert store.get_meta("nothing") is None
    store.set_meta("k", "1")
    store.set_meta("k", "2")
    assert store.get_meta("k") == "2"


def test_uploaded_scenarios_are_kept_as_json(store):
    store.add_scenario("b-sc", {"id": "b-sc", "title": "B"})
    store.add_scenario("a-sc", {"id": "a-sc", "title": "A", "n": [1, 2.5]})
    assert store.scenarios() == [
        {"id": "a-sc", "title": "A", "n": [1, 2.5]},
        {"id": "b-sc", "title": "B"},
    ]


# ---------------------------------------------------------------- event log


def test_appended_events_read_back_in_order_with_their_fields(store):
    store.add_session(session_row())
    store.add_negotiation(negotiation_row())
    ids = store.append(
        "ABC234",
        "n_1",
        "p_a",
        [
            {
                "type": "proposed",
                "role": "seller",
                "offer_id": "n_1-1",
                "packages": [{"a": "x"}],
                "based_on": None,
                "at": 1_700_000_001.5,
            },
            {"type": "chat", "role": "seller", "text": "hi ✓", "at": 1_700_000_002.25},
        ],
    )
    assert len(ids) == 2 and ids[0] < ids[1]
    more = store.append(
        "ABC234",
        "n_1",
        "p_b",
        [{"type": "chat", "role": "buyer", "text": "yo", "at": 1_700_000_003.0}],
    )
    assert more[0] > ids[1]
    events = store.events_of("n_1")
    assert [e["type"] for e in events] == ["proposed", "chat", "chat"]
    assert [e["event_id"] for e in events] == [*ids, *more]
    first = events[0]
    assert first["offer_id"] == "n_1-1" and first["packages"] == [{"a": "x"}]
    assert first["based_on"] is None
    assert first["at"] == 1_700_000_001.5
    assert first["participant_id"] == "p_a"
    assert events[1]["text"] == "hi ✓"
    assert store.all_negotiation_events() == {"n_1": events}
    row = store.read("SELECT created_at, payload FROM events WHERE event_id = ?", [ids[1]])[0]
    assert row["created_at"] == "2023-11-14T22:13:22.250Z"
    assert '"type"' not in row["payload"] and '"at"' not in row["payload"]


def test_an_append_with_a_summary_updates_the_negotiation_in_the_same_commit(store):
    store.add_session(session_row())
    store.add_negotiation(negotiation_row())
    store.append(
        "ABC234",
        "n_1",
        "p_b",
        [{"type": "walked_away", "role": "buyer", "at": 1_700_000_010.0}],
        summary={
            "status": "impasse",
            "end_reason": "walked_away",
            "ended_at": iso(1_700_000_010.0),
        },
    )
    (row,) = store.negotiations()
    assert (row["status"], row["end_reason"]) == ("impasse", "walked_away")


def test_a_failed_append_leaves_nothing_behind(store):
    store.add_session(session_row())
    store.add_negotiation(negotiation_row())
    with pytest.raises(TypeError):
        store.append(
            "ABC234",
            "n_1",
            "p_a",
            [
                {"type": "chat", "role": "seller", "text": "kept?", "at": 1.0},
                {"type": "bad", "at": object()},
            ],
        )
    assert store.events_of("n_1") == []


def test_session_events_belong_to_no_negotiation(store):
    store.add_session(session_row())
    store.log("ABC234", "p_a", "sat_out", {"round": 2})
    store.log("ABC234", None, "round_started", {"round": 2, "ready": ["p_a"]})
    rows = store.read("SELECT * FROM events ORDER BY event_id")
    assert [(r["type"], r["negotiation_id"], r["participant_id"]) for r in rows] == [
        ("sat_out", None, "p_a"),
        ("round_started", None, None),
    ]
    assert store.all_negotiation_events() == {}


def test_joining_writes_the_participant_and_a_joined_event_together(store):
    store.add_session(session_row())
    store.add_participant(
        {
            "participant_id": "p_a",
            "session_code": "ABC234",
            "name": "Ann",
            "label": "",
            "token": "t" * 32,
            "joined_at": iso(1_700_000_000),
            "seq": 1,
        }
    )
    assert [p["name"] for p in store.participants()] == ["Ann"]
    (ev,) = store.read("SELECT type, participant_id FROM events")
    assert ev == {"type": "joined", "participant_id": "p_a"}
    with pytest.raises(sqlite3.IntegrityError):  # tokens are unique
        store.add_participant(
            {
                "participant_id": "p_b",
                "session_code": "ABC234",
                "name": "Bob",
                "label": "",
                "token": "t" * 32,
                "joined_at": iso(1_700_000_000),
                "seq": 2,
            }
        )


def test_committed_events_are_seen_by_another_connection_at_once(store, tmp_path):
    store.add_session(session_row())
    store.add_negotiation(negotiation_row())
    store.append(
        "ABC234", "n_1", "p_a", [{"type": "chat", "role": "seller", "text": "x", "at": 1.0}]
    )
    other = sqlite3.connect(tmp_path / "parley.db")
    assert other.execute("SELECT count(*) FROM events WHERE type = 'chat'").fetchone()[0] == 1
    other.close()


def test_a_long_read_does_not_block_the_writer(store, tmp_path):
    store.add_session(session_row())
    store.add_negotiation(negotiation_row())
    reader = sqlite3.connect(tmp_path / "parley.db", isolation_level=None, timeout=0.1)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM events").fetchone()[0] == 0  # a read snapshot
    done = threading.Event()

    def write():
        store.append(
            "ABC234", "n_1", "p_a", [{"type": "chat", "role": "seller", "text": "x", "at": 1.0}]
        )
        done.set()

    t = threading.Thread(target=write)
    t.start()
    assert done.wait(15), "the writer waited for the reader"  # a liveness bound
    t.join()
    # the reader still sees its snapshot; a new read sees the write
    assert reader.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    reader.close()


def _events_in_the_file_alone(store, tmp_path) -> int:
    """Events held by the database file itself, without its WAL (a copy of the file alone)."""
    copy = tmp_path / "file-alone.db"
    shutil.copyfile(store.path, copy)
    conn = sqlite3.connect(copy)
    try:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()


def test_deferred_checkpoints_leave_commits_in_the_wal_until_a_checkpoint(store, tmp_path):
    store.add_session(session_row())
    store.add_negotiation(negotiation_row())
    store.checkpoint()
    store.defer_checkpoints()
    text = "x" * 3000  # about a page an event
    for n in range(1500):
        store.append("ABC234", "n_1", "p_a", [{"type": "chat", "text": text, "at": float(n)}])
    # no commit checkpointed: by default SQLite copies the WAL back at 1,000 pages
    assert _events_in_the_file_alone(store, tmp_path) == 0
    busy, frames, done = store.checkpoint()
    assert frames > 1500 and busy == 0 and done == frames
    assert _events_in_the_file_alone(store, tmp_path) == 1500
    # and the writer goes on after it
    store.append("ABC234", "n_1", "p_a", [{"type": "chat", "text": "after", "at": 2e3}])
    assert len(store.events_of("n_1")) == 1501


def test_a_checkpoint_runs_beside_the_writer_on_its_own_connection(store, tmp_path):
    store.add_session(session_row())
    store.add_negotiation(negotiation_row())
    store.defer_checkpoints()
    stop = threading.Event()
    results, errors = [], []

    def checkpoints():
        try:
            while not stop.is_set():
                results.append(store.checkpoint())
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=checkpoints)
    t.start()
    n = 0
    try:
        # write on until three checkpoints have copied frames while the writer went on
        while sum(1 for r in results if r[2] > 0) < 3 and not errors:
            store.append("ABC234", "n_1", "p_a", [{"type": "chat", "text": "x", "at": float(n)}])
            n += 1
            assert n < 200_000, "no checkpoint copied anything"
    finally:
        stop.set()
        t.join()
    assert errors == []
    store.checkpoint()
    assert _events_in_the_file_alone(store, tmp_path) == n


def test_closing_the_store_while_checkpoints_run_is_safe(tmp_path):
    s = Store(tmp_path / "parley.db")
    s.add_session(session_row())
    s.defer_checkpoints()
    started, errors, done = threading.Event(), [], []

    def checkpoints():
        try:
            while not s.closed:
                done.append(s.checkpoint())
                started.set()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=checkpoints)
    t.start()
    assert started.wait(10)
    s.close()
    t.join(10)
    assert not t.is_alive() and errors == []
    assert s.checkpoint() == (0, 0, 0)  # closed: nothing to do, nothing opened


def test_reads_for_exports_cannot_write(store):
    store.add_session(session_row())
    assert store.read("SELECT code FROM sessions") == [{"code": "ABC234"}]
    with pytest.raises(sqlite3.OperationalError):
        store.read("DELETE FROM sessions")
    assert store.read("SELECT count(*) AS n FROM sessions") == [{"n": 1}]


@pytest.mark.parametrize(
    "ts,text",
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_700_000_000.1234, "2023-11-14T22:13:20.123Z"),
        (None, None),
    ],
)
def test_times_are_iso_8601_utc(ts, text):
    assert iso(ts) == text
    if text:
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", text)
