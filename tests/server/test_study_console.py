"""The console's study parts against the real server: questionnaires listed and uploaded (a
malformed file shown with its problems at their places, nothing kept), a session created with
its study settings from the form, the participants' stages live, and the HTTP entry."""

from __future__ import annotations

import json
import re

import requests

from tests.server.test_instructor_auth import login
from tests.support import Player

GOOD = {
    "id": "uploaded-form",
    "title": "Uploaded",
    "pages": [{"items": [{"id": "x", "kind": "likert", "text": "Agree?", "points": 5,
                          "anchors": {"1": "No", "5": "Yes"}}]}],
}  # fmt: skip


def test_questionnaires_are_listed_and_a_malformed_upload_shows_its_problems(server):
    web, csrf = login(server)
    page = web.get(server.url + "/instructor/questionnaires", timeout=10)
    assert page.status_code == 200 and "after-negotiation" in page.text
    bad = dict(GOOD, pages=[{"items": [{"id": "x", "kind": "likert", "text": "Agree?",
                                        "points": 50, "anchors": {"1": "No"}}]}])  # fmt: skip
    r = web.post(
        server.url + "/instructor/questionnaires",
        data={"csrf_token": csrf, "text": json.dumps(bad, indent=2)},
        timeout=10,
    )
    assert r.status_code == 400
    assert "pages[0].items[0].points" in r.text and "must be a whole number from 2 to 11" in r.text
    listed = server.api("GET", "/api/questionnaires").json()
    assert "uploaded-form" not in {q["id"] for q in listed}
    # over the API: every problem at its place, 400; then the good one, 201, and 409 again
    r = server.api("POST", "/api/questionnaires", json=bad)
    assert r.status_code == 400
    assert r.json()["errors"] == ["pages[0].items[0].points: must be a whole number from 2 to 11"]
    assert server.api("POST", "/api/questionnaires", json=GOOD).status_code == 201
    assert server.api("POST", "/api/questionnaires", json=GOOD).status_code == 409
    page = web.get(server.url + "/instructor/questionnaires", timeout=10)
    assert "uploaded-form" in page.text


def test_the_console_creates_a_study_session_and_shows_each_participants_stage(server):
    web, csrf = login(server)
    form = {
        "csrf_token": csrf,
        "scenario": "job-offer",
        "cond_any": "1",
        "pairing": "arrival",
        "study_on": "1",
        "study_consent": "You take part in a study.",
        "study_entry_param": "PROLIFIC_PID",
        "study_wait_limit_min": "5",
        "study_completion_code": "DONE99",
        "study_q_after": "after-negotiation",
    }
    r = web.post(server.url + "/instructor/sessions/new", data=form, timeout=10)
    assert r.status_code == 200, r.text[:2000]
    code = re.search(r"Session ([A-Z0-9]{6}) is ready", r.text).group(1)
    info = requests.get(f"{server.url}/api/sessions/{code}/info", timeout=10).json()
    assert info["study"] == {"entry_param": "PROLIFIC_PID"}

    first = requests.post(
        f"{server.url}/api/sessions/{code}/enter", json={"external_id": "abc123"}, timeout=10
    )
    assert first.status_code == 201
    again = requests.post(
        f"{server.url}/api/sessions/{code}/enter", json={"external_id": "abc123"}, timeout=10
    )
    assert again.status_code == 200 and again.json()["resumed"] is True
    assert again.json()["participant_id"] == first.json()["participant_id"]
    bad = requests.post(
        f"{server.url}/api/sessions/{code}/enter", json={"external_id": ""}, timeout=10
    )
    assert bad.status_code == 400 and bad.json()["errors"][0].startswith("external_id:")

    p = Player(server, first.json()["token"])
    try:
        p.wait(lambda s: s.get("study", {}).get("stage") == "consent")
        view = server.api("GET", f"/api/sessions/{code}").json()
        (row,) = view["participants"]
        assert (row["stage"], row["external_id"]) == ("consent", "abc123")
        assert p.call("consent", {"agree": True})["ok"]
        p.wait(lambda s: s.get("study", {}).get("stage") == "play")
        (row,) = server.api("GET", f"/api/sessions/{code}").json()["participants"]
        assert row["stage"] == "play" and row["waiting"] is True
        # the settings as the form gave them
        r = web.get(server.url + f"/instructor/api/sessions/{code}/export.zip", timeout=10)
        assert r.status_code == 200
    finally:
        p.close()


def test_the_form_names_a_study_problem(server):
    web, csrf = login(server)
    r = web.post(
        server.url + "/instructor/sessions/new",
        data={"csrf_token": csrf, "scenario": "job-offer", "cond_any": "1",
              "pairing": "rounds", "study_on": "1"},
        timeout=10,
    )  # fmt: skip
    assert r.status_code == 400
    assert "Online study: needs pairing" in r.text.replace("&#39;", "'")


def test_a_participant_alone_past_the_waiting_limit_is_released_with_a_code(server):
    code = server.create_session(
        scenario="job-offer",
        study={"entry_param": "PID", "wait_limit_s": 1, "completion_code": "DONE",
               "release_code": "ALONE"},
    )  # fmt: skip
    token = requests.post(
        f"{server.url}/api/sessions/{code}/enter", json={"external_id": "solo"}, timeout=10
    ).json()["token"]
    p = Player(server, token)
    try:
        p.wait(lambda s: s.get("study", {}).get("stage") == "play")
        done = p.wait(lambda s: s.get("study", {}).get("stage") == "complete", timeout=10)
        assert done["study"]["code"] == "ALONE" and done["study"]["released"] is True
        assert done["phase"] == "lobby" and done["negotiation"] is None
    finally:
        p.close()
    parts = server.api("GET", f"/api/sessions/{code}/export/participants.csv").text
    assert ",solo,,released," in parts


def test_the_form_gives_a_study_a_computer_counterpart_after_the_wait(server):
    web, csrf = login(server)
    form = {
        "csrf_token": csrf, "scenario": "job-offer", "cond_any": "1", "pairing": "arrival",
        "agents_mode": "fill", "agents_strategy": "boulware", "agents_wait_s": "1",
        "agents_think_lo": "0", "agents_think_hi": "0",
        "study_on": "1", "study_entry_param": "PID", "study_completion_code": "DONE",
        "study_computer_counterpart": "1",
    }  # fmt: skip
    r = web.post(server.url + "/instructor/sessions/new", data=form, timeout=10)
    assert r.status_code == 200, r.text[:2000]
    code = re.search(r"Session ([A-Z0-9]{6}) is ready", r.text).group(1)
    token = requests.post(
        f"{server.url}/api/sessions/{code}/enter", json={"external_id": "alone"}, timeout=10
    ).json()["token"]
    p = Player(server, token)
    try:
        # past the agents' wait, a computer plays the participant instead of a release
        state = p.wait(lambda s: s.get("phase") == "negotiating", timeout=15)
        assert state["study"] == {"stage": "play"}
    finally:
        p.close()


def test_uploading_nothing_asks_for_a_file_on_both_library_pages(server):
    """No file and no text: the problem is named, and the hint asks for a file of the page's
    kind instead of pointing at a file below that does not exist; nothing is added."""
    web, csrf = login(server)
    for path, what in (("questionnaires", "questionnaire"), ("scenarios", "scenario")):
        before = server.api("GET", f"/api/{path}").json()
        r = web.post(f"{server.url}/instructor/{path}", data={"csrf_token": csrf}, timeout=10)
        assert r.status_code == 400, path
        assert f"Choose a {what} file (or paste its JSON) and try again." in r.text
        assert "marked at its place in the file below" not in r.text
        assert 'class="json-lines"' not in r.text
        assert server.api("GET", f"/api/{path}").json() == before
