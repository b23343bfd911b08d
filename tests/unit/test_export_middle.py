"""The export of negotiations with a middle seat, checked against figures recomputed here from
the events table and the raw scenario document alone (no fold, no scoring code)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from game.server import export
from game.server.hub import Hub
from game.server.store import Store
from tests.support import scenario_dict
from tests.unit.test_hub import Clock

DOC = scenario_dict()


def pk(*idx):
    return {i["id"]: i["options"][n]["id"] for i, n in zip(DOC["issues"], idx, strict=True)}


def raw_points(package):
    """Both roles' points of a package, from the scenario document."""
    r0, r1 = (r["id"] for r in DOC["roles"])
    total = [0, 0]
    for issue in DOC["issues"]:
        o = next(o for o in issue["options"] if o["id"] == package[issue["id"]])
        total[0] += o["points"][r0]
        total[1] += o["points"][r1]
    return total


@pytest.fixture
def world(tmp_path):
    store = Store(tmp_path / "x.db")
    clock = Clock()
    hub = Hub(store, None, clock=clock)
    hub.add_scenario(DOC)
    yield store, hub, clock
    store.close()


def trio(hub, protocol, clock):
    code = hub.create_session(
        {"scenario": "test-supply", "protocol": protocol, "conditions": [protocol]}
    )
    sids = {}
    for name in ("Ann", "Bob", "Cy"):
        token, pid = hub.join(code, {"name": name})
        hub.connect(token, "sid-" + pid)
    n = hub.current(hub.participant(pid))
    for seat, p in zip(("r0", "r1", "middle"), n.participants, strict=True):
        sids[seat] = "sid-" + p
    return code, sids, n


def ok(hub, clock, sid, kind, payload):
    clock.now += 1
    answer, _ = hub.act(sid, kind, payload)
    assert answer["ok"], answer
    return answer


def rows(store, name, code):
    return list(csv.DictReader(io.StringIO(export.session_csv(store, name, code))))


def events_of(store, code):
    return [{**e, "payload": json.loads(e["payload"])} for e in rows(store, "events", code)]


def test_a_mediated_session_exports_what_its_events_say(world):
    store, hub, clock = world
    code, s, n = trio(hub, "mediated", clock)
    ok(hub, clock, s["r0"], "confide", {"issues": ["price", "delivery"]})
    ok(hub, clock, s["r1"], "confide", {"issues": ["warranty"]})
    m1 = ok(hub, clock, s["middle"], "propose", {"package": pk(3, 0, 0, 0)})["proposal_id"]
    ok(hub, clock, s["r0"], "answer", {"proposal_id": m1, "accept": True})
    ok(hub, clock, s["r1"], "answer", {"proposal_id": m1, "accept": False, "reason": "no"})
    m2 = ok(hub, clock, s["middle"], "propose", {"package": pk(2, 1, 2, 1)})["proposal_id"]
    ok(hub, clock, s["r1"], "answer", {"proposal_id": m2, "accept": True})
    ok(hub, clock, s["r0"], "answer", {"proposal_id": m2, "accept": True})

    # recomputed from the events alone
    ev = [e for e in events_of(store, code) if e["negotiation_id"] == n.id]
    proposals = [e for e in ev if e["type"] == "proposal"]
    answers = [e for e in ev if e["type"] == "answered"]
    confided = {}
    for e in ev:
        if e["type"] == "confided":
            confided.setdefault(e["payload"]["role"], []).extend(e["payload"]["issues"])
    paired = next(e for e in ev if e["type"] == "paired")["payload"]
    r0, r1 = paired["roles"]
    last = proposals[-1]["payload"]
    both = {a["payload"]["role"] for a in answers if a["payload"]["proposal_id"] ==
            last["proposal_id"] and a["payload"]["accept"]}  # fmt: skip
    assert both == {r0, r1}

    (neg,) = rows(store, "negotiations", code)
    assert neg["protocol"] == "mediated" and neg["participant_2"] == paired["participants"][2]
    assert neg["status"] == "agreed" and json.loads(neg["agreement"]) == last["package"]
    assert [float(neg["points_0"]), float(neg["points_1"])] == raw_points(last["package"])
    assert int(neg["steps"]) == len(proposals) == 2
    assert int(neg["confided_0"]) == len(confided[r0]) and int(neg["confided_1"]) == 1
    assert int(neg["rejections_1"]) == 1 and int(neg["rejections_0"]) == 0
    assert neg["offers_count"] == "0"

    steps = rows(store, "steps", code)
    assert [st["step_id"] for st in steps] == [p["payload"]["proposal_id"] for p in proposals]
    for st, p in zip(steps, proposals, strict=True):
        pts = raw_points(p["payload"]["package"])
        assert [float(st["points_0"]), float(st["points_1"])] == pts
        assert float(st["joint"]) == sum(pts) and float(st["distance_to_frontier"]) >= 0
        assert st["middle_participant_id"] == p["participant_id"]
    assert [(st["answer_0"], st["answer_1"]) for st in steps] == [
        ("accept", "reject"),
        ("accept", "accept"),
    ]
    assert [st["agreed"] for st in steps] == ["false", "true"]


def test_a_single_text_session_exports_what_its_events_say(world):
    store, hub, clock = world
    code, s, n = trio(hub, "single_text", clock)
    d1 = ok(hub, clock, s["middle"], "draft", {"package": pk(1, 1, 1, 0)})["draft_id"]
    marks = {i["id"]: {"ok": True} for i in DOC["issues"]}
    ok(hub, clock, s["r0"], "mark", {"draft_id": d1, "marks": {
        **marks, "price": {"ok": False, "option": "price3", "comment": "up"}}})  # fmt: skip
    ok(hub, clock, s["r1"], "mark", {"draft_id": d1, "marks": {
        **marks, "warranty": {"ok": False, "option": "warranty2"},
        "delivery": {"ok": False, "option": "delivery0"}}})  # fmt: skip
    d2 = ok(hub, clock, s["middle"], "draft", {"package": pk(3, 0, 2, 0)})["draft_id"]
    ok(hub, clock, s["r0"], "endorse", {"draft_id": d2})
    ok(hub, clock, s["r1"], "endorse", {"draft_id": d2})

    ev = [e for e in events_of(store, code) if e["negotiation_id"] == n.id]
    drafts = [e["payload"] for e in ev if e["type"] == "drafted"]
    marked = [e["payload"] for e in ev if e["type"] == "marked"]
    changes = {}
    for m in marked:
        changes[m["role"]] = changes.get(m["role"], 0) + sum(
            1 for x in m["marks"].values() if not x["ok"]
        )
    r0, r1 = next(e for e in ev if e["type"] == "paired")["payload"]["roles"]
    (neg,) = rows(store, "negotiations", code)
    assert neg["protocol"] == "single_text" and int(neg["steps"]) == len(drafts) == 2
    assert int(neg["changes_asked_0"]) == changes[r0] == 1
    assert int(neg["changes_asked_1"]) == changes[r1] == 2
    assert json.loads(neg["agreement"]) == drafts[-1]["package"]
    assert [float(neg["points_0"]), float(neg["points_1"])] == raw_points(drafts[-1]["package"])
    steps = rows(store, "steps", code)
    assert [(st["answer_0"], st["answer_1"]) for st in steps] == [
        ("marked", "marked"),
        ("endorsed", "endorsed"),
    ]
    assert [st["changes_asked_1"] for st in steps] == ["2", "0"]
    assert [json.loads(st["package"]) for st in steps] == [d["package"] for d in drafts]


def test_a_session_that_can_have_a_middle_seat_exports_its_columns_from_the_start(world):
    """A mixed session whose only negotiation so far is direct: negotiations.csv already has the
    middle seat's columns (empty) and names the row's protocol, so an early export and a late
    one have the same columns; a session of the offers protocol alone has none of them."""
    store, hub, clock = world
    from game.core import lobby

    conds = ["single", "mediated"]
    while True:  # a session whose first negotiation is direct
        mixed = hub.create_session({"scenario": DOC["id"], "protocol": "mixed",
                                    "middle": "computer", "conditions": conds})  # fmt: skip
        if lobby.condition_for(conds, hub.session(mixed).seed, 0) == "single":
            break
    plain = hub.create_session({"scenario": DOC["id"], "conditions": ["single"]})
    for code in (mixed, plain):
        for name in ("A", "B"):
            token, _ = hub.join(code, {"name": name})
            hub.connect(token, f"{code}-{name}")
    rows = {code: export.table(store, "negotiations", code) for code in (mixed, plain)}
    conditions = [r["condition"] for r in rows[mixed]]
    header = export.csv_text(rows[mixed], "negotiations").splitlines()[0].split(",")
    for col in export.export_middle.NEGOTIATION_EXTRA:
        assert col in header, col
    assert conditions == ["single"]  # no mediated negotiation yet
    assert rows[mixed][0]["protocol"] == "offers" and rows[mixed][0]["participant_2"] is None
    plain_header = export.csv_text(rows[plain], "negotiations").splitlines()[0].split(",")
    assert "protocol" not in plain_header and "participant_2" not in plain_header
