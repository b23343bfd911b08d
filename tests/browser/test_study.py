"""The online study's flow in a real browser: a panel's link with PROLIFIC_PID, consent,
questions before and right after the negotiation (the debrief hidden until they are
answered), the debrief, the last questions and the completion code with its redirect; one
participant on a phone-sized screen, the other on a desktop. A reload keeps the answers."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_instructor import login

BEFORE = {
    "id": "test-before",
    "title": "Before you start",
    "pages": [
        {"items": [
            {"id": "age", "kind": "number", "text": "Your age", "min": 16, "max": 99,
             "integer": True, "required": True},
            {"id": "goal", "kind": "single", "text": "What matters most?",
             "options": [{"id": "points", "label": "My points"},
                         {"id": "fair", "label": "A fair deal"}]},
        ]},
    ],
}  # fmt: skip
AFTER = {
    "id": "test-after",
    "title": "About your counterpart",
    "pages": [
        {"items": [
            {"id": "coop", "kind": "likert", "text": "My counterpart was cooperative.",
             "points": 7, "anchors": {"1": "Strongly disagree", "7": "Strongly agree"},
             "required": True, "scale": "cooperativeness"},
            {"id": "check", "kind": "attention", "text": "Choose Blue.", "required": True,
             "options": [{"id": "red", "label": "Red"}, {"id": "blue", "label": "Blue"}],
             "expected": "blue"},
        ]},
        {"items": [
            {"id": "trust", "kind": "slider", "text": "How much did you trust them?",
             "min": 0, "max": 100, "step": 10},
            {"id": "note", "kind": "long_text", "text": "Anything else?"},
        ]},
    ],
}  # fmt: skip
DEBRIEF = {
    "id": "test-debrief",
    "title": "After the debrief",
    "pages": [{"items": [{"id": "learned", "kind": "text", "text": "One word", "required": True}]}],
}


def study_session(server) -> str:
    for q in (BEFORE, AFTER, DEBRIEF):
        r = server.api("POST", "/api/questionnaires", json=q)
        assert r.status_code == 201, r.text
    return server.create_session(
        scenario="job-offer",
        conditions=["any"],
        study={
            "consent": "This is a **study** about negotiation. You may stop at any time.",
            "entry_param": "PROLIFIC_PID",
            "completion_code": "CX42TEST",
            "redirect_url": "https://example.org/complete?cc=CX42TEST",
            "questionnaires": {
                "before": ["test-before"],
                "after": ["test-after"],
                "debrief": ["test-debrief"],
            },
        },
    )


def enter_and_consent(page: Page, server, code: str, pid: str) -> None:
    page.goto(f"{server.url}/study/{code}?PROLIFIC_PID={pid}")
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    expect(page.locator("strong", has_text="study")).to_be_visible()  # the Markdown, rendered
    page.get_by_role("button", name="I agree to take part").click()
    expect(page.get_by_text("Your age")).to_be_visible()


def answer_before(page: Page, *, leave_open_first: bool = False) -> None:
    if leave_open_first:  # a required item left open: a clear message, the page stays
        page.get_by_role("button", name="Finish").click()
        expect(page.locator("#form-error")).to_have_text(
            "Please answer every required question: Your age."
        )
    page.get_by_label("Your age").fill("34")
    page.get_by_label("Your age").blur()
    page.get_by_label("A fair deal").check()
    page.get_by_role("button", name="Finish").click()
    expect(page).to_have_url(re.compile(r"/play\?p=p_\w+$"))


def answer_after(page: Page) -> None:
    expect(page.get_by_role("heading", name="About your counterpart")).to_be_visible()
    page.locator("#q-coop-6").check()
    page.get_by_label("Blue").check()
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    page.get_by_label("Anything else?").fill("It went well.")
    page.get_by_role("button", name="Finish").click()


def test_consent_to_completion_code_on_a_phone_and_a_desktop(server, student, shot):
    code = study_session(server)
    desk = student(DESKTOP)
    phone = student(PHONE)
    enter_and_consent(desk, server, code, "PANEL-DESK")
    shot(desk, "consent-given-desktop")
    # a reload keeps the answers given so far
    desk.get_by_label("Your age").fill("41")
    desk.get_by_label("Your age").blur()
    expect(desk.locator("#err-age")).to_have_text("")
    desk.reload()
    expect(desk.get_by_label("Your age")).to_have_value("41")
    answer_before(desk)
    expect(desk.get_by_role("heading", name="Waiting for a partner")).to_be_visible()

    phone.goto(f"{server.url}/study/{code}?PROLIFIC_PID=PANEL-PHONE")
    expect(phone.get_by_role("button", name="I agree to take part")).to_be_visible()
    shot(phone, "consent-phone", docs="study-consent")
    phone.get_by_role("button", name="I agree to take part").click()
    shot(phone, "questions-before-phone", docs="study-questions")
    answer_before(phone, leave_open_first=True)

    # paired: one walks away, the quickest end
    walk = desk.get_by_role("button", name="Walk away", exact=True)
    walk.click()
    desk.get_by_role("dialog").get_by_role("button", name="Yes, walk away").click()

    # right after the end: the questions, before any debrief
    for page in (desk, phone):
        expect(page).to_have_url(re.compile(r"/study/"))
        expect(page.get_by_role("heading", name="About your counterpart")).to_be_visible()
    shot(phone, "questions-after-phone")
    shot(desk, "questions-after-desktop")
    answer_after(desk)
    answer_after(phone)

    for page in (desk, phone):
        expect(page).to_have_url(re.compile(r"/play\?p="))
        expect(page.locator("#outcome")).to_contain_text("walked away")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="After the debrief")).to_be_visible()
        page.get_by_label("One word").fill("patience")
        page.get_by_role("button", name="Finish").click()
        expect(page.get_by_role("heading", name="Thank you: you are done")).to_be_visible()
        expect(page.locator("#completion-code")).to_have_text("CX42TEST")
        expect(page.get_by_role("link", name="Return to the study's website")).to_have_attribute(
            "href", "https://example.org/complete?cc=CX42TEST"
        )
    shot(phone, "complete-phone", docs="study-complete")
    shot(desk, "complete-desktop")

    # coming back with the same id: the same seat, at its end page
    again = student(PHONE)
    again.goto(f"{server.url}/study/{code}?PROLIFIC_PID=PANEL-PHONE")
    expect(again.locator("#completion-code")).to_have_text("CX42TEST")

    # the instructor: each participant's stage, and the scales by condition in the debrief
    console = student(DESKTOP)
    login(console, server)
    console.goto(f"{server.url}/instructor/sessions/{code}")
    expect(console.locator("#participants")).to_contain_text("id PANEL-PHONE")
    expect(console.locator("#participants")).to_contain_text("Completed")
    # both finished: online, but nobody waits to be paired
    expect(console.locator('[data-stat="connected"]').first).to_have_text("2")
    expect(console.locator('[data-stat="waiting"]').first).to_have_text("0")
    shot(console, "console-stages", docs="instructor-study-stages")
    console.goto(f"{server.url}/instructor/sessions/{code}/debrief")
    panel = console.get_by_role("region", name="Questionnaire scales by condition")
    expect(panel).to_contain_text("cooperativeness")
    expect(panel).to_contain_text("recipients of the first offer")
    expect(panel.locator("tbody tr").first).to_contain_text("6")
    shot(console, "debrief-scales", docs="instructor-study-scales")

    r = server.api("GET", f"/api/sessions/{code}/export/participants.csv")
    rows = r.text.splitlines()
    assert len(rows) == 3 and all(",completed," in row for row in rows[1:]), rows
    responses = server.api("GET", f"/api/sessions/{code}/export/responses.csv").text
    assert "test-after,after,coop,likert,cooperativeness,6," in responses


def test_declining_consent_ends_politely(server, student):
    code = study_session(server)
    page = student(PHONE)
    page.goto(f"{server.url}/study/{code}?PROLIFIC_PID=NO-THANKS")
    page.get_by_role("button", name="I do not agree").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("Nothing more is recorded")).to_be_visible()


def test_a_link_without_the_participant_id_says_so(server, student):
    code = study_session(server)
    page = student(DESKTOP)
    page.goto(f"{server.url}/study/{code}")
    expect(page.locator("#fatal-text")).to_contain_text(
        "missing your participant id (PROLIFIC_PID)"
    )


def test_the_console_takes_questionnaires_and_study_settings(server, student, shot):
    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = student(size)
        login(page, server)
        page.get_by_role("link", name="Questionnaires").click()
        expect(page.get_by_role("heading", name="Questionnaires", exact=True)).to_be_visible()
        expect(page.get_by_text("after-negotiation · shipped · 3 pages · 16 items")).to_be_visible()
        page.get_by_text("…or paste the JSON").click()
        bad = {"id": f"broken-{name}", "title": "Broken", "pages": [{"items": [
            {"id": "a", "kind": "slider", "text": "How much?", "min": 10, "max": 0}]}]}  # fmt: skip
        page.get_by_label("Questionnaire JSON").fill(json.dumps(bad, indent=2))
        page.get_by_role("button", name="Check and add").click()
        summary = page.locator("#error-summary")
        expect(summary).to_contain_text("pages[0].items[0].max")
        expect(summary).to_contain_text("must be greater than min (10)")
        shot(page, f"questionnaire-refused-{name}")
        page.goto(f"{server.url}/instructor/sessions/new")
        page.get_by_label("Run this session as a study", exact=False).check()
        expect(page.get_by_label("Participant id parameter in the URL")).to_be_visible()
        shot(page, f"new-session-study-{name}")
    listed = {q["id"] for q in server.api("GET", "/api/questionnaires").json()}
    assert not {"broken-phone", "broken-desktop"} & listed
