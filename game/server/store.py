"""The durable store: SQLite through sqlite-utils, WAL mode, an append-only event log.

Tables: ``meta`` (instructor key, schema version), ``scenarios`` (uploaded ones), ``sessions``,
``participants``, ``negotiations`` (who, when, which condition; status columns are a summary
kept in the same transaction as the events that change them) and ``events`` (append-only; a
negotiation's state is the fold of its events, see game.core.protocols).

Every write is one transaction and returns only after COMMIT, so the shell can acknowledge or
send an event only after it is durable. Reads for exports use a second connection, so with WAL
they never block the writer.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from game.server.schema import MIGRATIONS, SCHEMA_VERSION
from game.server.wal import READ_BUSY_MS, Checkpoints, _connect
from game.server.wal import WAL_LIMIT as WAL_LIMIT  # read here by realtime's docs and bench

BUSY_WAIT_MS = 2000  # how long a write waits for a lock held elsewhere (off the serving thread)
DEGRADED_S = 30.0  # /healthz says degraded this long after the database was unavailable


def iso(ts: float | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC with milliseconds."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StoreUnavailable(RuntimeError):
    """The database stayed locked (by another process, or a long checkpoint) past
    :data:`BUSY_WAIT_MS`: nothing was written; the caller answers ``unavailable``."""


def _busy(e: sqlite3.OperationalError) -> bool:
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(e) or "busy" in str(e)


def _writes(method):
    """A write of the store: under its lock, and never a long wait on the serving thread.

    The serving connection waits for no lock (busy_timeout 0): a write that finds the database
    locked (another process holding it, or a truncating checkpoint) is tried again with a wait of
    :data:`BUSY_WAIT_MS`, in a native thread when the server set :attr:`Store.offload` (so
    eventlet's one thread goes on serving meanwhile); if the lock is still held then, it raises
    :class:`StoreUnavailable`. Each try is one transaction, rolled back when it fails, so a retry
    writes nothing twice.
    """

    @functools.wraps(method)
    def wrapped(self: Store, *args, **kwargs):
        with self.lock:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.OperationalError as e:
                if not _busy(e) or self.path == ":memory:":
                    raise
            self.busy_at = time.monotonic()
            try:
                return self.offload(self._patiently, method, args, kwargs)
            except sqlite3.OperationalError as e:
                if not _busy(e):
                    raise
                self.busy_at = time.monotonic()
                raise StoreUnavailable(
                    f"the database {self.path} is locked (by another process?): try again"
                ) from None

    return wrapped


class NotParleyDatabase(ValueError):
    pass


def open_readonly(path: str | Path) -> Store:
    """A Store on an existing Parley database that it will not change (for exports)."""
    p = Path(path).resolve()
    conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as e:
        raise NotParleyDatabase(f"{path}: not an SQLite database ({e})") from e
    finally:
        conn.close()
    need = {"sessions", "participants", "negotiations", "events"}
    if version < 1 or not need <= tables:
        raise NotParleyDatabase(f"{path}: not a Parley database")
    if version > SCHEMA_VERSION:
        raise NotParleyDatabase(
            f"{path}: made by a newer Parley (schema {version}; this one knows {SCHEMA_VERSION})"
        )
    store = Store.__new__(Store)
    store.path = str(p)
    store.lock = threading.RLock()
    store.conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True, check_same_thread=False)
    store.db = sqlite_utils.Database(store.conn)
    store.closed = False
    store.offload = _direct
    store.busy_at = None
    store.checkpoint_failed_at = None
    return store


def _direct(fn, *args):
    return fn(*args)


class Store(Checkpoints):
    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = _connect(self.path, busy_ms=BUSY_WAIT_MS)
        self.conn.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: a committed event survives the server process being killed (SQLite
        # has written it to the WAL file); only an OS crash or power cut may lose the last
        # commits. FULL would add an fsync per event, which stalls eventlet's one loop
        # (docs/performance.md measured p99 13.2 ms with FULL, 9.1 ms with NORMAL).
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.db = sqlite_utils.Database(self.conn)
        self.lock = threading.RLock()
        self.closed = False
        # How a write that found the database locked waits: the server sets a function that
        # runs it in a native thread (eventlet's tpool); by default, here.
        self.offload = _direct
        self.busy_at: float | None = None  # monotonic time the database was last found locked
        self.checkpoint_failed_at: float | None = None
        self._migrate()
        if self.path != ":memory:":
            # A WAL left large by an earlier run is emptied now; from here on writes on this
            # connection never wait for a lock (see _writes).
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.execute("PRAGMA busy_timeout = 0")

    # ------------------------------------------------------------ schema
    def _migrate(self) -> None:
        with self.lock:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for n in range(version, len(MIGRATIONS)):
                with self.db.atomic():
                    MIGRATIONS[n](self.db)
                    self.conn.execute(f"PRAGMA user_version = {n + 1}")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self.closed = True
        self.conn.close()

    def _patiently(self, method, args, kwargs):
        """Run a write method with a busy wait (in whatever thread calls this)."""
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_WAIT_MS}")
        try:
            return method(self, *args, **kwargs)
        finally:
            self.conn.execute("PRAGMA busy_timeout = 0")

    @property
    def degraded(self) -> str | None:
        """Why the store is not quite well, or None: the database was locked or a checkpoint
        failed in the last :data:`DEGRADED_S` seconds."""
        now = time.monotonic()
        if self.busy_at is not None and now - self.busy_at < DEGRADED_S:
            return "database locked (writes answered 'unavailable')"
        if self.checkpoint_failed_at is not None and now - self.checkpoint_failed_at < DEGRADED_S:
            return "checkpoints failing"
        return None

    # ------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction around several writes: all of them are committed, or none.

        Each write method is a transaction of its own; inside this block they become
        savepoints of the outer one, which commits when the block ends and is rolled back if
        it raises.
        """
        with self.lock, self.db.atomic():
            yield

    # ------------------------------------------------------------ meta
    def get_meta(self, key: str) -> str | None:
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @_writes
    def set_meta(self, key: str, value: str) -> None:
        self.db["meta"].upsert({"key": key, "value": value}, pk="key")

    # ------------------------------------------------------------ scenarios, questionnaires
    @_writes
    def add_scenario(
        self, scenario_id: str, data: dict, source="upload", table="scenarios", replace=False
    ) -> None:
        """Keep an uploaded document: a scenario, or with ``table="questionnaires"`` one;
        ``replace``: its new version, under the same id."""
        row = {"id": scenario_id, "json": json.dumps(data, separators=(",", ":")), "source": source}
        self.db[table].insert(row | {"created_at": iso(time.time())}, pk="id", replace=replace)

    def scenarios(self, table: str = "scenarios") -> list[dict]:
        with self.lock:
            rows = list(self.db.query(f"SELECT id, json FROM {table} ORDER BY id"))
        return [json.loads(r["json"]) for r in rows]

    # ------------------------------------------------------------ sessions
    @_writes
    def add_session(self, row: dict) -> None:
        self.db["sessions"].insert(row, pk="code")

    @_writes
    def update_session(self, code: str, **fields) -> None:
        self.db["sessions"].update(code, fields)

    def sessions(self) -> list[dict]:
        with self.lock:
            return list(self.db.query("SELECT * FROM sessions ORDER BY created_at"))

    # ------------------------------------------------------------ participants
    @_writes
    def add_participant(self, row: dict, at: float | None = None) -> None:
        with self.db.atomic():
            self.db["participants"].insert(row, pk="participant_id")
            self._append_rows(
                [
                    {
                        "session_code": row["session_code"],
                        "negotiation_id": None,
                        "participant_id": row["participant_id"],
                        "type": "joined",
                        "payload": {"name": row["name"], "label": row["label"]}
                        | ({"external_id": row["external_id"]} if row.get("external_id") else {}),
                        "at": time.time() if at is None else at,
                    }
                ]
            )

    def participants(self) -> list[dict]:
        with self.lock:
            return list(self.db.query("SELECT * FROM participants ORDER BY seq"))

    # ------------------------------------------------------------ negotiations and events
    @_writes
    def add_negotiation(self, row: dict, session_events: list[dict] = ()) -> None:
        with self.db.atomic():
            self.db["negotiations"].insert(row, pk="negotiation_id")
            self._append_rows(list(session_events))

    def negotiations(self) -> list[dict]:
        with self.lock:
            return list(self.db.query("SELECT * FROM negotiations ORDER BY started, rowid"))

    def events_of(self, negotiation_id: str) -> list[dict]:
        with self.lock:
            rows = self.db.query(
                "SELECT * FROM events WHERE negotiation_id = ? ORDER BY event_id",
                [negotiation_id],
            )
            return [self._event(r) for r in rows]

    def all_negotiation_events(self) -> dict[str, list[dict]]:
        """Every negotiation's events in order, for recovery at start."""
        out: dict[str, list[dict]] = {}
        with self.lock:
            for r in self.db.query(
                "SELECT * FROM events WHERE negotiation_id IS NOT NULL ORDER BY event_id"
            ):
                out.setdefault(r["negotiation_id"], []).append(self._event(r))
        return out

    @staticmethod
    def _event(r: dict) -> dict:
        e = json.loads(r["payload"])
        e["type"] = r["type"]
        e["at"] = r["at"]
        e["event_id"] = r["event_id"]
        e["participant_id"] = r["participant_id"]
        return e

    def _append_rows(self, rows: list[dict]) -> list[int]:
        ids = []
        for row in rows:
            payload = {k: v for k, v in row["payload"].items() if k not in ("type", "at")}
            cur = self.conn.execute(
                "INSERT INTO events (session_code, negotiation_id, participant_id, type, payload,"
                " at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row["session_code"],
                    row["negotiation_id"],
                    row["participant_id"],
                    row["type"],
                    json.dumps(payload, separators=(",", ":")),
                    row["at"],
                    iso(row["at"]),
                ),
            )
            ids.append(cur.lastrowid)
        return ids

    def append(
        self,
        session_code: str,
        negotiation_id: str | None,
        participant_id: str | None,
        events: list[dict],
        *,
        summary: dict | None = None,
    ) -> list[int]:
        """Append events (and update the negotiation's summary columns) in one transaction."""
        rows = [
            {
                "session_code": session_code,
                "negotiation_id": negotiation_id,
                "participant_id": participant_id,
                "type": e["type"],
                "payload": e,
                "at": e["at"],
            }
            for e in events
        ]
        return self._append_committed(rows, negotiation_id, summary)

    @_writes
    def _append_committed(
        self, rows: list[dict], negotiation_id: str | None, summary: dict | None
    ) -> list[int]:
        with self.db.atomic():
            ids = self._append_rows(rows)
            if summary and negotiation_id:
                self.db["negotiations"].update(negotiation_id, summary)
        return ids

    def log(
        self,
        session_code: str,
        participant_id: str | None,
        type_: str,
        payload: dict,
        at: float | None = None,
    ) -> None:
        """A session-level event that belongs to no negotiation (sat out, round started, ...)."""
        at = time.time() if at is None else at
        self.append(session_code, None, participant_id, [{"type": type_, "at": at, **payload}])

    def session_events(self, types: tuple[str, ...]) -> list[dict]:
        """Every session-level event of these types, in order (for recovery at start)."""
        marks = ", ".join("?" for _ in types)
        with self.lock:
            rows = self.db.query(
                "SELECT * FROM events WHERE negotiation_id IS NULL AND type IN "
                f"({marks}) ORDER BY event_id",
                list(types),
            )
            out = []
            for r in rows:
                e = self._event(r)
                e["session_code"] = r["session_code"]
                out.append(e)
            return out

    # ------------------------------------------------------------ reads for exports
    def read(self, sql: str, params: Any = ()) -> list[dict]:
        """A read on its own read-only connection: with WAL it never blocks the writer.

        A fresh connection per call, with no lock shared between calls: exports run it in a
        native thread (eventlet's tpool) while the event loop goes on, and a lock made green by
        monkey-patching must never be taken from such a thread.
        """
        if self.path == ":memory:":
            with self.lock:
                return list(self.db.query(sql, params))
        conn = sqlite3.connect(
            f"file:{Path(self.path).resolve()}?mode=ro", uri=True, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {READ_BUSY_MS}")
            return list(sqlite_utils.Database(conn).query(sql, params))
        finally:
            conn.close()


@_writes
def delete_where(store: Store, places: list[tuple[str, str]], value: str) -> None:
    """Delete the rows whose column is ``value`` from each ``(table, column)``, at once."""
    with store.db.atomic():
        for table, column in places:
            store.conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (value,))


SESSION_PLACES = [
    *((t, "session_code") for t in ("events", "negotiations", "participants")),
    ("sessions", "code"),
]


def delete_session(store: Store, code: str) -> None:
    """Delete a session and everything of it (its events, negotiations and participants)."""
    delete_where(store, SESSION_PLACES, code)
