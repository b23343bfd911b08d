"""The instructor's course controls in a real browser: a named session asking for student ids,
students joining with them in the browser, end round (one confirmation), the grades page and
its CSV downloaded and read, the standings' switch, the projector's standings, close (the
student's "class is over" screen with results) and reopen, archive, delete with a confirmation
that names the session, and an uploaded scenario replaced by a new version."""

from __future__ import annotations

import csv
import json
import re

import pytest

from tests.browser.test_instructor import clients, login, page  # noqa: F401 - fixtures
from tests.server.helpers import MESO
from tests.support import Player, scenario_dict

MESO_ONE = MESO[0]

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser


def test_a_course_end_round_grades_close_archive_delete(server, page, student, shot, tmp_path):  # noqa: F811
    assert server.upload(scenario_dict()).status_code == 201
    login(page, server)
    page.get_by_role("link", name="New session").first.click()
    page.get_by_label("Scenario").select_option("test-supply")
    page.get_by_label("Rounds (class tournament)").check()
    page.get_by_label("Session name (optional)").fill("Monday 9am")
    page.get_by_label("Ask each student for an id at join").check()
    page.get_by_label("Label of the field").fill("Student number")
    page.get_by_role("button", name="Create session").click()
    code = page.locator("#join-code [aria-hidden=true]").inner_text().strip()

    # four students join in their browsers, with their student numbers
    kids = []
    for n, name in enumerate(("Ada", "Ben", "Cy", "Di")):
        s = student()
        s.goto(f"{server.url}/join/{code}")
        expect(s.get_by_label("Student number (optional)")).to_be_visible()
        s.get_by_label("Your name").fill(name)
        s.get_by_label("Student number (optional)").fill(f"S{n}")
        s.get_by_role("button", name="Join").click()
        expect(s.locator("#lobby-title")).to_have_text("Waiting for the next round")
        kids.append(s)
    expect(page.locator("#participants tbody tr")).to_have_count(4)
    page.get_by_role("button", name="Start round 1").click()
    expect(page.locator("#negotiations tbody tr")).to_have_count(2)

    # end the round: one confirmation for both pairs
    dialogs = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    page.get_by_role("button", name="End round: 2 open").click()
    expect(page.locator("#action-status")).to_have_text(
        "Ended 2 negotiations: impasses, ended by you."
    )
    assert dialogs and "End all 2 open negotiations" in dialogs[0]
    expect(page.locator("#negotiations tbody")).to_contain_text("ended by you")
    for s in kids:
        expect(s.locator("#outcome")).to_contain_text("The instructor ended the negotiation")

    # grades: left out by default, then counted with the switch; the CSV downloaded and read
    page.get_by_role("link", name="Grades").first.click()
    expect(page.locator("#grades thead")).to_contain_text("Student number")
    expect(page.locator("#grades tbody tr")).to_have_count(4)
    expect(page.locator("#grades tbody")).to_contain_text("not counted")
    page.get_by_role("button", name="Count them").click()
    expect(page.locator("#switch-state")).to_contain_text("count (at the BATNAs)")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download grades (CSV)").click()
    path = tmp_path / "grades.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert sorted(r["student_id"] for r in rows) == ["S0", "S1", "S2", "S3"]
    assert {r["round_1_outcome"] for r in rows} == {"ended by instructor"}
    assert all(r["round_1_points"] in ("300", "250") for r in rows)  # the BATNAs
    shot(page, "grades", docs="instructor-grades")

    # the projector's standings: every name, large
    page.get_by_role("link", name="Projector view").click()
    expect(page.locator("#projector-standings li")).to_have_count(4)
    font = page.locator("#projector-standings .ps-name").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert font >= 28

    # close: the students see the class is over with their results; joining is refused
    page.goto(f"{server.url}/instructor/sessions/{code}")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Close session").click()
    expect(page.locator("#closed-note")).to_be_visible()
    expect(page.get_by_role("button", name="Start round 2")).to_be_disabled()
    for s in kids:
        expect(s.locator("#lobby-title")).to_have_text("The class is over")
        expect(s.locator("#results tbody tr")).to_have_count(1)
        expect(s.locator("#results")).to_contain_text("ended by the instructor")
    shot(kids[0], "class-over", docs="student-class-over")
    late = student()
    late.goto(f"{server.url}/join/{code}")
    expect(late.locator("#code-found")).to_contain_text("It is closed")
    late.get_by_label("Your name").fill("Late")
    late.get_by_role("button", name="Join").click()
    expect(late.locator("#code-error")).to_contain_text("is closed: the class is over")
    page.get_by_role("button", name="Reopen session").click()
    expect(page.get_by_role("button", name="Close session")).to_be_visible()
    # back to their last outcome, waiting for the next round
    expect(kids[0].locator("#view-lobby")).to_be_hidden()
    expect(kids[0].locator("#outcome")).to_contain_text("start the next round")

    # archive: hidden from the list, shown on demand, still exportable
    page.get_by_role("link", name="Sessions", exact=True).first.click()
    expect(page.locator("#sessions")).to_contain_text("Monday 9am")
    page.get_by_role("button", name=f"Archive {code}").click()
    expect(page.get_by_role("link", name="Show archived")).to_be_visible()
    assert (
        page.locator("#sessions").count() == 0 or code not in page.locator("#sessions").inner_text()
    )
    r = server.api("GET", f"/api/sessions/{code}/export/participants.csv")
    assert r.status_code == 200 and "S3" in r.text
    page.get_by_role("link", name="Show archived").click()
    expect(page.locator("#sessions")).to_contain_text("archived")

    # delete: a confirmation that names the session; a wrong code changes nothing
    page.get_by_role("link", name=f"Delete {code}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Delete session {code}")
    expect(page.locator("main")).to_contain_text("Monday 9am")
    page.get_by_label("Type the session's code").fill("WRONG1")
    page.get_by_role("button", name=f"Delete session {code} and all its data").click()
    expect(page.locator("#delete-error")).to_contain_text(f"type the session's code {code}")
    page.get_by_label("Type the session's code").fill(code)
    page.get_by_role("button", name=f"Delete session {code} and all its data").click()
    expect(page.locator(".console-flashes")).to_contain_text(f"Session {code} and all its data")
    assert server.api("GET", f"/api/sessions/{code}").status_code == 404


def test_an_uploaded_scenario_is_replaced_then_deleted(server, page, tmp_path):  # noqa: F811
    data = scenario_dict(id="course-case", title="Course case v1")
    assert server.upload(data).status_code == 201
    login(page, server)
    page.goto(f"{server.url}/instructor/scenarios/course-case")
    new = tmp_path / "v2.json"
    new.write_text(json.dumps({**data, "title": "Course case v2"}), encoding="utf-8")
    page.get_by_label("New version of course-case").set_input_files(str(new))
    page.get_by_role("button", name="Replace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Course case v2")
    expect(page.locator(".console-flashes")).to_contain_text("replaced by its new version")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Delete course-case").click()
    expect(page.locator(".console-flashes")).to_contain_text("deleted from the library")
    assert server.api("GET", "/api/scenarios/course-case").status_code == 404


def test_players_of_a_closed_session_are_not_paired(server, clients):  # noqa: F811
    """(Server side of close.) Arrival pairing stops while the session is closed."""
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply")
    server.api("POST", f"/api/sessions/{code}/close")
    r = server.api("POST", f"/api/sessions/{code}/pair")
    assert r.status_code == 409
    server.api("POST", f"/api/sessions/{code}/reopen")
    for name in ("Ann", "Bob"):
        clients.append(Player(server, server.join(code, name)["token"]))
    for p in clients:
        p.wait_phase("negotiating")


def test_the_monitor_folds_the_join_panel_shows_sit_outs_and_a_pairs_offers_live(
    server,
    page,  # noqa: F811
    clients,  # noqa: F811
    shot,
):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply", pairing="rounds")
    login(page, server)
    page.goto(f"{server.url}/instructor/sessions/{code}")
    expect(page.locator("#join-hero")).to_be_visible()
    for name in ("Ann", "Bob", "Cy"):
        clients.append(Player(server, server.join(code, name)["token"]))
    for p in clients:
        p.wait_phase("lobby")
    expect(page.locator("#participants tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Start round 1").click()
    # play has started: the join panel folds to one line, and unfolds on demand
    expect(page.locator("#join-hero")).to_be_hidden()
    expect(page.locator("#join-compact")).to_contain_text(code)
    toggle = page.get_by_role("button", name="Show the join panel")
    toggle.click()
    expect(page.locator("#join-hero")).to_be_visible()
    page.get_by_role("button", name="Hide the join panel").click()
    # who sat out is said in the participants table
    expect(page.locator("#participants tbody")).to_contain_text("Sat out round 1")

    playing = [
        p for p in clients if p.wait(lambda s: s["session"]["round"] == 1)["phase"] == "negotiating"
    ]
    assert len(playing) == 2
    a, b = playing
    first = a if a.neg["turn"] == a.neg["role"] else b
    second = b if first is a else a
    names = sorted(p.state["participant"]["name"] for p in (a, b))
    page.get_by_role(
        "button",
        name=re.compile(rf"^Offers of ({names[0]} and {names[1]}|{names[1]} and {names[0]})$"),
    ).click()
    dialog = page.locator("#watch")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("No offer yet.")
    # an offer made while the window is open shows up in it
    ack = first.call("propose", {"packages": [MESO_ONE]})
    assert ack["ok"], ack
    expect(dialog.locator("#watch-table tbody tr")).to_have_count(1)
    expect(page.locator("#watch-sub")).to_contain_text("1 offer")
    ack = second.call("walk_away", {})
    assert ack["ok"], ack
    expect(page.locator("#watch-sub")).to_contain_text("impasse: walked away")
    shot(page, "watch", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#participants tbody")).to_contain_text("(walked away)")


def test_the_debrief_charts_follow_their_rules(server, page, clients):  # noqa: F811
    """Fit lines only over their condition's first offers; identical agreements stacked with
    their count; the student's and the instructor's charts share their symbols."""
    from tests.browser.test_instructor import opening

    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply", conditions=["single", "meso"])
    pairs = []
    for n in range(4):
        a = Player(server, server.join(code, f"A{n}")["token"])
        b = Player(server, server.join(code, f"B{n}")["token"])
        clients.extend([a, b])
        for p in (a, b):
            p.wait_phase("negotiating")
        first = a if a.neg["turn"] == a.neg["role"] else b
        pairs.append((first, b if first is a else a, n))
    for first, second, n in pairs:  # openings differ; every pair agrees on the same package
        ack = first.call("propose", {"packages": opening(first.neg, ask=1 + 2 * (n // 2))})
        assert ack["ok"], ack
        second.wait(lambda s: len(s["negotiation"]["offers"]) == 1)
        ack = second.call("propose", {"packages": [MESO_ONE]})
        assert ack["ok"], ack
        first.wait(lambda s: len(s["negotiation"]["offers"]) == 2)
        assert first.call("accept", {"offer_id": ack["offer_id"], "package": 0})["ok"]
    login(page, server)
    page.goto(f"{server.url}/instructor/sessions/{code}/debrief")
    expect(page.locator("#live-status")).to_contain_text("Live")
    page.wait_for_function(
        "() => Chart.getChart(document.getElementById('chart-anchor'))"
        " && Chart.getChart(document.getElementById('chart-outcomes'))"
    )
    anchor = page.evaluate(
        """() => Chart.getChart(document.getElementById('chart-anchor')).data.datasets
            .map(d => ({label: d.label, fit: d._fit || null,
                        xs: d.data.flatMap(p => p.items ? p.items.map(i => i.x) : [p.x])}))"""
    )
    fits = [d for d in anchor if d["fit"]]
    assert fits, anchor
    for f in fits:
        own = next(d for d in anchor if not d["fit"] and d["label"] == f["label"][: -len(" fit")])
        assert [min(f["xs"]), max(f["xs"])] == [min(own["xs"]), max(own["xs"])], (f, own)
    counts = page.evaluate(
        """() => Chart.getChart(document.getElementById('chart-outcomes')).data.datasets
            .filter(d => d._kind === 'agreement').map(d => d.data.map(p => p.count))"""
    )
    assert sorted(c for cs in counts for c in cs) == [2, 2], counts  # 2 identical per condition
    legend = page.evaluate(
        """() => Chart.getChart(document.getElementById('chart-outcomes')).data.datasets
            .filter(d => d._kind === 'nash').map(d => d.pointStyle)"""
    )
    assert legend == ["crossRot"]  # SYMBOLS.nash, as on the student's chart (test_hiring_case)


def test_six_rounds_of_standings_fit_at_1280_and_the_console_works_at_375(
    server,
    page,  # noqa: F811
    clients,  # noqa: F811
    shot,
):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply", pairing="rounds")
    for name in ("Ada", "Ben", "Chloé", "Dev"):
        clients.append(Player(server, server.join(code, name)["token"]))
    for p in clients:
        p.wait_phase("lobby")
    for round_no in range(1, 7):
        assert server.api("POST", f"/api/sessions/{code}/rounds").status_code == 201
        seen = set()
        for p in clients:
            st = p.wait(lambda s, r=round_no: neg_round(s) == r)
            nid = st["negotiation"]["id"]
            if nid not in seen and st["negotiation"]["turn"] == st["negotiation"]["role"]:
                seen.add(nid)
                assert p.call("walk_away", {})["ok"]
        for p in clients:
            p.wait(lambda s, r=round_no: neg_round(s) == r and s["phase"] == "done")
    login(page, server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server.url}/instructor/sessions/{code}")
    expect(page.locator("#standings thead")).to_contain_text("Round 6")
    wrap = page.locator("#standings").evaluate(
        "t => [t.scrollWidth, t.closest('.table-wrap').clientWidth]"
    )
    page.locator("#standings-panel").scroll_into_view_if_needed()
    shot(page, "standings-6-rounds", full_page=False)
    assert wrap[0] <= wrap[1], f"standings {wrap[0]}px wide in a {wrap[1]}px box"

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    expect(page.locator("#negotiations tbody tr")).to_have_count(12)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the console is {width}px wide at 375px"
    logout = page.get_by_role("button", name="Log out")
    h = logout.evaluate(
        "e => [e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)]"
    )
    assert h[0] < 2 * h[1] + 16, f"Log out wraps: {h}"
    shot(page, "console-375")


def neg_round(state: dict) -> int | None:
    n = state.get("negotiation")
    return n.get("round") if n else None
