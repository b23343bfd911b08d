"""The store's write-ahead log: its size, and checkpoints that copy it back into the database
file off the serving thread (docs/security.md, bench/wal.py). :class:`Checkpoints` is the
store's base class; it needs ``path``, ``lock``, ``conn`` and ``closed``."""

from __future__ import annotations

import os
import sqlite3

READ_BUSY_MS = 5000  # how long a read-only connection (exports, checkpoints) waits
WAL_LIMIT = 16 * 1024 * 1024  # past this size a checkpoint truncates the WAL


def _connect(path: str, busy_ms: int = READ_BUSY_MS) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, check_same_thread=False, isolation_level=None, timeout=busy_ms / 1000
    )
    conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    return conn


class Checkpoints:
    path: str
    closed: bool

    def wal_size(self) -> int:
        """The WAL file's size in bytes (0 when there is none)."""
        if self.path == ":memory:":
            return 0
        try:
            return os.path.getsize(self.path + "-wal")
        except OSError:
            return 0

    # ------------------------------------------------------------ checkpoints
    def defer_checkpoints(self, defer: bool = True) -> None:
        """Stop commits from checkpointing: the caller will call :meth:`checkpoint` instead.

        By default SQLite copies the WAL back into the database file inside the COMMIT that
        takes it past 1,000 pages, with an fsync: a stall of several milliseconds for whoever
        committed, and under eventlet for every connection of the server. The server calls
        :meth:`checkpoint` from its background loop in a native thread instead, so a commit
        only appends to the WAL. ``defer=False`` gives the checkpoints back to the commits.
        """
        with self.lock:
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {0 if defer else 1000}")

    def checkpoint(self, mode: str = "PASSIVE") -> tuple[int, int, int]:
        """Copy what the WAL holds into the database file.

        PASSIVE never waits for a writer. TRUNCATE waits (at most :data:`READ_BUSY_MS`) for the
        writer and the readers, copies the rest and truncates the WAL to nothing; meanwhile the
        serving connection's writes find the database busy and wait off the serving thread (see
        :func:`_writes`). Opens a connection of its own for the call and takes no lock, so it
        may run in a native thread while the writer goes on, and never shares a connection with
        :meth:`close`. Returns SQLite's (busy, frames in the WAL, frames checkpointed).
        """
        if mode not in ("PASSIVE", "FULL", "RESTART", "TRUNCATE"):
            raise ValueError(f"checkpoint mode: {mode!r}")
        if self.path == ":memory:" or self.closed:
            return (0, 0, 0)
        conn = _connect(self.path)
        try:
            return tuple(conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone())
        finally:
            conn.close()

    def checkpoint_bounded(self, limit: int = WAL_LIMIT) -> tuple[int, int, int]:
        """A PASSIVE checkpoint, then a TRUNCATE one when the WAL file has passed ``limit``
        bytes: under continuous writes PASSIVE alone never lets the WAL restart."""
        result = self.checkpoint("PASSIVE")
        if self.wal_size() > limit:
            result = self.checkpoint("TRUNCATE")
        return result
