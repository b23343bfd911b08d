"""The study flow through the hub (a real SQLite file, a fake clock, no sockets): consent,
entry by external id, questionnaires at the three points, the waiting room's limit, the
completion code, and what the export makes of it."""

from __future__ import annotations

import pytest

from game.core.questionnaires import load_dir
from game.paths import QUESTIONNAIRES
from game.server import export
from game.server.hub import ApiError, Hub
from game.server.store import Store
from tests.support import scenario_dict
from tests.unit.test_hub import T0, Clock

FORMS = {q["id"]: q for q in load_dir(QUESTIONNAIRES)}
STUDY = {
    "consent": "You take part in a study about negotiation. You may stop at any time.",
    "entry_param": "PROLIFIC_PID",
    "wait_limit_s": 60,
    "completion_code": "C0DE42",
    "release_code": "WAITED",
    "redirect_url": "https://example.org/done?cc=C0DE42",
    "questionnaires": {"after": ["after-negotiation"], "debrief": ["after-debrief"]},
}


@pytest.fixture
def world(tmp_path):
    store = Store(tmp_path / "s.db")
    clock = Clock()
    hub = Hub(store, None, clock=clock)
    hub.add_scenario(scenario_dict())
    yield store, hub, clock, tmp_path / "s.db"
    store.close()


def study_session(hub, **changes):
    return hub.create_session(
        {"scenario": "test-supply", "conditions": ["meso", "single"], "study": STUDY | changes}
    )


def enter(hub, code, external, sid):
    token, pid, resumed = hub.enter(code, {"external_id": external})
    hub.connect(token, sid)
    return pid, resumed


def do(hub, sid, kind, payload):
    answer, _ = hub.study_act(sid, kind, payload)
    assert answer["ok"], answer
    return answer


def stage(hub, pid):
    return hub.view(pid)["study"]


def answer_page(hub, sid, pid, values=None):
    """Answer every item of the open page (the given values, else the first allowed) and
    submit it."""
    st = stage(hub, pid)
    q, page = st["questionnaire"], st["page"]
    for it in q["pages"][page]["items"]:
        v = (values or {}).get(it["id"])
        if v is None:
            v = {"likert": 4, "single": None, "attention": it.get("expected"),
                 "long_text": "fine", "text": "ok", "number": 30, "slider": 50,
                 "multiple": []}[it["kind"]]  # fmt: skip
            if it["kind"] == "single":
                v = it["options"][0]["id"]
        do(hub, sid, "respond", {"questionnaire": q["id"], "item": it["id"], "value": v})
    do(hub, sid, "submit", {"questionnaire": q["id"], "page": page})


def test_settings_are_checked_with_every_problem_named(world):
    _, hub, _, _ = world
    with pytest.raises(ApiError) as e:
        hub.create_session(
            {"scenario": "test-supply", "pairing": "rounds",
             "study": {"entry_param": "bad name", "wait_limit_s": -1, "colour": 1,
                       "redirect_url": "javascript:alert(1)",
                       "questionnaires": {"after": ["nope"], "later": []}}}
        )  # fmt: skip
    assert set(e.value.errors) >= {
        "study.colour: unknown key",
        "study: needs pairing 'arrival' (one negotiation per participant)",
        "study.entry_param: must be a URL parameter name of letters, digits and _ "
        "(such as PROLIFIC_PID), or null",
        "study.wait_limit_s: must be seconds from 1 to 3600, or null",
        "study.redirect_url: must be an http:// or https:// address, or null",
        "study.questionnaires.after[0]: unknown questionnaire 'nope'",
        "study.questionnaires.later: unknown point (before, after or debrief)",
    }
    assert hub.list_sessions() == []


def test_consent_to_completion_code_with_questionnaires_around_the_negotiation(world):
    store, hub, clock, _ = world
    code = study_session(hub, questionnaires={
        "before": ["before-negotiation"], "after": ["after-negotiation"],
        "debrief": ["after-debrief"]})  # fmt: skip
    a, _ = enter(hub, code, "PANEL-A", "sa")
    assert stage(hub, a) == {"stage": "consent", "consent": STUDY["consent"]}
    assert hub.session(code).waiting == []  # not in the waiting room before consenting
    do(hub, "sa", "consent", {"agree": True})
    assert stage(hub, a)["stage"] == "questionnaire" and stage(hub, a)["point"] == "before"
    # a required item left open: a clear message, nothing changes
    q = stage(hub, a)["questionnaire"]
    refused, _ = hub.study_act("sa", "submit", {"questionnaire": q["id"], "page": 0})
    assert refused["error"]["code"] == "missing_answers"
    assert refused["error"]["message"] == (
        "please answer every required question: How much experience do you have with "
        "negotiating?; How well do you expect to do, from 0 (badly) to 100 (very well)?"
    )
    answer_page(hub, "sa", a)
    assert stage(hub, a) == {"stage": "play"}
    assert hub.session(code).waiting == [a]

    b, _ = enter(hub, code, "PANEL-B", "sb")
    do(hub, "sb", "consent", {"agree": True})
    answer_page(hub, "sb", b)
    n = hub.current(hub.participant(a))
    assert n is not None and set(n.participants) == {a, b}
    clock.now = T0 + 5
    sid_of = {a: "sa", b: "sb"}
    first = sid_of[n.participants[0]]
    hub.act(first, "walk_away", {})
    # right after the end: the after-negotiation questions, with the debrief hidden
    view = hub.view(a)
    assert view["study"]["stage"] == "questionnaire" and view["study"]["point"] == "after"
    assert view["negotiation"]["debrief"] is None
    for _ in FORMS["after-negotiation"]["pages"]:
        answer_page(hub, "sa", a, {"coop_1": 6, "coop_2": 5, "coop_3": 2})
    view = hub.view(a)
    assert view["study"] == {"stage": "debrief"}
    assert view["negotiation"]["debrief"] is not None
    do(hub, "sa", "continue", {})
    answer_page(hub, "sa", a)
    assert stage(hub, a) == {
        "stage": "complete", "released": False, "code": "C0DE42",
        "redirect_url": STUDY["redirect_url"],
    }  # fmt: skip

    parts = {r["participant_id"]: r for r in export.table(store, "participants", code)}
    assert parts[a]["external_id"] == "PANEL-A" and parts[a]["completion"] == "completed"
    assert parts[a]["consented_at"] and parts[a]["completed_at"]
    assert parts[b]["completion"] is None
    responses = [r for r in export.table(store, "responses", code) if r["participant_id"] == a]
    coop = {r["item"]: r for r in responses if r["scale"] == "cooperativeness"}
    assert coop["coop_1"]["value"] == 6 and coop["coop_1"]["point"] == "after"
    wide = {r["participant_id"]: r for r in export.table(store, "participants_wide", code)}
    assert wide[a]["scale_cooperativeness"] == pytest.approx((6 + 5 + (8 - 2)) / 3)
    assert wide[a]["after-negotiation.coop_1"] == 6 and wide[a]["attention_passed"] is True
    assert wide[a]["condition"] == n.state.condition


def test_the_same_external_id_comes_back_to_the_same_seat_and_answers(world):
    store, hub, clock, path = world
    code = study_session(hub, questionnaires={"before": ["before-negotiation"]})
    a, resumed = enter(hub, code, "PANEL-A", "sa")
    assert not resumed
    do(hub, "sa", "consent", {"agree": True})
    do(hub, "sa", "respond", {"questionnaire": "before-negotiation", "item": "age", "value": 41})
    hub.disconnect("sa")
    again, resumed = enter(hub, code, "PANEL-A", "sa2")
    assert (again, resumed) == (a, True)
    assert stage(hub, a)["answers"] == {"age": 41}
    # after a restart too: the answers are events in the log
    store.close()
    store2 = Store(path)
    hub2 = Hub(store2, None, clock=clock)
    token, pid, resumed = hub2.enter(code, {"external_id": "PANEL-A"})
    assert (pid, resumed) == (a, True)
    assert hub2.view(a)["study"]["answers"] == {"age": 41}
    assert len([p for p in hub2.members(code)[0]]) == 1
    store2.close()


def test_a_wrong_answer_is_refused_and_changes_nothing(world):
    store, hub, _, _ = world
    code = study_session(hub, questionnaires={"before": ["before-negotiation"]})
    a, _ = enter(hub, code, "X1", "sa")
    do(hub, "sa", "consent", {"agree": True})
    before = stage(hub, a)
    for payload, code_ in [
        ({"questionnaire": "before-negotiation", "item": "age", "value": "old"}, "bad_request"),
        ({"questionnaire": "before-negotiation", "item": "age", "value": 500}, "bad_request"),
        ({"questionnaire": "before-negotiation", "item": "nope", "value": 1}, "bad_request"),
        ({"questionnaire": "before-negotiation", "item": "nickname", "value": "x" * 41},
         "bad_request"),
        ({"questionnaire": "after-negotiation", "item": "coop_1", "value": 1}, "wrong_stage"),
    ]:  # fmt: skip
        answer, _ = hub.study_act("sa", "respond", payload)
        assert answer["error"]["code"] == code_, (payload, answer)
    answer, _ = hub.study_act("sa", "respond", {"questionnaire": "before-negotiation",
                                               "item": "age", "value": 500})  # fmt: skip
    assert answer["error"]["message"] == "before-negotiation.age: must be from 16 to 110"
    assert stage(hub, a) == before
    assert export.table(store, "responses", code) == []
    refused = [e for e in export.table(store, "events", code) if e["type"] == "refused"]
    assert {e["participant_id"] for e in refused} == {a}


def test_declining_consent_ends_politely_and_records_nothing_more(world):
    store, hub, _, _ = world
    code = study_session(hub)
    a, _ = enter(hub, code, "NO-THANKS", "sa")
    do(hub, "sa", "consent", {"agree": False})
    assert stage(hub, a) == {"stage": "declined"}
    assert hub.session(code).waiting == []
    answer, _ = hub.study_act("sa", "consent", {"agree": True})
    assert answer["error"]["code"] == "wrong_stage"
    answer, _ = hub.act("sa", "chat", {"text": "hello?"})
    assert answer["error"]["code"] == "not_negotiating"
    kinds = [e["type"] for e in export.table(store, "events", code)]
    assert kinds == ["joined", "declined"]  # nothing more is recorded
    parts = export.table(store, "participants", code)
    assert parts[0]["completion"] == "declined" and parts[0]["consented_at"] is None


def test_the_waiting_room_limit_releases_with_a_code(world):
    store, hub, clock, _ = world
    code = study_session(hub, consent=None)
    a, _ = enter(hub, code, "LONELY", "sa")
    assert hub.session(code).waiting == [a]
    clock.now = T0 + 59
    assert hub.release_due() == set()
    clock.now = T0 + 60
    assert hub.release_due() == {a}
    assert hub.session(code).waiting == []
    assert stage(hub, a) == {"stage": "complete", "released": True, "code": "WAITED",
                             "redirect_url": STUDY["redirect_url"]}  # fmt: skip
    # a reload does not put them back in the waiting room
    hub.disconnect("sa")
    enter(hub, code, "LONELY", "sa2")
    assert hub.session(code).waiting == []
    parts = export.table(store, "participants", code)
    assert parts[0]["completion"] == "released"


def test_entry_needs_a_session_with_an_entry_parameter_and_a_valid_id(world):
    _, hub, _, _ = world
    plain = hub.create_session({"scenario": "test-supply"})
    with pytest.raises(ApiError) as e:
        hub.enter(plain, {"external_id": "A"})
    assert e.value.errors == ["code: this session is not entered with a participant id"]
    code = study_session(hub)
    with pytest.raises(ApiError) as e:
        hub.enter(code, {"external_id": "a b"})
    assert e.value.errors == ["external_id: must be 1 to 100 letters, digits or . _ @ : -"]
    assert hub.members(code)[0] == []


def test_the_waiting_limit_counts_across_a_restart(world):
    store, hub, clock, path = world
    code = study_session(hub, consent=None)
    a, _ = enter(hub, code, "PATIENT", "sa")
    assert hub.view(a)["lobby"]["since"] == T0
    clock.now = T0 + 40
    store.close()
    store2 = Store(path)
    hub2 = Hub(store2, None, clock=clock)
    token, pid, _ = hub2.enter(code, {"external_id": "PATIENT"})
    hub2.connect(token, "sa-again")
    assert hub2.session(code).waiting == [a]
    assert hub2.view(a)["lobby"]["since"] == T0  # the clock shown goes on, not from 0
    clock.now = T0 + 59
    assert hub2.release_due() == set()
    clock.now = T0 + 60  # 60 s after the first entry, not after the reconnection
    assert hub2.release_due() == {a}
    assert hub2.view(a)["study"]["released"] is True
    store2.close()


def computer_after_wait(hub):
    """A study session whose participant plays a computer after 30 s alone in the waiting room."""
    return hub.create_session(
        {"scenario": "test-supply", "conditions": ["meso"],
         "agents": {"mode": "fill", "strategy": "boulware", "wait_s": 30},
         "study": STUDY | {"consent": None, "wait_limit_s": None, "computer_counterpart": True}}
    )  # fmt: skip


def test_past_the_waiting_room_a_computer_counterpart_plays_where_the_session_has_one(world):
    store, hub, clock, _ = world
    with pytest.raises(ApiError) as e:
        study_session(hub, consent=None, wait_limit_s=None, computer_counterpart=True)
    assert e.value.errors == [
        "study.computer_counterpart: needs the session's agents with mode fill (whose wait_s is "
        "then the waiting room's limit)"
    ]
    code = computer_after_wait(hub)
    a, _ = enter(hub, code, "ALONE", "sa")
    assert hub.session(code).waiting == [a]
    clock.now = T0 + 3600
    assert hub.release_due() == set()  # not released: the agents' runner seats a counterpart
    touched = hub.pair_with_agent(a)  # what game.server.agents does after wait_s
    assert a in touched
    view = hub.view(a)
    assert view["phase"] == "negotiating" and view["study"] == {"stage": "play"}
    parts = export.table(store, "participants", code)
    assert {p["kind"] for p in parts} == {"human", "agent"}


def test_a_computer_counterparts_wait_counts_from_the_first_entry_across_a_restart(world):
    """With a computer counterpart after the wait, the wait is logged and counts from the
    first entry to the waiting room: after a restart the runner does not start it again."""
    store, hub, clock, path = world
    code = computer_after_wait(hub)
    a, _ = enter(hub, code, "ALONE", "sa")
    clock.now = T0 + 25
    store.close()
    store2 = Store(path)
    hub2 = Hub(store2, None, clock=clock)
    token, _, _ = hub2.enter(code, {"external_id": "ALONE"})
    hub2.connect(token, "sa-again")
    from game.server.agents import Runner

    assert hub2.participant(a).first_waited == T0
    assert hub2.view(a)["lobby"]["since"] == T0
    runner = Runner(hub2, lambda _: None)
    clock.now = T0 + 29
    runner.step()
    assert hub2.view(a)["phase"] != "negotiating"
    clock.now = T0 + 30  # 30 s after the first entry, not after the reconnection (T0 + 55)
    runner.step()
    assert hub2.view(a)["phase"] == "negotiating"
    assert [e["type"] for e in export.table(store2, "events", code)].count("waiting") == 1
    store2.close()
