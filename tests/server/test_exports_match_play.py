"""The export tables (API and ``python run.py export``) hold exactly the games played."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.server.helpers import (
    BATNAS,
    COUNTER,
    ISO_UTC,
    MESO,
    ROLES,
    SCENARIO_ID,
    all_packages,
    export,
    offers,
    ok,
    points,
    read_csv,
)
from tests.support import ROOT, Player

CONTRACT_COLUMNS = {
    "negotiations": [
        "negotiation_id",
        "session_code",
        "scenario_id",
        "condition",
        "role_0",
        "role_1",
        "participant_0",
        "participant_1",
        "status",
        "end_reason",
        "agreement",
        "points_0",
        "points_1",
        "joint",
        "max_joint",
        "pareto_optimal",
        "offers_count",
        "started_at",
        "ended_at",
    ],
    "offers": [
        "offer_id",
        "negotiation_id",
        "seq",
        "proposer_role",
        "package_index",
        "package",
        "proposer_points",
        "recipient_points",
        "based_on_offer_id",
        "based_on_package",
        "created_at",
    ],
    "events": ["event_id", "negotiation_id", "participant_id", "type", "payload", "created_at"],
    "participants": ["participant_id", "session_code", "name", "label", "joined_at"],
}


def joined(server, code, name, label=None) -> Player:
    extra = {"label": label} if label else {}
    p = Player(server, server.join(code, name, **extra)["token"])
    p.wait(lambda s: True)
    return p


def pair(server, code, made, names):
    a = joined(server, code, *names[0])
    b = joined(server, code, *names[1])
    made += [a, b]
    a.wait_phase("negotiating")
    b.wait_phase("negotiating")
    return (a, b) if a.neg["role"] == "seller" else (b, a)


@pytest.fixture(scope="module")
def played(module_server):
    """Two sessions played to known ends; what the tests expect of the export."""
    srv = module_server
    made: list[Player] = []
    games = {}
    try:
        # a session whose only negotiation runs into its deadline, started first to save time
        # (4 s: room for its offer before the deadline even on a loaded machine)
        timed = srv.create_session(scenario=SCENARIO_ID, time_limit_s=4)
        t_seller, t_buyer = pair(srv, timed, made, [("Tia", None), ("Tom", None)])
        t_offer = ok(t_seller.call("propose", {"packages": [MESO[0]]}))["offer_id"]

        code = srv.create_session(scenario=SCENARIO_ID, conditions=["meso"])
        # 1: MESO, counter based on it, accepted, with chat
        s1, b1 = pair(srv, code, made, [("Ann", "team A"), ("Bob", "team B")])
        o1 = ok(s1.call("propose", {"packages": MESO}))["offer_id"]
        ok(b1.call("chat", {"text": 'Can we talk about "delivery", please?'}))
        b1.wait(lambda s: len(offers(s)) == 1)
        o2 = ok(
            b1.call("propose", {"packages": [COUNTER], "based_on": {"offer_id": o1, "package": 2}})
        )["offer_id"]
        s1.wait(lambda s: len(offers(s)) == 2)
        ok(s1.call("accept", {"offer_id": o2, "package": 0}))
        # 2: a MESO, then the buyer walks away
        s2, b2 = pair(srv, code, made, [("Cy", None), ("Di", None)])
        o3 = ok(s2.call("propose", {"packages": MESO[:2]}))["offer_id"]
        b2.wait(lambda s: len(offers(s)) == 1)
        ok(b2.call("walk_away", {}))
        # 3: still open
        s3, b3 = pair(srv, code, made, [("Ed", None), ("Flo", None)])
        o4 = ok(s3.call("propose", {"packages": [MESO[2], MESO[0]]}))["offer_id"]
        # an odd participant who waits
        made.append(joined(srv, code, "Gus", "late"))

        for p in (s1, b1, s2, b2):
            p.wait_phase("done")
        for p in (t_seller, t_buyer):
            p.wait_phase("done", timeout=20)  # a liveness bound

        def ids(p):
            return p.state["participant"]["id"]

        games = {
            "code": code,
            "timed": timed,
            "agreed": {
                "id": s1.neg["id"],
                "seller": ids(s1),
                "buyer": ids(b1),
                "offers": [(o1, "seller", MESO, None), (o2, "buyer", [COUNTER], (o1, 2))],
            },
            "walked": {
                "id": s2.neg["id"],
                "seller": ids(s2),
                "buyer": ids(b2),
                "offers": [(o3, "seller", MESO[:2], None)],
            },
            "open": {
                "id": s3.neg["id"],
                "seller": ids(s3),
                "buyer": ids(b3),
                "offers": [(o4, "seller", [MESO[2], MESO[0]], None)],
            },
            "deadline": {
                "id": t_seller.neg["id"],
                "seller": ids(t_seller),
                "buyer": ids(t_buyer),
                "offers": [(t_offer, "seller", [MESO[0]], None)],
            },
            "names": {
                "Ann": "team A",
                "Bob": "team B",
                "Cy": "",
                "Di": "",
                "Ed": "",
                "Flo": "",
                "Gus": "late",
            },
        }
        yield games
    finally:
        for p in made:
            p.close()


def by_id(rows, key="negotiation_id"):
    return {r[key]: r for r in rows}


def frontier():
    pts = [(points(p)["seller"], points(p)["buyer"]) for p in all_packages()]
    return {a for a in pts if not any(b[0] >= a[0] and b[1] >= a[1] and b != a for b in pts)}


MAX_JOINT = max(sum(points(p).values()) for p in all_packages())


def test_every_table_has_the_contract_columns(module_server, played):
    for table, columns in CONTRACT_COLUMNS.items():
        r = module_server.api("GET", f"/api/sessions/{played['code']}/export/{table}.csv")
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/csv")
        header = r.text.splitlines()[0].split(",")
        assert set(columns) <= set(header), set(columns) - set(header)


def test_negotiations_rows_match_the_games_played(module_server, played):
    rows = by_id(export(module_server, played["code"], "negotiations"))
    assert set(rows) == {played[k]["id"] for k in ("agreed", "walked", "open")}
    for r in rows.values():
        assert r["session_code"] == played["code"]
        assert r["scenario_id"] == SCENARIO_ID
        assert r["condition"] == "meso"
        assert (r["role_0"], r["role_1"]) == tuple(ROLES)
        assert ISO_UTC.match(r["started_at"]), r["started_at"]
        assert float(r["max_joint"]) == MAX_JOINT
    for kind in ("agreed", "walked", "open"):
        game = played[kind]
        r = rows[game["id"]]
        assert (r["participant_0"], r["participant_1"]) == (game["seller"], game["buyer"])
        assert int(r["offers_count"]) == len(game["offers"])

    agreed = rows[played["agreed"]["id"]]
    assert agreed["status"] == "agreed" and agreed["end_reason"] == "accepted"
    assert json.loads(agreed["agreement"]) == COUNTER
    assert agreed["agreement"] == json.dumps(COUNTER, separators=(",", ":"))
    want = points(COUNTER)
    assert (float(agreed["points_0"]), float(agreed["points_1"])) == (want["seller"], want["buyer"])
    assert float(agreed["joint"]) == want["seller"] + want["buyer"]
    expected_pareto = (want["seller"], want["buyer"]) in frontier()
    assert agreed["pareto_optimal"] == ("true" if expected_pareto else "false")
    assert ISO_UTC.match(agreed["ended_at"])
    assert agreed["ended_at"] >= agreed["started_at"]

    walked = rows[played["walked"]["id"]]
    assert walked["status"] == "impasse" and walked["end_reason"] == "walked_away"
    assert walked["agreement"] == "" and walked["pareto_optimal"] == ""
    assert (float(walked["points_0"]), float(walked["points_1"])) == (
        BATNAS["seller"],
        BATNAS["buyer"],
    )
    assert float(walked["joint"]) == BATNAS["seller"] + BATNAS["buyer"]
    assert ISO_UTC.match(walked["ended_at"])

    still = rows[played["open"]["id"]]
    assert still["status"] == "open"
    for col in (
        "end_reason",
        "agreement",
        "points_0",
        "points_1",
        "joint",
        "pareto_optimal",
        "ended_at",
    ):
        assert still[col] == "", (col, still[col])


def test_an_impasse_at_the_deadline_is_exported_with_the_batnas(module_server, played):
    (row,) = export(module_server, played["timed"], "negotiations")
    assert row["negotiation_id"] == played["deadline"]["id"]
    assert row["status"] == "impasse" and row["end_reason"] == "deadline"
    assert (float(row["points_0"]), float(row["points_1"])) == (BATNAS["seller"], BATNAS["buyer"])
    assert row["agreement"] == "" and row["pareto_optimal"] == ""
    events = export(module_server, played["timed"], "events")
    (deadline,) = [e for e in events if e["type"] == "deadline"]
    assert deadline["participant_id"] == ""
    assert deadline["negotiation_id"] == row["negotiation_id"]
    assert ISO_UTC.match(deadline["created_at"])


def test_every_offered_package_is_a_row_with_both_roles_points(module_server, played):
    for code, kinds in (
        (played["code"], ("agreed", "walked", "open")),
        (played["timed"], ("deadline",)),
    ):
        rows = export(module_server, code, "offers")
        expected = []
        for kind in kinds:
            for seq, (offer_id, by, packages, based_on) in enumerate(played[kind]["offers"], 1):
                for index, package in enumerate(packages):
                    expected.append(
                        (played[kind]["id"], offer_id, seq, by, index, package, based_on)
                    )
        assert len(rows) == len(expected)
        got = {(r["offer_id"], int(r["package_index"])): r for r in rows}
        for nid, offer_id, seq, by, index, package, based_on in expected:
            r = got[(offer_id, index)]
            assert r["negotiation_id"] == nid
            assert int(r["seq"]) == seq
            assert r["proposer_role"] == by
            assert json.loads(r["package"]) == package
            assert r["package"] == json.dumps(package, separators=(",", ":"))
            pts = points(package)
            other = "buyer" if by == "seller" else "seller"
            assert float(r["proposer_points"]) == pts[by]
            assert float(r["recipient_points"]) == pts[other]
            if based_on is None:
                assert r["based_on_offer_id"] == "" and r["based_on_package"] == ""
            else:
                assert (r["based_on_offer_id"], int(r["based_on_package"])) == based_on
            assert ISO_UTC.match(r["created_at"])
            if "accepted" in r:
                assert r["accepted"] in ("true", "false")
                assert (r["accepted"] == "true") == (offer_id == played["agreed"]["offers"][1][0])


def test_events_hold_the_chat_and_every_move(module_server, played):
    events = export(module_server, played["code"], "events")
    assert [int(e["event_id"]) for e in events] == sorted(int(e["event_id"]) for e in events)
    for e in events:
        assert ISO_UTC.match(e["created_at"])
        obj = json.loads(e["payload"])
        assert isinstance(obj, dict)
        compact = [
            json.dumps(obj, separators=(",", ":")),
            json.dumps(obj, separators=(",", ":"), ensure_ascii=False),
        ]
        assert e["payload"] in compact, e["payload"]
    agreed = [e for e in events if e["negotiation_id"] == played["agreed"]["id"]]
    types = [e["type"] for e in agreed]
    assert [t for t in types if t in ("proposed", "chat", "accepted")] == [
        "proposed",
        "chat",
        "proposed",
        "accepted",
    ]
    (chat,) = [e for e in agreed if e["type"] == "chat"]
    assert chat["participant_id"] == played["agreed"]["buyer"]
    assert json.loads(chat["payload"])["text"] == 'Can we talk about "delivery", please?'
    walked = [e for e in events if e["negotiation_id"] == played["walked"]["id"]]
    (walk,) = [e for e in walked if e["type"] == "walked_away"]
    assert walk["participant_id"] == played["walked"]["buyer"]


def test_participants_rows_are_everyone_who_joined(module_server, played):
    rows = export(module_server, played["code"], "participants")
    assert {r["name"]: r["label"] for r in rows} == played["names"]
    for r in rows:
        assert r["session_code"] == played["code"]
        assert ISO_UTC.match(r["joined_at"])


def test_the_command_line_export_writes_the_same_tables(module_server, played, tmp_path):
    out = tmp_path / "nested" / "out"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "export",
            "--db",
            str(module_server.db),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    for table in CONTRACT_COLUMNS:
        path = out / f"{table}.csv"
        assert path.exists()
        rows = read_csv(path.read_text(encoding="utf-8"))
        for code in (played["code"], played["timed"]):
            mine = [r for r in rows if r["session_code"] == code]
            assert mine == export(module_server, code, table), table


def test_the_command_line_export_refuses_a_missing_database(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "export",
            "--db",
            str(tmp_path / "none.db"),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode != 0
    assert not (tmp_path / "none.db").exists()


def test_an_export_of_an_empty_session_has_header_rows_only(module_server):
    code = module_server.create_session(scenario=SCENARIO_ID)
    for table, columns in CONTRACT_COLUMNS.items():
        r = module_server.api("GET", f"/api/sessions/{code}/export/{table}.csv")
        lines = r.text.splitlines()
        assert len(lines) == 1 and set(columns) <= set(lines[0].split(","))


def test_the_command_line_export_of_one_session_takes_its_code_in_any_case(
    module_server, played, tmp_path
):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "export",
            "--db",
            str(module_server.db),
            "--out",
            str(tmp_path),
            "--session",
            played["timed"].lower(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    rows = read_csv((tmp_path / "negotiations.csv").read_text(encoding="utf-8"))
    assert [r["negotiation_id"] for r in rows] == [played["deadline"]["id"]]
