"""The post-settlement phase on the student's screen: two students reach a deal, improve it,
and see both deals on the debrief chart (Debian's Chromium, the real server).

Job offer, option indices per issue (1 = the first option):
MIDDLE (3,3,3,2,2,2) is worth (7400, 6800) to (hiring manager, candidate): the first deal;
BETTER (2,5,5,1,1,2) is worth (8600, 8000): better for both;
WORSE (1,1,2,4,4,4) is worth (6800, 3200): worse for both.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_student import ISSUES, MIDDLE, first_mover, join, top
from tests.support import Player

BETTER = [2, 5, 5, 1, 1, 2]
WORSE = [1, 1, 2, 4, 4, 4]
DEAL = {"Hiring manager": 7400, "Candidate": 6800}
IMPROVED = {"Hiring manager": 8600, "Candidate": 8000}


def choose(page: Page, indices: list[int]) -> None:
    for issue, index in zip(ISSUES, indices, strict=True):
        page.get_by_label(f"{issue}, package 1", exact=True).select_option(index=index)


def role(page: Page) -> str:
    return page.locator("#nav-you").inner_text().split(" · ")[-1]


def phase(page: Page):
    return page.get_by_role("region", name="Deal reached: now look for a better one")


def test_two_students_reach_a_deal_improve_it_and_see_both_on_the_debrief(server, student, shot):
    code = server.create_session(
        scenario="job-offer", conditions=["single"],
        post_settlement={"time_limit_s": 600, "max_offers": 4},
    )  # fmt: skip
    a = join(student(), server, code, "Ana")
    b = join(student(), server, code, "Ben")
    first, second = first_mover(a, b)
    choose(first, MIDDLE)
    first.get_by_role("button", name="Send offer").click()
    card = second.get_by_role("region", name=re.compile("offer #")).get_by_role("article")
    card.get_by_role("button", name="Accept", exact=True).click()
    second.get_by_role("button", name="Yes, accept").click()  # Accept asks once (issue 13)

    # the deal stands; both see the phase's explanation and the deal in force
    for page in (first, second):
        region = phase(page)
        expect(region).to_be_visible()
        expect(region).to_contain_text("Nothing changes unless the other side accepts")
        expect(region.locator("[data-pss-deal]")).to_contain_text(f"{DEAL[role(page)]:,}")
        expect(page.locator("#turn-text")).to_have_text("▶ Either of you")
        expect(page.get_by_role("button", name="Close and keep the deal")).to_be_enabled()

    # the builder warns when a proposal is worth less to its proposer than the deal
    proposer, answerer = second, first
    builder = proposer.get_by_role("region", name="Propose a change")
    choose(proposer, WORSE)
    expect(builder.locator("[data-pss-warn]")).to_contain_text("less to you than the deal in force")
    choose(proposer, BETTER)
    expect(builder.locator("[data-pss-warn]")).to_have_count(0)
    proposer.get_by_role("button", name="Send proposal").click()
    expect(proposer.locator("#send-status")).to_contain_text("Proposal sent with 1 package")
    expect(proposer.locator("#turn-text")).to_contain_text("answer")

    # the other side sees its own points against the deal (never the proposer's), and accepts
    region = phase(answerer)
    mine, deal = IMPROVED[role(answerer)], DEAL[role(answerer)]
    expect(region.get_by_role("article")).to_contain_text(f"{mine:,}")
    expect(region.get_by_role("article")).to_contain_text(
        f"{mine - deal:,} more than the deal in force"
    )
    heading = region.get_by_role("article").get_by_role("heading")
    expect(heading).to_have_text(f"Package 1 of proposal 1, worth {mine:,} points to you")
    top(answerer, 1500)
    shot(answerer, "post-settlement", full_page=False, docs="post-settlement")
    region.get_by_role("button", name="Accept this package").click()
    dialog = answerer.get_by_role("dialog", name="Accept this package?")
    expect(dialog).to_contain_text("becomes the deal in force")
    dialog.get_by_role("button", name="Yes, accept").click()
    for page in (first, second):
        expect(phase(page).locator("[data-pss-deal]")).to_contain_text(f"{IMPROVED[role(page)]:,}")

    # either closes: the improved deal stands, and the debrief draws the path
    first.get_by_role("button", name="Close and keep the deal").click()
    for page in (first, second):
        expect(page.get_by_role("heading", name="Deal reached", exact=True)).to_be_visible()
        expect(page.locator(".outcome-points")).to_have_text(f"{IMPROVED[role(page)]:,}")
        expect(page.locator(".debrief-points")).to_contain_text("you improved it 1 time")
        canvas = page.locator("#outcome canvas")
        expect(canvas).to_be_visible()
        labels = page.wait_for_function(
            "() => { const c = document.querySelector('#outcome canvas');"
            " const ch = c && window.Chart && window.Chart.getChart(c);"
            " return ch ? ch.data.datasets.map(d => [d.label, d.data.length]) : null; }"
        ).json_value()
        got = dict(labels)
        assert got["First deal"] == 1 and got["Final deal"] == 1
        assert got["Path to the final deal"] == 2
    top(first, 1240)
    shot(first, "post-settlement-debrief", full_page=False, docs="post-settlement-debrief")


def test_the_phase_is_usable_at_375px(server, student, shot):
    code = server.create_session(scenario="job-offer", conditions=["single"], protocol="pss")
    a = join(student(viewport=PHONE), server, code, "Ana")
    b = join(student(viewport=PHONE), server, code, "Ben")
    first, second = first_mover(a, b)
    choose(first, MIDDLE)
    first.get_by_role("button", name="Send offer").click()
    card = second.get_by_role("region", name=re.compile("offer #")).get_by_role("article")
    card.get_by_role("button", name="Accept", exact=True).click()
    second.get_by_role("button", name="Yes, accept").click()  # Accept asks once (issue 13)
    choose(first, BETTER)
    first.get_by_role("button", name="Send proposal").click()
    region = phase(second)
    expect(region.get_by_role("button", name="Decline")).to_be_visible()
    width = second.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways: {width}px"
    shot(second, "post-settlement-375")
    region.get_by_role("button", name="Decline").click()
    expect(phase(first)).to_contain_text("declined")
    second.get_by_role("button", name="Close and keep the deal").click()
    expect(first.locator(".outcome-points")).to_have_text(f"{DEAL[role(first)]:,}")
    expect(first.locator("#outcome")).to_contain_text("the first deal stands")


def test_the_instructors_debrief_shows_the_phase_by_condition(server, browser, shot):
    """Two pairs over Socket.IO (one improves its deal, one keeps it); the debrief's table by
    condition and the outcome chart's paths from first to final deal."""
    from tests.browser.test_instructor import login
    from tests.server.helpers import pair_in, pkg
    from tests.support import scenario_dict

    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="test-supply", conditions=["single", "any"], protocol="pss"
    )
    opened = []
    for names, improve in ((("Ann", "Bob"), True), (("Cy", "Di"), False)):
        pair = pair_in(server, lambda s, t: opened.append(Player(s, t)) or opened[-1], code, names)
        oid = pair.seller.call("propose", {"packages": [pkg(2, 1, 0, 0)]})["offer_id"]
        assert pair.buyer.call("accept", {"offer_id": oid, "package": 0})["ok"]
        if improve:
            p1 = pair.seller.call("propose", {"packages": [pkg(3, 1, 2, 1)]})["offer_id"]
            assert pair.buyer.call("accept", {"offer_id": p1, "package": 0})["ok"]
        assert pair.buyer.call("close_phase", {})["ok"]
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        login(page, server)
        page.goto(server.url + f"/instructor/sessions/{code}/debrief")
        panel = page.get_by_role("region", name="After the deal: the post-settlement phase")
        page.wait_for_load_state("networkidle")
        assert not errors, errors
        expect(panel).to_be_visible()
        rows = panel.locator("tbody tr")
        expect(rows).to_have_count(3)  # single, any, all
        expect(rows.last).to_contain_text("All")
        cells = rows.last.locator("td")
        expect(cells.nth(0)).to_have_text("2")  # deals
        expect(cells.nth(1)).to_have_text("1")  # improved
        expect(cells.nth(5)).to_have_text("300.00")  # joint gain: (200 + 400 + 0) / 2 pairs
        paths = page.wait_for_function(
            "() => { const c = Chart.getChart(document.getElementById('chart-outcomes'));"
            " return c && c.data.datasets.filter(d => d._kind === 'settlement')"
            ".reduce((s, d) => s + d.data.filter(Boolean).length, 0); }"
        ).json_value()
        assert paths == 4  # two pairs, a first and a final deal each
        shot(page, "instructor-debrief-pss", docs="instructor-post-settlement")
        assert not errors, errors
    finally:
        page.close()
        for p in opened:
            p.close()
