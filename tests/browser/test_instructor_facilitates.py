"""The instructor in the middle seat of a single negotiating text, in the browser: the instructor
posts a draft from the console, two students (one on a phone) mark and endorse it, a revised
draft is endorsed by both, and the deal and the path of drafts on the outcome chart show on
every screen: the students' end screens, the instructor's middle-seat screen and the debrief's
drill-down, one point per draft, in order, at each draft's points."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_instructor import login
from tests.browser.test_student import join
from tests.browser.test_third_party import pick
from tests.browser.test_third_party_console import (  # noqa: F401 (fixture)
    console,
    path_on_chart,
    two_parties,
)
from tests.support import scenario_dict

# the drafts by option index in each select (index 0 is "choose"), and their points
FIRST = [2, 2, 2, 1]  # price1, delivery1, warranty1, training0: seller 550, buyer 1100
REVISED = [4, 2, 2, 1]  # price3 instead: seller 1150, buyer 500
PATH = [(550.0, 1100.0), (1150.0, 500.0)]  # (seller, buyer) of each draft, in order


def test_the_instructor_facilitates_a_single_text_to_a_deal(server, console, student, shot):  # noqa: F811
    page = console
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="test-supply", protocol="single_text", conditions=["single_text"],
        middle="instructor",
    )  # fmt: skip
    seller, buyer = two_parties(student, server, code, "the facilitator")
    parties = [seller, buyer]
    for p in parties:
        expect(p.locator("#draft")).to_contain_text("The facilitator's first draft appears here")
    # the console: the trio's Facilitate link on the live session page
    login(page, server)
    page.goto(server.url + f"/instructor/sessions/{code}")
    link = page.get_by_role("link", name="Facilitate the negotiation of")
    expect(link).to_have_count(1)
    link.click()
    expect(page.locator("#mid-sub")).to_contain_text("You are the facilitator between")
    expect(page.locator("#live-status")).to_contain_text("Live")
    # an incomplete draft is refused with the server's words, beside the button
    page.get_by_role("button", name="Post the draft").click()
    expect(page.locator("#draft-error")).to_contain_text("Incomplete package")
    pick(page, FIRST)
    page.get_by_label("A note to both (optional)").fill("A first text to react to")
    page.get_by_role("button", name="Post the draft").click()
    for p in parties:
        expect(p.locator("#draft")).to_contain_text("Draft #1")
        expect(p.locator("#draft")).to_contain_text("A first text to react to")
    expect(seller.locator("#draft")).to_contain_text("worth 550 points to you")
    expect(buyer.locator("#draft")).to_contain_text("worth 1,100 points to you")
    # the seller asks for another price, with a comment; the buyer endorses the first draft
    seller.get_by_label("Price: keep or change").select_option("price3")
    seller.get_by_label("Price: comment").fill("the price must move")
    seller.get_by_role("button", name="Send my marks").click()
    buyer.get_by_role("button", name="Endorse this draft").click()
    expect(buyer.locator("[data-endorsed=yes]")).to_be_visible()
    # the marks reach the instructor's screen without a reload; never a party's points
    expect(page.locator('[data-mark-of="seller:price"]')).to_contain_text("change to Price 3")
    expect(page.locator('[data-mark-of="seller:price"]')).to_contain_text("the price must move")
    expect(page.locator('[data-mark-of="buyer:price"]')).to_have_text("endorsed")
    expect(buyer.locator("#view-middle")).not_to_contain_text("the price must move")
    page.set_viewport_size(PHONE)
    shot(page, "instructor-facilitator-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "instructor-facilitator-1280")
    # the revised draft; both endorse it: the deal
    pick(page, REVISED)
    page.get_by_role("button", name="Post the revised draft").click()
    for p in parties:
        expect(p.locator("#draft")).to_contain_text("Draft #2")
    expect(seller.locator("#draft")).to_contain_text("worth 1,150 points to you")
    seller.get_by_role("button", name="Endorse this draft").click()
    buyer.get_by_role("button", name="Endorse this draft").click()
    expect(page.locator("#mid-outcome-title")).to_have_text("Deal reached")
    for p in parties:
        expect(p.locator("#mid-outcome-title")).to_have_text("Deal reached")
    expect(seller.locator("#view-middle")).to_contain_text("You get 1,150 points")
    expect(buyer.locator("#view-middle")).to_contain_text("You get 500 points")
    # the path of drafts on every end screen's chart: one point per draft, in order
    for p in (page, *parties):
        expect(p.locator("#view-middle")).to_contain_text("The path of drafts")
    assert path_on_chart(page, x_role=0) == PATH
    assert path_on_chart(seller, x_role=0) == PATH
    assert path_on_chart(buyer, x_role=1) == [(b, s) for s, b in PATH]
    shot(page, "instructor-facilitator-done-1280")
    for p in parties:
        shot(p, f"party-done-{p.viewport_size['width']}")
    # the debrief's drill-down draws the same path on the outcome chart, drafts in order
    page.goto(server.url + f"/instructor/sessions/{code}")
    expect(page.get_by_role("link", name="View the negotiation of")).to_be_visible()
    row = page.locator("#negotiations tbody tr")
    expect(row).to_contain_text("facilitator: you")
    expect(row).to_contain_text("2 drafts")
    shot(page, "session-trio-row-1280")
    page.set_viewport_size(PHONE)
    shot(page, "session-trio-row-375")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Debrief").click()
    debrief = server.api("GET", f"/instructor/api/sessions/{code}/debrief").json()
    (n,) = debrief["negotiations"]
    drill = page.get_by_label("Drill down into one negotiation")
    # a single text has drafts, not offers: the choice names no offer count
    expect(drill.locator(f'option[value="{n["negotiation_id"]}"]')).not_to_contain_text("offer")
    drill.select_option(n["negotiation_id"])
    expect(page.locator("#path-title")).to_contain_text("Drafts of ")
    rows = page.locator("#path-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Facilitator")
    page.wait_for_function(
        """() => Chart.getChart(document.getElementById('chart-outcomes')).data.datasets
                 .some(d => d._kind === 'path' && d.data.length === 2)"""
    )
    drawn = page.evaluate(
        """() => Chart.getChart(document.getElementById('chart-outcomes')).data.datasets
                 .find(d => d._kind === 'path').data.map(p => [p.x, p.y])"""
    )
    assert [tuple(float(v) for v in xy) for xy in drawn] == PATH
    cells = [
        tuple(float(c.replace(",", "")) for c in r.locator("td").all_inner_texts()[2:4])
        for r in rows.all()
    ]
    assert cells == PATH
    shot(page, "debrief-drafts-1280")
    page.set_viewport_size(PHONE)
    shot(page, "debrief-drafts-375")


def test_a_student_waiting_in_a_mixed_session_reads_what_they_wait_for(server, student, shot):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="test-supply", protocol="mixed", conditions=["single", "single_text"],
        middle="players",
    )  # fmt: skip
    for viewport in (PHONE, None):
        tab = join(student(viewport=viewport), server, code, "Ann")
        expect(tab.locator("#lobby-message")).to_contain_text(
            "two for a direct negotiation, three with a mediator or facilitator"
        )
        shot(tab, f"waiting-{tab.viewport_size['width']}")
        tab.context.close()
