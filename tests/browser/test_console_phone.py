"""The instructor console on a phone (375 px) and the End button's race with an agreement.

- A live class on the session page at 375 px (participants waiting, a pair open, a pair agreed,
  one sitting out): no table scrolls sideways, nor the page; each negotiation's Status, Points
  and End, each seat's Remove and each pair's Offers lie within the screen; the tables keep
  their table semantics in Chromium's accessibility tree; Log out in the banner is one line. The
  sessions list and the grades page fit too.
- A pair agrees (real Socket.IO clients) while the console is open: its row says Agreed and its
  End button is gone.
- The race: a pair agrees while the instructor reads End's confirmation (the server answers
  409, nothing to end), or before a frozen console hears of it: a polite "has already ended
  (agreed)", never an error, and the row is refreshed.

Screenshots of the live page at 375 and 1280 px go to docs/img with ``PARLEY_DOCS_IMG=1``.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_instructor import clients, login, pairs_of_round, play  # noqa: F401
from tests.server.helpers import MESO
from tests.support import Player, scenario_dict

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser

MESO_ONE = MESO[0]

# every table and scroll box of a console page: none wider than its box, nor the page
OVERFLOW = """() => {
  const wide = [];
  for (const el of document.querySelectorAll("table, .table-wrap")) {
    if (el.closest("[hidden]") || el.closest("dialog:not([open])")) continue;
    if (el.scrollWidth > el.clientWidth + 1)
      wide.push(`${el.id || el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
  }
  return {wide, page: document.documentElement.scrollWidth};
}"""

# how many lines a node's text takes (its line boxes)
LINES = """(el) => {
  const r = document.createRange();
  r.selectNodeContents(el);
  return new Set([...r.getClientRects()].map((q) => Math.round(q.top))).size;
}"""


def console(student, server, viewport):
    page = student(viewport=viewport, accept_downloads=True)
    login(page, server)
    return page


def fits(page) -> None:
    found = page.evaluate(OVERFLOW)
    assert not found["wide"], found
    assert found["page"] <= page.viewport_size["width"], found


def within(locator, width: int) -> None:
    """The node is shown, and wholly inside the screen's width."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box


def ax_roles(page) -> list[str]:
    """The roles of every node of Chromium's own accessibility tree of the page."""
    cdp = page.context.new_cdp_session(page)
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    return [n["role"]["value"] for n in tree if "role" in n and not n.get("ignored")]


def a_live_class(server, players, page):
    """Five students in a tournament, round 1 started from the console: one pair agrees, one
    plays on, one student sits out; then a sixth arrives and waits."""
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="test-supply", conditions=["single", "meso"], pairing="rounds"
    )
    by_name = {}
    for name in ("Ada", "Ben", "Chloé", "Dev", "Emeka"):
        by_name[name] = Player(server, server.join(code, name)["token"])
        players.append(by_name[name])
    page.goto(f"{server.url}/instructor/sessions/{code}")
    expect(page.locator("#participants tbody tr")).to_have_count(5)
    page.get_by_role("button", name="Start round 1").click()
    expect(page.locator("#negotiations tbody tr")).to_have_count(2)
    negs = server.api("GET", f"/api/sessions/{code}").json()["negotiations"]
    ((first, second),) = pairs_of_round([by_name[n] for n in negs[0]["names"]], 1)
    play(first, second)
    expect(page.locator("#negotiations tbody tr.neg-agreed")).to_have_count(1)
    players.append(Player(server, server.join(code, "Farah")["token"]))
    expect(page.locator("#participants tbody tr")).to_have_count(6)
    return code


def test_the_live_page_fits_a_phone_with_every_action_in_reach(server, student, clients, shot):  # noqa: F811
    page = console(student, server, PHONE)
    code = a_live_class(server, clients, page)
    width = PHONE["width"]
    expect(page.locator("#standings tbody tr")).to_have_count(2)
    fits(page)

    # the open pair's row: its status, points and End on the screen, without scrolling sideways
    open_row = page.locator("#negotiations tbody tr.neg-open")
    for cell in ("Status", "Points"):
        within(open_row.locator(f'td[data-label="{cell}"]'), width)
    within(open_row.get_by_role("button", name="End the negotiation"), width)
    within(open_row.get_by_role("button", name="Offers of"), width)
    agreed = page.locator("#negotiations tbody tr.neg-agreed")
    within(agreed.locator('td[data-label="Points"]'), width)
    expect(agreed.locator('td[data-label="Status"]')).to_contain_text("Agreed")
    expect(agreed.get_by_role("button", name="End the negotiation")).to_have_count(0)
    # the late arrival can be removed; who sat out says so
    farah = page.locator("#participants tbody tr", has_text="Farah")
    within(farah.get_by_role("button", name="Remove seat"), width)
    expect(page.locator("#participants tbody")).to_contain_text("Sat out round 1")
    within(page.locator("#standings tbody tr").first.locator('td[data-label="Points"]'), width)

    # still a table to a screen reader: Chromium keeps the rows and cells of the cards
    roles = ax_roles(page)
    assert roles.count("table") >= 3, roles
    rows = page.locator("table.data tbody tr").count()
    assert roles.count("row") >= rows
    assert "columnheader" in roles and ("cell" in roles or "gridcell" in roles)

    # Log out in the banner stays on one line
    logout = page.get_by_role("button", name="Log out")
    within(logout, width)
    assert logout.evaluate(LINES) == 1

    # a pair's offers open in a window that fits too
    open_row.get_by_role("button", name="Offers of").click()
    expect(page.locator("#watch")).to_be_visible()
    fits(page)
    within(page.locator("#watch-close"), width)
    shot(page, "phone offers", full_page=False)
    page.keyboard.press("Escape")
    shot(page, "phone live")
    page.evaluate("document.activeElement.blur()")
    page.mouse.move(0, 0)
    page.locator("#negotiations-title").evaluate("e => e.scrollIntoView()")
    shot(page, "phone negotiations", full_page=False, docs="instructor-session-phone")

    # the sessions list and the grades page fit the phone too
    page.goto(f"{server.url}/instructor/sessions")
    mine = page.locator("#sessions tbody tr", has_text=code)
    expect(mine).to_have_count(1)
    fits(page)
    within(mine.get_by_role("link", name=f"Grades of {code}"), width)
    within(mine.get_by_role("link", name=f"Delete {code}"), width)
    shot(page, "phone sessions")
    page.goto(f"{server.url}/instructor/sessions/{code}/grades")
    expect(page.locator("#grades tbody tr")).to_have_count(6)
    fits(page)
    shot(page, "phone grades")

    # and so does every other page of the console
    page.goto(f"{server.url}/instructor/sessions/{code}/debrief")
    expect(page.locator("#compare tbody tr").first).to_be_visible()
    for details in page.locator("details.data-details summary").all():
        details.click()  # the charts' tables opened
    expect(page.locator("#outcomes-table tbody tr")).to_have_count(1)
    fits(page)
    within(page.locator('#compare tbody tr td[data-label="MESO first offers"]').first, width)
    shot(page, "phone debrief")
    for path, ready in (
        (f"sessions/{code}/export", "#export-tables tbody tr"),
        (f"sessions/{code}/projector", "main h1"),
        (f"sessions/{code}/delete", "#delete-session"),
        ("sessions/new", "#error-summary, form"),
        ("scenarios", "main h1"),
        ("scenarios/test-supply", ".points-table"),
        ("questionnaires", "main h1"),
    ):
        page.goto(f"{server.url}/instructor/{path}")
        expect(page.locator(ready).first).to_be_visible()
        fits(page)
    within(page.get_by_role("button", name="Log out"), width)


def test_on_a_laptop_the_live_page_is_the_same_table(server, student, clients, shot):  # noqa: F811
    page = console(student, server, DESKTOP)
    a_live_class(server, clients, page)
    # the table's header row is shown; no cell carries a phone label
    expect(page.locator("#negotiations thead th").first).to_be_visible()
    label = page.locator('#negotiations td[data-label="Status"]').first.evaluate(
        "e => getComputedStyle(e, '::before').content"
    )
    assert label in ("none", "normal"), label
    fits(page)
    shot(page, "desktop live")
    page.locator("#negotiations-title").evaluate("e => e.scrollIntoView()")
    shot(page, "desktop negotiations", full_page=False, docs="instructor-negotiations")


# ---------------------------------------------------------------- End and an agreement


def a_pair(server, players, page):
    """Two students paired on arrival, the console open on their open row with End in it."""
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply", conditions=["single"])
    page.goto(f"{server.url}/instructor/sessions/{code}")
    expect(page.locator("#live-status")).to_contain_text("Live")
    for name in ("Ann", "Bob"):
        players.append(Player(server, server.join(code, name)["token"]))
    a, b = players
    a.wait_phase("negotiating")
    b.wait_phase("negotiating")
    first, second = (a, b) if a.neg["turn"] == a.neg["role"] else (b, a)
    row = page.locator("#negotiations tbody tr")
    expect(row.get_by_role("button", name="End the negotiation")).to_be_visible()
    # the first offer and a counter: the accept is one call away
    opening = first.call("propose", {"packages": [MESO_ONE]})
    assert opening["ok"], opening
    second.wait(lambda s: len(s["negotiation"]["offers"]) == 1)
    counter = second.call("propose", {"packages": [MESO_ONE]})
    assert counter["ok"], counter
    return row, first, counter["offer_id"]


def test_end_goes_the_moment_a_pair_agrees(server, student, clients):  # noqa: F811
    page = console(student, server, DESKTOP)
    row, first, offer_id = a_pair(server, clients, page)
    # right after the console's update showing the counter (the throttled push has just gone),
    # the pair agrees: the row says so and its End button goes. That the news comes at the next
    # tick, not with the throttled push a second later, is proved on no clock by
    # tests/unit/test_handlers.py (the loop driven tick by tick, the throttled push never due).
    page.wait_for_function(
        "() => document.querySelector('#negotiations tbody td:nth-child(5)')?.textContent === '2'",
        polling="raf",
    )
    assert first.call("accept", {"offer_id": offer_id, "package": 0})["ok"]
    expect(row).to_have_class(re.compile(r"\bneg-agreed\b"))
    expect(row.locator('td[data-label="Status"]')).to_contain_text("Agreed")
    expect(row.get_by_role("button", name="End the negotiation")).to_have_count(0)


def test_end_pressed_as_the_pair_agrees_says_so_politely(server, student, clients):  # noqa: F811
    """The instructor reads End's confirmation while the pair agrees: the server answers 409
    (nothing to end), and the console says the negotiation has already ended, not an error."""
    page = console(student, server, PHONE)
    row, first, offer_id = a_pair(server, clients, page)
    asked = []

    def meanwhile_they_agree(dialog):
        asked.append(dialog.message)
        assert first.call("accept", {"offer_id": offer_id, "package": 0})["ok"]
        dialog.accept()

    page.once("dialog", meanwhile_they_agree)
    with page.expect_response(lambda r: r.url.endswith("/end")) as answer:
        row.get_by_role("button", name="End the negotiation").click()
    assert answer.value.status == 409
    assert asked and "End the negotiation of" in asked[0]
    status = page.locator("#action-status")
    expect(status).to_contain_text("has already ended (agreed): nothing to end")
    expect(status).not_to_have_class(re.compile("is-error"))
    expect(row.locator('td[data-label="Status"]')).to_contain_text("Agreed")
    expect(row.get_by_role("button", name="End the negotiation")).to_have_count(0)


def test_end_on_a_row_the_console_has_not_refreshed(server, student, clients):  # noqa: F811
    """The console's updates are held back (its WebSocket frames intercepted) while the pair
    agrees: End on the stale row asks no confirmation, says the pair has already ended and
    redraws the row at once."""
    page = console(student, server, DESKTOP)
    hold = {"on": False, "held": []}

    def route(ws):
        srv = ws.connect_to_server()
        ws.on_message(lambda m: srv.send(m))

        def down(m):
            if hold["on"] and '"session"' in str(m):
                hold["held"].append(m)
            else:
                ws.send(m)

        srv.on_message(down)

    page.route_web_socket(re.compile(r"/socket\.io/"), route)
    row, first, offer_id = a_pair(server, clients, page)
    expect(row.locator('td[data-label="Offers"]')).to_have_text("2")
    hold["on"] = True
    assert first.call("accept", {"offer_id": offer_id, "package": 0})["ok"]
    expect(row).to_have_class(re.compile(r"\bneg-open\b"))  # the console has not heard
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    row.get_by_role("button", name="End the negotiation").click()
    status = page.locator("#action-status")
    expect(status).to_have_text(
        re.compile(
            r"The negotiation of (Ann and Bob|Bob and Ann) has already ended \(agreed\): "
            r"nothing to end\."
        )
    )
    expect(status).not_to_have_class(re.compile("is-error"))
    expect(row).to_have_class(re.compile(r"\bneg-agreed\b"))
    expect(row.get_by_role("button", name="End the negotiation")).to_have_count(0)
    expect(row.get_by_role("button", name="Offers of")).to_be_focused()  # not the page's body
    assert asked == []
    assert hold["held"], "no update was held back: the race was not forced"
