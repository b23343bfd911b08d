"""The store's versioned schema: one migration a version, applied in order by the store.

The version is SQLite's ``user_version``; a database at version n has had ``MIGRATIONS[:n]``
applied. Add new migrations at the end of the list; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite_utils


# Migrations: each takes the Database and brings it one version up. Add new ones at the end;
# never edit one that has shipped.
def _m1(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db["scenarios"].create(
        {"id": str, "json": str, "source": str, "created_at": str}, pk="id", if_not_exists=True
    )
    db["sessions"].create(
        {
            "code": str,
            "scenario_id": str,
            "scenario_json": str,  # the scenario as played, so a session stays reproducible
            "conditions": str,  # JSON list
            "time_limit_s": float,
            "max_offers": int,
            "pairing": str,
            "seed": int,
            "round": int,
            "demo": int,
            "created_at": str,
        },
        pk="code",
        if_not_exists=True,
    )
    db["participants"].create(
        {
            "participant_id": str,
            "session_code": str,
            "name": str,
            "label": str,
            "token": str,
            "joined_at": str,
            "seq": int,
        },
        pk="participant_id",
        if_not_exists=True,
    )
    db["participants"].create_index(["token"], unique=True, if_not_exists=True)
    db["participants"].create_index(["session_code"], if_not_exists=True)
    db["negotiations"].create(
        {
            "negotiation_id": str,
            "session_code": str,
            "scenario_id": str,
            "condition": str,
            "condition_index": int,
            "round": int,
            "role_0": str,
            "role_1": str,
            "participant_0": str,
            "participant_1": str,
            "max_offers": int,
            "time_limit_s": float,
            "deadline": float,
            "started": float,
            "started_at": str,
            "status": str,
            "end_reason": str,
            "ended_at": str,
        },
        pk="negotiation_id",
        if_not_exists=True,
    )
    db["negotiations"].create_index(["session_code"], if_not_exists=True)
    db["events"].create(
        {
            "event_id": int,
            "session_code": str,
            "negotiation_id": str,
            "participant_id": str,
            "type": str,
            "payload": str,  # compact JSON
            "at": float,
            "created_at": str,
        },
        pk="event_id",
        if_not_exists=True,
    )
    db["events"].create_index(["negotiation_id", "event_id"], if_not_exists=True)
    db["events"].create_index(["session_code", "event_id"], if_not_exists=True)


def _m2(db: sqlite_utils.Database) -> None:
    # the session's negotiation protocol (game.core.protocols); NULL in older rows: "offers".
    # The sessions.round column stays, unused: the round is read from the events.
    db.execute("ALTER TABLE sessions ADD COLUMN protocol TEXT")


def _m3(db: sqlite_utils.Database) -> None:
    # issue 10: seats. A session's seat and debrief settings (NULL in older rows: one seat per
    # browser was not enforced then, and debriefs opened at once) and a participant's device (a
    # hash of the browser's device cookie). A removed seat is told by its seat_removed event.
    db.execute("ALTER TABLE sessions ADD COLUMN multiple_seats INTEGER")
    db.execute("ALTER TABLE sessions ADD COLUMN debrief TEXT")
    db.execute("ALTER TABLE participants ADD COLUMN device TEXT")


def _m4(db: sqlite_utils.Database) -> None:
    # computer counterparts (game.core.agents): a participant's kind (human | agent; NULL in
    # older rows: human), an agent's strategy and parameters (JSON), a session's agent settings
    db.execute("ALTER TABLE participants ADD COLUMN kind TEXT")
    db.execute("ALTER TABLE participants ADD COLUMN strategy TEXT")
    db.execute("ALTER TABLE participants ADD COLUMN params TEXT")
    db.execute("ALTER TABLE sessions ADD COLUMN agents TEXT")


def _m5(db: sqlite_utils.Database) -> None:
    # three seats (game.core.protocols.mediated, single_text): the participant in the middle
    # seat (NULL for two seats, or a computer or the instructor in the middle), and the
    # session's middle seat ("players" | "computer" | "instructor"; NULL in older rows:
    # "players") and whether the middle seat rotates.
    db.execute("ALTER TABLE negotiations ADD COLUMN participant_2 TEXT")
    db.execute("ALTER TABLE sessions ADD COLUMN middle TEXT")
    db.execute("ALTER TABLE sessions ADD COLUMN rotate INTEGER")


def _m6(db: sqlite_utils.Database) -> None:
    # issue 13, the course: a session's name, whether it is closed (joining refused) or
    # archived (hidden from the list), the label of the student-id field asked at join (NULL:
    # not asked), and whether standings count the negotiations the instructor ended
    for column in (
        "name TEXT", "closed INTEGER", "archived INTEGER", "student_id TEXT",
        "count_instructor_ended INTEGER",
    ):  # fmt: skip
        db.execute(f"ALTER TABLE sessions ADD COLUMN {column}")


def _m7(db: sqlite_utils.Database) -> None:
    # issue 14: the protocol's own setting as JSON (pss's post_settlement); NULL: none.
    db.execute("ALTER TABLE sessions ADD COLUMN protocol_options TEXT")


MIGRATIONS = [_m1, _m2, _m3, _m4, _m5, _m6, _m7]
SCHEMA_VERSION = len(MIGRATIONS)
