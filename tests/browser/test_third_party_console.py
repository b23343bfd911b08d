"""The instructor's side of the protocols with a middle seat, in the browser: the new session
form's protocol, middle seat and rotation fields, and the console screen where the instructor
sits in the middle seat of a trio."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_instructor import clients, login, page  # noqa: F401 (fixtures)
from tests.browser.test_student import join
from tests.browser.test_third_party import pick
from tests.support import Player, scenario_dict


@pytest.fixture
def console(browser):
    """A logged-out console page that fails the test on a script error or a failed script,
    style or read; a refused action (400 from ``.../middle/<event>``) is the test's to check."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400
            and r.request.resource_type in ("script", "stylesheet", "fetch", "xhr")
            and not (r.status == 400 and "/middle/" in r.url)
            else None
        ),
    )
    yield pg
    context.close()
    assert not errors, f"errors in the page: {errors}"


def path_on_chart(tab, *, x_role: int) -> list[tuple[float, float]]:
    """The path's points drawn on the end screen's chart, after checking that they are the
    points of the path's table (role 0's and role 1's columns), with role ``x_role`` on x."""
    table = tab.locator("#mid-path tbody tr")
    expect(table.first).to_be_visible()
    rows = [
        tuple(float(c.replace(",", "")) for c in r.locator("td").all_inner_texts()[1:3])
        for r in table.all()
    ]
    tab.wait_for_function(
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('mid-path-chart'));"
        " return c && c.data.datasets.some(d => d._path); }"
    )
    drawn = tab.evaluate(
        "() => Chart.getChart(document.getElementById('mid-path-chart')).data.datasets"
        ".find(d => d._path).data.map(p => [p.x, p.y])"
    )
    on_chart = [tuple(float(v) for v in p) for p in drawn]
    assert on_chart == [(r[x_role], r[1 - x_role]) for r in rows]
    return on_chart


def two_parties(student, server, code: str, middle: str) -> tuple:
    """Ann (laptop) and Bob (phone) join a trio with the instructor as ``middle`` ("the
    mediator", "the facilitator"); their pages as (seller, buyer), by the seat each was given."""
    parties = [
        join(student(), server, code, "Ann"),
        join(student(viewport=PHONE), server, code, "Bob"),
    ]
    roles = {}
    for p in parties:
        expect(p.locator("#mid-sub")).to_contain_text(middle)
        roles["seller" if "Seller" in p.locator("#mid-sub").inner_text() else "buyer"] = p
    return roles["seller"], roles["buyer"]


def test_the_new_session_form_creates_a_mixed_session_with_a_student_in_the_middle(
    server,
    page,  # noqa: F811
    shot,
):
    assert server.upload(scenario_dict()).status_code == 201
    login(page, server)
    page.goto(server.url + "/instructor/sessions/new")
    page.get_by_label("Scenario").select_option("test-supply")
    # direct offers: the offers' conditions, no middle seat
    expect(page.locator("#fld-middle")).to_be_hidden()
    expect(page.locator("#cond_mediated")).to_be_hidden()
    # a mediated session: its one condition, and the middle seat's choices
    page.locator("#protocol_mediated").check()
    expect(page.locator("#fld-middle")).to_be_visible()
    expect(page.locator("#cond_single")).to_be_hidden()
    expect(page.locator("#cond_mediated")).to_be_checked()
    page.locator("#middle_computer").check()
    expect(page.get_by_label("Rotate the middle seat across rounds")).to_be_disabled()
    # mixed: every condition; no condition ticked is refused at the field, nothing made
    page.locator("#protocol_mixed").check()
    expect(page.locator("#protocol_mixed + label")).to_contain_text("in pairs")
    page.get_by_label("Free choice").uncheck()
    page.locator("#cond_mediated").uncheck()
    page.locator("#middle_players").check()
    page.get_by_role("button", name="Create session").click()
    expect(page.locator("#error-summary")).to_contain_text("Conditions:")
    expect(page.locator("#fld-conditions")).to_have_attribute("aria-describedby", "err-conditions")
    expect(page.locator("#protocol_mixed")).to_be_checked()
    expect(page.locator("#middle_players")).to_be_checked()
    page.set_viewport_size(PHONE)
    shot(page, "form-error-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "form-error-1280")
    # a student in the middle of a mixed session: pairs for direct conditions, trios for others
    page.get_by_label("Single offers").check()
    page.locator("#cond_single_text").check()
    shot(page, "form-1280")
    page.get_by_role("button", name="Create session").click()
    expect(page.get_by_role("heading", name="Live:")).to_be_visible()
    code = page.locator("#join-code [aria-hidden]").inner_text().strip()
    s = server.api("GET", f"/api/sessions/{code}").json()
    assert (s["protocol"], s["middle"], s["rotate"]) == ("mixed", "players", False)
    assert sorted(set(s["conditions"])) == ["single", "single_text"]
    expect(page.locator(".join-meta")).to_contain_text("Single text")


def test_the_instructor_mediates_a_trio_of_two_students_to_a_deal(server, console, student, shot):
    page = console  # noqa: F811
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="test-supply", protocol="mediated", conditions=["mediated"], middle="instructor"
    )
    seller, buyer = two_parties(student, server, code, "the mediator")
    parties = [seller, buyer]
    # the console: a screen for the trio, from the live session page; login required
    page.goto(server.url + f"/instructor/sessions/{code}")
    expect(page.get_by_label("Instructor key")).to_be_visible()
    login(page, server)
    page.goto(server.url + f"/instructor/sessions/{code}")
    link = page.get_by_role("link", name="Mediate the negotiation of")
    expect(link).to_have_count(1)
    shot(page, "session-mediate-link-1280")
    page.set_viewport_size(PHONE)
    shot(page, "session-mediate-link-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    link.click()
    expect(page.locator("#mid-sub")).to_contain_text("You are the mediator between")
    expect(page.locator("#live-status")).to_contain_text("Live")
    # what the parties do reaches the instructor's screen without a reload
    seller.get_by_label("Price").check()
    seller.get_by_role("button", name="Confide these issues").click()
    buyer.get_by_role("textbox", name="Message").fill("We need fast delivery")
    buyer.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("[data-confided=seller]")).to_contain_text("Price 2: 600")
    expect(page.get_by_role("region", name="Private chat with Buyer")).to_contain_text(
        "We need fast delivery"
    )
    # the instructor writes in private and proposes; errors are the server's, at the control
    chat = page.get_by_role("region", name="Private chat with Buyer")
    chat.get_by_role("textbox", name="Message").fill("Noted: delivery matters to you")
    chat.get_by_role("button", name="Send", exact=True).click()
    expect(buyer.get_by_role("region", name="Private chat with the mediator")).to_contain_text(
        "Noted: delivery matters"
    )
    page.get_by_role("button", name="Propose to both").click()
    expect(page.locator("#propose-error")).to_contain_text("Incomplete package")
    pick(page, [3, 2, 2, 2])
    page.get_by_role("button", name="Propose to both").click()
    for p in (seller, buyer):
        expect(p.locator("#proposal-title")).to_have_text("The mediator's proposal #1")
    page.set_viewport_size(PHONE)
    shot(page, "instructor-mediator-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "instructor-mediator-1280", docs="instructor-mediator")
    seller.get_by_role("button", name="Accept").click()
    buyer.get_by_role("button", name="Accept").click()
    expect(page.locator("#mid-outcome-title")).to_have_text("Deal reached")
    for p in parties:
        expect(p.locator("#mid-outcome-title")).to_have_text("Deal reached")
    # the path of proposals: on the outcome chart and in the table, for every seat
    assert path_on_chart(page, x_role=0) == [(950.0, 900.0)]
    assert path_on_chart(seller, x_role=0) == [(950.0, 900.0)]
    assert path_on_chart(buyer, x_role=1) == [(900.0, 950.0)]
    shot(page, "instructor-mediator-done-1280")
    for p in parties:  # one desktop, one phone; the roles fall either way
        width = p.viewport_size["width"]
        shot(p, f"party-done-{width}", docs="student-mediated-path" if width > 400 else None)
    # the session page: the trio agreed; its link now only views it
    page.goto(server.url + f"/instructor/sessions/{code}")
    expect(page.locator("#negotiations tbody tr")).to_contain_text("Agreed")
    expect(page.get_by_role("link", name="View the negotiation of")).to_be_visible()
    shot(page, "session-with-middle-1280")


def test_the_middle_seat_screen_needs_the_login_and_the_instructor_in_the_middle(
    server,
    page,  # noqa: F811
    clients,  # noqa: F811
):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="test-supply", protocol="mediated", conditions=["mediated"], middle="computer"
    )
    for name in ("Ann", "Bob"):
        clients.append(Player(server, server.join(code, name)["token"]))
    nid = clients[0].wait_phase("negotiating")["negotiation"]["id"]
    page.goto(server.url + f"/instructor/negotiations/{nid}/middle")
    expect(page.get_by_label("Instructor key")).to_be_visible()
    login(page, server)
    page.goto(server.url + f"/instructor/negotiations/{nid}/middle")
    expect(page.locator(".console-flashes")).to_contain_text("You do not sit in the middle seat")
    expect(page.get_by_role("heading", name="Live:")).to_be_visible()
    # the action without the console's CSRF header is refused and changes nothing
    r = page.request.post(
        server.url + f"/api/negotiations/{nid}/middle/propose", data={"package": {}}
    )
    assert r.status == 403
