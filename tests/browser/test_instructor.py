"""The instructor's console in a real browser (Debian's Chromium through Playwright).

One class, as the issue tells it: the instructor logs in, uploads a scenario (and sees a broken
one refused with its problems at their places), creates a ``rounds`` session comparing
``single`` and ``meso``, watches six scripted students (real Socket.IO clients) arrive live,
starts round 1, watches the outcomes arrive, starts round 2 (new partners, roles swapped),
reads the standings, opens the debrief with its charts drawn, drills into one negotiation and
downloads the zip. Synchronisation is by Playwright's auto-waiting ``expect`` and the players'
own state waits; there are no sleeps.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from pathlib import Path

import pytest
import requests

from tests.support import ROOT, Player, scenario_dict

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser

NAMES = ["Ada", "Ben", "Chloé", "Dev", "Emeka", "Farah"]


@pytest.fixture
def page(browser):
    """A logged-out console page (Chromium from tests/browser/conftest.py); fails the test on
    any script error, CSP violation or failed script, style or API request."""
    context = browser.new_context(
        viewport={"width": 1600, "height": 1000}, accept_downloads=True, device_scale_factor=1
    )
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # a refused form answers 400/401 on purpose; a missing script, style or API call is a bug
    pg.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400
            and r.request.resource_type in ("script", "stylesheet", "fetch", "xhr", "image")
            else None
        ),
    )
    pg.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    yield pg
    context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture
def clients():
    made: list[Player] = []
    yield made
    for p in made:
        p.close()


# ---------------------------------------------------------------- scripted students


def packages_of(view: dict) -> list[tuple[dict, float]]:
    """Every package of a participant's own scenario view, with its value to them."""
    issues = view["scenario"]["issues"]
    out = []
    for combo in itertools.product(*(i["options"] for i in issues)):
        pkg = {i["id"]: o["id"] for i, o in zip(issues, combo, strict=True)}
        out.append((pkg, sum(o["points"] for o in combo)))
    out.sort(key=lambda x: -x[1])
    return out


def opening(view: dict, ask: int) -> list[dict]:
    """The first offer, about the ``ask``-th best package for the proposer: in a MESO
    negotiation with a second package of (nearly) equal value to the proposer."""
    pk = packages_of(view)
    if view["condition"] == "meso":
        tol = view["scenario"]["meso_tolerance"]
        for (a, va), (b, vb) in itertools.pairwise(pk[ask:]):
            if abs(va - vb) <= tol:
                return [a, b]
        raise AssertionError("no two equivalent packages")
    return [pk[ask][0]]


def play(first: Player, second: Player, *, agree: bool = True, ask: int = 1, give: int = 3) -> None:
    """The first mover opens (see :func:`opening`), the other counters with one package (its
    ``give``-th best, based on the first package), and the first mover accepts; or the other
    walks away."""
    packages = opening(first.neg, ask)
    ack = first.call("propose", {"packages": packages})
    assert ack["ok"], ack
    if not agree:
        ack = second.call("walk_away", {})
        assert ack["ok"], ack
        return
    best = packages_of(second.wait(lambda s: len(s["negotiation"]["offers"]) == 1)["negotiation"])
    counter = best[give][0]
    ack = second.call(
        "propose", {"packages": [counter], "based_on": {"offer_id": ack["offer_id"], "package": 0}}
    )
    assert ack["ok"], ack
    ack = first.call("accept", {"offer_id": ack["offer_id"], "package": 0})
    assert ack["ok"], ack


def pairs_of_round(players: list[Player], round_no: int) -> list[tuple[Player, Player]]:
    """Wait until everyone is negotiating in ``round_no``; the pairs as (first mover, other)."""
    by_neg: dict[str, list[Player]] = {}
    for p in players:
        st = p.wait(
            lambda s: s.get("phase") == "negotiating" and s["negotiation"].get("round") == round_no
        )
        by_neg.setdefault(st["negotiation"]["id"], []).append(p)
    out = []
    for group in by_neg.values():
        assert len(group) == 2
        a, b = group
        first = a if a.neg["turn"] == a.neg["role"] else b
        out.append((first, b if first is a else a))
    return out


# ---------------------------------------------------------------- the class


def test_instructor_runs_a_two_round_class_tournament_and_debriefs_it(
    server, page, clients, shot, tmp_path
):
    url = server.url

    # --- log in: a page redirects to the login form; a wrong key is refused
    page.goto(url + "/instructor/sessions")
    expect(page.get_by_role("heading", name="Instructor console")).to_be_visible()
    page.get_by_label("Instructor key").fill("not-the-key")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("not the instructor key")
    page.get_by_label("Instructor key").fill(server.key)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Sessions", exact=True)).to_be_visible()

    # --- a broken scenario is refused with every problem at its place
    broken = scenario_dict(id="class-broken", max_packages=5)
    del broken["issues"][0]["options"][1]["points"]["buyer"]
    broken["issues"][2]["colour"] = "red"
    broken_file = tmp_path / "broken.json"
    broken_file.write_text(json.dumps(broken, indent=2))
    page.get_by_role("link", name="Scenarios").click()
    page.get_by_label("Scenario file (.json)").set_input_files(str(broken_file))
    page.get_by_role("button", name="Check and add").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("broken.json was refused: 3 problems")
    expect(summary).to_contain_text("issues[0].options[1].points.buyer")
    expect(summary).to_contain_text("issues[2].colour")
    expect(summary).to_contain_text("max_packages")
    # each problem sits on the line of its place in the file
    marked = page.locator(".json-lines li.has-problem")
    expect(marked).to_have_count(3)
    expect(marked.filter(has_text='"points": {')).to_contain_text(
        "issues[0].options[1].points.buyer: missing"
    )
    expect(marked.filter(has_text='"colour": "red"')).to_contain_text("unknown key")
    expect(marked.filter(has_text='"max_packages": 5')).to_contain_text("max_packages")
    expect(page.locator("#error-summary")).to_be_focused()

    # --- a good one is added to the library, with its analysis and frontier chart
    good_file = tmp_path / "class-deal.json"
    good_file.write_text(json.dumps(scenario_dict(id="class-deal", title="Class deal")))
    page.get_by_label("Scenario file (.json)").set_input_files(str(good_file))
    page.get_by_role("button", name="Check and add").click()
    expect(page.get_by_role("heading", name="Class deal", level=1)).to_be_visible()
    expect(page.locator(".console-flashes")).to_contain_text("'class-deal' was added")
    expect(page.locator(".points-table")).to_have_count(4)
    page.wait_for_function(
        "() => { const c = Chart.getChart(document.getElementById('chart-space'));"
        " return c && c.data.datasets.some(d => d.label === 'Pareto frontier' && d.data.length > 0); }"
    )

    # --- a rounds session comparing single and meso
    page.get_by_role("link", name="New session with it").click()
    expect(page.get_by_label("Scenario")).to_have_value("class-deal")
    page.get_by_label("Single offers").check()
    page.get_by_label("MESO first offers").check()
    page.get_by_label("Free choice").uncheck()
    page.get_by_label("Rounds (class tournament)").check()
    page.get_by_role("button", name="Create session").click()
    expect(page.get_by_role("heading", name="Live:")).to_be_visible()
    code = page.locator("#join-code [aria-hidden]").inner_text().strip()
    assert len(code) >= 4
    expect(page.locator("#qr svg")).to_be_visible()
    expect(page.locator("#live-status")).to_contain_text("Live")
    # the projector view: the code and the QR code, full screen; Escape closes it
    page.get_by_role("button", name="Show full-screen join code").click()
    projector = page.get_by_role("dialog", name="Join the negotiation")
    expect(projector).to_be_visible()
    expect(projector.locator(".projector-code")).to_have_text(code)
    expect(projector.locator("#qr-big svg")).to_be_visible()
    page.keyboard.press("Escape")
    expect(projector).to_be_hidden()
    info = server.api("GET", f"/api/sessions/{code}").json()
    assert info["pairing"] == "rounds" and sorted(info["conditions"]) == ["meso", "single"]

    # --- six students arrive, live
    for name in NAMES:
        token = server.join(code, name)["token"]
        clients.append(Player(server, token))
    rows = page.locator("#participants tbody tr")
    expect(rows).to_have_count(6)
    expect(page.locator("#participants tbody .presence.on")).to_have_count(6)
    expect(page.locator('[data-stat="participants"]').first).to_have_text("6")
    for name in NAMES:
        expect(page.locator("#participants tbody")).to_contain_text(name)

    # --- round 1
    page.get_by_role("button", name="Start round 1").click()
    expect(page.locator("#action-status")).to_contain_text("Round 1 started: 3 negotiations")
    expect(page.locator("#negotiations tbody tr.neg-open")).to_have_count(3)
    for n, (first, second) in enumerate(pairs_of_round(clients, 1)):
        play(first, second, ask=(0, 3, 8)[n], give=(4, 15, 30)[n])
    expect(page.locator("#negotiations tbody tr.neg-agreed")).to_have_count(3)
    expect(page.locator('[data-stat="agreed"]').first).to_have_text("3")
    expect(page.locator("#standings tbody tr")).to_have_count(6)

    # --- round 2: new partners, roles swapped
    page.get_by_role("button", name="Start round 2").click()
    expect(page.locator("#action-status")).to_contain_text("Round 2 started: 3 negotiations")
    view = server.api("GET", f"/api/sessions/{code}").json()
    by_round: dict[int, dict[str, tuple[str, int]]] = {1: {}, 2: {}}
    for n in view["negotiations"]:
        for k, pid in enumerate(n["participants"]):
            by_round[n["round"]][pid] = (n["participants"][1 - k], k)
    assert len(by_round[2]) == 6
    for pid, (partner, role) in by_round[2].items():
        assert partner != by_round[1][pid][0], "a new partner in round 2"
        assert role != by_round[1][pid][1], "the other role in round 2"
    pairs = pairs_of_round(clients, 2)
    for n, (first, second) in enumerate(pairs):
        # one pair walks away: an impasse
        play(first, second, agree=n != 0, ask=(1, 5, 12)[n], give=(0, 9, 22)[n])
    expect(page.locator("#negotiations tbody tr.neg-agreed")).to_have_count(5)
    expect(page.locator("#negotiations tbody tr.neg-impasse")).to_have_count(1)
    expect(page.locator("#negotiations tbody tr.neg-impasse")).to_contain_text("walked away")

    # --- standings per round
    standings = page.locator("#standings")
    expect(standings.locator("thead")).to_contain_text("Round 2")
    expect(standings.locator("tbody tr")).to_have_count(6)
    expect(standings.locator("tbody tr").first.locator("td.round-cell")).to_have_count(2)
    api_standings = server.api("GET", f"/api/sessions/{code}/standings").json()
    top = api_standings[0]
    expect(standings.locator("tbody tr").first.locator("th")).to_have_text(top["name"])
    page.locator("#main").evaluate("el => el.scrollIntoView()")
    shot(page, "session", docs="instructor-session")

    # --- the debrief: every chart drawn, the comparison table, a drill-down
    page.get_by_role("link", name="Debrief").click()
    expect(page.get_by_role("heading", name="Agreements in the outcome space")).to_be_visible()
    page.wait_for_function(
        """() => ['chart-outcomes', 'chart-joint', 'chart-anchor'].every(id => {
             const c = Chart.getChart(document.getElementById(id));
             return c && c.data.datasets.some(d => d.data.length > 0) && c.chartArea.width > 100;
           })"""
    )
    agreements = page.evaluate(
        """() => Chart.getChart(document.getElementById('chart-outcomes')).data.datasets
                 .filter(d => d._kind === 'agreement').reduce((s, d) => s + d.data.length, 0)"""
    )
    assert agreements == 5
    compare = page.locator("#compare")
    expect(compare.locator("thead")).to_contain_text("Single offers")
    expect(compare.locator("thead")).to_contain_text("MESO first offers")
    expect(compare.locator("tbody")).to_contain_text(
        "First counteroffer's value to the first offerer"
    )
    expect(compare.locator("tbody")).to_contain_text("Impasse rate")
    expect(page.locator("#impasses")).to_contain_text("1 of")
    expect(page.locator("#options .option-table")).to_have_count(4)
    debrief = server.api("GET", f"/instructor/api/sessions/{code}/debrief").json()
    all_row = debrief["summary"]["comparison"][-1]
    assert all_row["condition"] == "all" and all_row["finished"] == 6 and all_row["agreed"] == 5

    drill = page.get_by_label("Drill down into one negotiation")
    target = next(n for n in debrief["negotiations"] if n["status"] == "agreed")
    drill.select_option(target["negotiation_id"])
    expect(page.locator("#path-table tbody tr.is-accepted")).to_have_count(1)
    page.wait_for_function(
        """() => Chart.getChart(document.getElementById('chart-outcomes')).data.datasets
                 .some(d => d._kind === 'path' && d.data.length >= 2)"""
    )
    shot(page, "debrief", docs="instructor-debrief")

    # --- export: the zip holds every table, the scenario and the settings
    page.get_by_role("link", name="Export").click()
    with page.expect_download() as dl:
        page.get_by_role("link", name="Download all as .zip").click()
    data = Path(dl.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = {n.split("/", 1)[1] for n in z.namelist()}
        expected = {
            "negotiations.csv",
            "offers.csv",
            "events.csv",
            "participants.csv",
            "steps.csv",
            "scenario.json",
            "session.json",
        }
        if (ROOT / "docs" / "data-dictionary.md").exists():
            expected.add("data-dictionary.md")
        assert names == expected
        folder = z.namelist()[0].split("/", 1)[0]
        negotiations = z.read(f"{folder}/negotiations.csv").decode().splitlines()
        assert len(negotiations) == 1 + 6
        assert json.loads(z.read(f"{folder}/scenario.json"))["id"] == "class-deal"
    r = requests.get(url + f"/instructor/api/sessions/{code}/export.zip", timeout=10)
    assert r.status_code == 401


def login(page, server) -> None:
    page.goto(server.url + "/instructor")
    page.get_by_label("Instructor key").fill(server.key)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Sessions", exact=True)).to_be_visible()


def test_arrival_session_end_a_negotiation_and_a_debrief_that_updates_live(server, page, clients):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply", conditions=["any"])
    login(page, server)
    page.goto(server.url + f"/instructor/sessions/{code}")
    expect(page.get_by_role("button", name="Pair the waiting ones")).to_be_visible()

    for name in ("Ann", "Bob"):
        clients.append(Player(server, server.join(code, name)["token"]))
    for p in clients:
        p.wait_phase("negotiating")
    row = page.locator("#negotiations tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Open")

    # keyboard: filter the participants by name
    page.get_by_label("Filter participants by name").fill("ann")
    expect(page.locator("#participants tbody tr")).to_have_count(1)
    page.get_by_label("Filter participants by name").fill("")
    expect(page.locator("#participants tbody tr")).to_have_count(2)

    # end the negotiation (after confirming): an impasse, pushed to both students
    page.once("dialog", lambda d: d.accept())
    # roles are drawn at random on arrival: "of Ann and Bob" or "of Bob and Ann"
    page.get_by_role(
        "button", name=re.compile(r"^End the negotiation of (Ann and Bob|Bob and Ann)$")
    ).click()
    expect(row).to_contain_text("ended by you")
    expect(page.locator("#action-status")).to_contain_text("Ended the negotiation of")
    for p in clients:
        st = p.wait_phase("done")
        assert st["negotiation"]["status"] == "impasse"

    # the debrief, live: a new pair agrees while it is open
    page.get_by_role("link", name="Debrief").click()
    expect(page.locator("#live-status")).to_contain_text("Live")
    expect(page.locator("#impasses")).to_contain_text("1 of 1 finished")
    first_signature = page.locator("body").get_attribute("data-signature")
    more = [Player(server, server.join(code, name)["token"]) for name in ("Cy", "Di")]
    clients.extend(more)
    for p in more:
        p.wait_phase("negotiating")
    a, b = more
    first, second = (a, b) if a.neg["turn"] == a.neg["role"] else (b, a)
    play(first, second, ask=2, give=5)
    page.wait_for_function(
        """() => Chart.getChart(document.getElementById('chart-outcomes')).data.datasets
                 .filter(d => d._kind === 'agreement').reduce((s, d) => s + d.data.length, 0) === 1"""
    )
    expect(page.locator("#impasses")).to_contain_text("1 of 2 finished")
    assert page.locator("body").get_attribute("data-signature") != first_signature
    # the comparison table counts both
    expect(page.locator("#compare thead")).to_contain_text("2 finished")
