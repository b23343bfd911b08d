"""Practice through the link: one student alone against a computer counterpart, to the debrief."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_student import MIDDLE, choose, incoming_cards

SLOW = 20_000  # ms: the counterpart thinks 2 to 5 seconds before each move


def test_a_student_practises_against_an_agent_through_the_practice_link(server, student, shot):
    page = student()
    page.goto(f"{server.url}/practice/job-offer?strategy=conceder")
    expect(page.get_by_role("heading", name="Practise: Job Offer")).to_be_visible()
    shot(page, "practice-start")
    page.set_viewport_size({"width": 375, "height": 812})
    shot(page, "practice-start-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Start practising").click()
    expect(page).to_have_url(re.compile(r"/join/\w+$"))
    code = page.url.rsplit("/", 1)[1]
    page.get_by_label("Your name").fill("Ana")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page).to_have_url(re.compile(r"/play\?p=p_\w+$"))
    # paired at once with the computer; whoever moves first, the student's turn comes
    expect(page.locator("#turn-text")).to_contain_text("Your turn", timeout=SLOW)
    if incoming_cards(page).count() == 0:
        choose(page, 1, MIDDLE)
        page.get_by_role("button", name="Send offer").click()
        expect(page.locator("#send-status")).to_contain_text("Offer sent")
        deal = page.get_by_role("heading", name="Deal reached")
        expect(deal.or_(incoming_cards(page).first)).to_be_visible(timeout=SLOW)
    if not page.get_by_role("heading", name="Deal reached").is_visible():
        incoming_cards(page).first.get_by_role("button", name="Accept", exact=True).click()
        page.get_by_role("button", name="Yes, accept").click()  # Accept asks once (issue 13)
    expect(page.get_by_role("heading", name="Deal reached")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("heading", name="Debrief")).to_be_visible()
    expect(page.locator(".debrief-stats")).to_contain_text("Left on the table")
    shot(page, "practice-debrief")
    # the session is an ordinary one: the instructor's export says who the computer was
    parts = server.api("GET", f"/api/sessions/{code}/export/participants.csv").text
    assert ",human,," in parts and ",agent,conceder," in parts
