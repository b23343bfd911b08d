"""Accessibility to the letter: axe-core (tests/browser/vendor/axe-core, from the npm registry)
over every page state of the student's and the instructor's screens, at 1280 and 375 px,
failing on any violation of WCAG 2.1 A/AA or axe's best practices.

Each width is one class played through the pages: the student's join page (empty and with its
errors), the lobby, a MESO first offer being built, the offer received, the walk-away dialog,
a chat that overflows, the debrief, the class-over screen; the instructor's login, sessions,
new session (with errors), the live page (empty, playing, a pair's offers), debrief, grades,
projector standings, export, library (with an upload refused), a scenario, the deletion page.
axe is injected into each state (the audit's browser context bypasses the pages' CSP for this
one script); the test lists every violation with its rule, the page state and the nodes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 - the same Chromium
from tests.browser.test_student import ISSUES, MIDDLE, builder, first_mover, incoming_cards
from tests.support import scenario_dict

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WIDTHS = {"1280": {"width": 1280, "height": 900}, "375": {"width": 375, "height": 812}}


class Audit:
    """Runs axe in a page state and keeps what it found."""

    def __init__(self, width: str):
        self.width = width
        self.found: list[str] = []
        self.states: list[str] = []

    def __call__(self, page, state: str) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                   resultTypes: ["violations"]});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ") + " :: " +
                                            (n.failureSummary || "").split("\\n")[1])}));
            }""",
            TAGS,
        )
        self.states.append(state)
        for v in result:
            nodes = "; ".join(v["nodes"][:4])
            self.found.append(
                f"[{self.width}px {state}] {v['id']} ({v['impact']}, {len(v['nodes'])} "
                f"node(s)): {v['help']} -- {nodes}"
            )


def new_page(browser, viewport, **options):
    ctx = browser.new_context(viewport=viewport, bypass_csp=True, **options)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page._errors = errors
    return page


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_state_passes_axe(server, browser, width):
    viewport = WIDTHS[width]
    audit = Audit(width)
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="job-offer", conditions=["meso"], pairing="rounds", student_id="Student number"
    )
    pages = []
    try:
        # ---------------------------------------------------------- the student
        a = new_page(browser, viewport)
        pages.append(a)
        a.goto(f"{server.url}/join/{code}")
        expect(a.locator("#code-found")).to_contain_text("Session found")
        audit(a, "join")
        a.get_by_role("button", name="Join", exact=True).click()
        expect(a.locator("#name-error")).not_to_be_empty()
        audit(a, "join with errors")
        a.get_by_label("Your name").fill("Ana")
        a.get_by_role("button", name="Join", exact=True).click()
        expect(a.get_by_role("heading", name="Waiting for the next round")).to_be_visible()
        audit(a, "lobby")
        b = new_page(browser, viewport)
        pages.append(b)
        b.goto(f"{server.url}/join/{code}")
        b.get_by_label("Your name").fill("Ben")
        b.get_by_role("button", name="Join", exact=True).click()
        expect(b.get_by_role("heading", name="Waiting for the next round")).to_be_visible()

        # ---------------------------------------------------------- the instructor, before play
        i = new_page(browser, viewport, accept_downloads=True)
        pages.append(i)
        i.goto(f"{server.url}/instructor")
        audit(i, "login")
        i.get_by_label("Instructor key").fill(server.key)
        i.get_by_role("button", name="Log in").click()
        expect(i.get_by_role("heading", name="Sessions", exact=True)).to_be_visible()
        audit(i, "sessions")
        i.goto(f"{server.url}/instructor/sessions/new")
        audit(i, "new session")
        i.get_by_role("button", name="Create session").click()
        expect(i.locator("#error-summary")).to_be_visible()
        audit(i, "new session with errors")
        i.goto(f"{server.url}/instructor/sessions/{code}")
        expect(i.locator("#participants tbody tr")).to_have_count(2)
        audit(i, "live, before round 1")
        i.get_by_role("button", name="Start round 1").click()
        expect(i.locator("#negotiations tbody tr")).to_have_count(1)
        audit(i, "live, playing")

        # ---------------------------------------------------------- the student, playing
        first, second = first_mover(a, b)
        for n, issue in enumerate(ISSUES):
            first.get_by_label(f"{issue}, package 1", exact=True).select_option(index=MIDDLE[n])
        suggest = first.get_by_role("button", name="Suggest equivalent package")
        for n in (2, 3):
            suggest.click()
            expect(first.get_by_label(f"Salary, package {n}", exact=True)).not_to_have_value("")
        expect(builder(first).locator("[data-builder-equiv]")).to_contain_text("Equivalent")
        audit(first, "building a MESO offer")
        first.get_by_role("button", name="Send offer").click()
        expect(first.locator("#send-status")).to_contain_text("Offer sent")
        audit(first, "offer sent, partner's turn")
        expect(incoming_cards(second)).to_have_count(3)
        audit(second, "offer received")
        for n in range(12):  # a chat that overflows its box
            second.get_by_role("textbox", name="Message").fill(f"Message number {n} about pay")
            second.get_by_role("button", name="Send", exact=True).click()
            expect(second.get_by_role("log", name="Chat messages")).to_contain_text(
                f"Message number {n} about"
            )
        audit(second, "chat overflowing")
        second.get_by_role("button", name="Walk away").first.click()
        expect(second.get_by_role("dialog")).to_be_visible()
        audit(second, "walk-away dialog")
        second.keyboard.press("Escape")
        # accept package 1: it asks once
        incoming_cards(second).first.get_by_role("button", name="Accept", exact=True).click()
        confirm = second.get_by_role("dialog", name="Accept this package?")
        expect(confirm).to_be_visible()
        audit(second, "accept confirmation")
        confirm.get_by_role("button", name="Yes, accept").click()
        for p in (first, second):
            expect(p.get_by_role("heading", name="Deal reached")).to_be_visible()
        audit(first, "debrief")

        # ---------------------------------------------------------- the instructor, after play
        i.goto(f"{server.url}/instructor/sessions/{code}")
        expect(i.locator("#negotiations tbody tr")).to_have_count(1)
        i.locator("#negotiations tbody button", has_text="Offers").click()
        expect(i.locator("#watch-table")).to_be_visible()
        audit(i, "live, a pair's offers")
        i.keyboard.press("Escape")
        audit(i, "live, after play")
        i.get_by_role("link", name="Debrief").first.click()
        expect(i.locator("#live-status")).to_contain_text("Live")
        audit(i, "debrief")
        i.get_by_role("link", name="Grades").first.click()
        audit(i, "grades")
        i.get_by_role("link", name="Projector view").click()
        audit(i, "projector standings")
        i.goto(f"{server.url}/instructor/sessions/{code}/export")
        audit(i, "export")
        i.goto(f"{server.url}/instructor/scenarios")
        audit(i, "library")
        i.get_by_label("…or paste the JSON", exact=False).count()
        i.locator("details.paste summary").click()
        i.locator("#text").fill('{"id": "broken", "title": 3}')
        i.get_by_role("button", name="Check and add").click()
        expect(i.locator("#error-summary")).to_be_visible()
        audit(i, "upload refused")
        i.goto(f"{server.url}/instructor/scenarios/test-supply")
        audit(i, "scenario (upload)")
        i.goto(f"{server.url}/instructor/scenarios/job-offer")
        audit(i, "scenario (shipped)")
        i.goto(f"{server.url}/instructor/sessions/{code}/delete")
        audit(i, "delete confirmation")
        i.goto(f"{server.url}/instructor/sessions/{code}")
        i.once("dialog", lambda d: d.accept())
        i.get_by_role("button", name="Close session").click()
        expect(i.locator("#closed-note")).to_be_visible()
        audit(i, "live, closed")
        expect(first.get_by_role("heading", name="The class is over")).to_be_visible()
        audit(first, "class over")
        errors = [e for p in pages for e in p._errors]
        assert not errors, errors
    finally:
        for p in pages:
            p.context.close()
    assert len(audit.states) >= 25
    assert not audit.found, "axe found:\n" + "\n".join(audit.found)


def test_the_keyboard_keeps_its_place_and_the_chat_keeps_what_is_typed(server, browser):
    """After Send offer the focus stays on the page (not the body); text typed while the
    previous chat message travels is kept; on a laptop the chat is a few Tabs away (the jump
    links); the focus ring on the console's dark banner is visible against it."""
    code = server.create_session(scenario="job-offer", conditions=["single"])
    pages = []
    try:
        for name in ("Ana", "Ben"):
            p = new_page(browser, WIDTHS["1280"])
            pages.append(p)
            p.goto(f"{server.url}/join/{code}")
            p.get_by_label("Your name").fill(name)
            p.get_by_role("button", name="Join", exact=True).click()
        first, second = first_mover(*pages)
        for n, issue in enumerate(ISSUES):
            first.get_by_label(f"{issue}, package 1", exact=True).select_option(index=MIDDLE[n])
        first.get_by_role("button", name="Send offer").focus()
        first.keyboard.press("Enter")
        expect(first.locator("#send-status")).to_contain_text("Offer sent")
        first.wait_for_function(
            "document.activeElement && document.activeElement !== document.body"
        )
        assert first.evaluate("document.activeElement.id") in ("send-status", "status")

        # the chat: the jump link is there on a laptop, and takes the keyboard to the chat
        first.reload()  # the keyboard starts from the top of the page
        expect(first.locator("#turn-text")).not_to_be_empty()
        path = []
        while first.evaluate("document.activeElement.textContent.trim()") != "Chat":
            first.keyboard.press("Tab")
            path.append(first.evaluate("document.activeElement.textContent.trim().slice(0, 30)"))
            assert len(path) <= 10, f"the chat's jump link is more than 10 Tabs away: {path}"
        first.keyboard.press("Enter")
        expect(first.locator("#chat")).to_be_focused()

        # typed while the previous message travels: kept (the server is slowed for the test)
        box = second.get_by_role("textbox", name="Message")
        box.fill("first message")
        box.press("Enter")
        box.type("second, typed at once")
        expect(second.get_by_role("log", name="Chat messages")).to_contain_text("first message")
        expect(box).to_have_value("second, typed at once")

        # the console's dark banner: the focus ring is white
        i = new_page(browser, WIDTHS["1280"])
        pages.append(i)
        i.goto(f"{server.url}/instructor")
        i.get_by_label("Instructor key").fill(server.key)
        i.get_by_role("button", name="Log in").click()
        i.goto(f"{server.url}/instructor/sessions/{code}")
        i.get_by_role("button", name="Show the join panel").click()  # folded: a pair plays
        i.locator("#projector-btn").focus()
        i.keyboard.press("Shift+Tab")
        i.keyboard.press("Tab")
        outline = i.locator("#projector-btn").evaluate(
            "e => getComputedStyle(e).outlineColor + ' ' + getComputedStyle(e).outlineStyle"
        )
        assert outline == "rgb(255, 255, 255) solid", outline
    finally:
        for p in pages:
            p.context.close()
