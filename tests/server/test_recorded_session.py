"""A session recorded before the restructure exports byte for byte the same tables today.

tests/fixtures/recorded-session.db was played on the code of commit 5791c4c and exported there
into tests/fixtures/recorded-export/ (tests/fixtures/record_session.py tells how). Today's
``python run.py export`` of that database must write the very same files, once the additions
documented since (PROTOCOL.md section 6: the ``option_<issue id>`` columns of offers, the study
columns of participants, and new files) are set aside: every other byte is compared.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys

from game.server import export
from tests.support import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
DB = FIXTURES / "recorded-session.db"
EXPECTED = FIXTURES / "recorded-export"


def test_the_fixture_holds_what_it_was_recorded_for():
    """The recording covers a MESO with counteroffers and chat, a walk-away, a deadline and two
    rounds with a sit-out: a re-recording that lost any of them fails here."""
    with open(EXPECTED / "negotiations.csv", newline="") as f:
        negs = list(csv.DictReader(f))
    with open(EXPECTED / "offers.csv", newline="") as f:
        offers = list(csv.DictReader(f))
    with open(EXPECTED / "events.csv", newline="") as f:
        events = list(csv.DictReader(f))
    assert {n["end_reason"] for n in negs} == {"accepted", "walked_away", "deadline"}
    assert "meso" in {n["condition"] for n in negs} and "single" in {n["condition"] for n in negs}
    assert any(int(o["packages_in_offer"]) >= 2 for o in offers)
    assert any(o["based_on_offer_id"] for o in offers)
    assert any(e["type"] == "chat" for e in events)
    rounds = [n for n in negs if n["round"] in ("1", "2")]
    assert len(rounds) == 2 and len({n["session_code"] for n in rounds}) == 1
    in_rounds = {p for n in rounds for p in (n["participant_0"], n["participant_1"])}
    assert len(in_rounds) == 3  # three participants, one sat out each round
    # a single self-contained file: no write-ahead log to go with it
    assert not DB.with_name(DB.name + "-wal").exists()
    assert DB.read_bytes()[:16] == b"SQLite format 3\x00"


def test_todays_export_of_the_recorded_session_is_byte_for_byte_the_old_one(tmp_path):
    db = tmp_path / "recorded.db"
    shutil.copyfile(DB, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    out = tmp_path / "export"
    done = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "export", "--db", str(db), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    expected = sorted(p.name for p in EXPECTED.iterdir())
    assert expected == ["events.csv", "negotiations.csv", "offers.csv", "participants.csv"]
    written = sorted(p.name for p in out.iterdir())
    # every table of the old export is written again (a new kind of file may be added)
    assert set(expected) <= set(written), written
    for name in expected:
        old = (EXPECTED / name).read_bytes()
        new = without_new_columns(name, (out / name).read_bytes())
        if new != old:
            old_lines, new_lines = old.splitlines(), new.splitlines()
            first = next(
                (i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)) if a != b),
                min(len(old_lines), len(new_lines)),
            )
            raise AssertionError(
                f"{name} differs from line {first + 1}:\n"
                f"  old: {old_lines[first] if first < len(old_lines) else '(end)'!r}\n"
                f"  new: {new_lines[first] if first < len(new_lines) else '(end)'!r}"
            )
    # the export read the database and changed nothing in it
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def without_new_columns(name: str, data: bytes) -> bytes:
    """A table as the old export wrote it: the documented new columns removed, nothing else."""
    table = name.removesuffix(".csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    new = set(export.NEW_COLUMNS.get(table, ()))
    keep = [
        i
        for i, c in enumerate(rows[0])
        if c not in new and not (table == "offers" and c.startswith("option_"))
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow([r[i] for i in keep])
    return buf.getvalue().encode("utf-8")


def test_the_new_columns_are_the_documented_ones_only(tmp_path):
    """What the comparison sets aside is exactly the section 6 additions: the offers gain one
    option column per issue holding the package's option, the participants the agents' (kind,
    strategy, params) and the study's columns."""
    out = tmp_path / "export"
    done = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "export", "--db", str(DB), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with open(out / "offers.csv", newline="") as f:
        offers = list(csv.DictReader(f))
    options = [c for c in offers[0] if c.startswith("option_")]
    assert options
    for o in offers:
        package = json.loads(o["package"])
        assert {f"option_{k}": v for k, v in package.items()} == {c: o[c] for c in options}
    with open(out / "participants.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header[-len(export.NEW_COLUMNS["participants"]) :] == export.NEW_COLUMNS["participants"]
