"""The student's screen, driven through Debian's Chromium: two students, two browser contexts.

Every action goes through the page (accessible names, as a screen reader user would find
them); the server is the real one (tests/support.py). Screenshots land in
artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.support import scenario_dict

ISSUES = ["Salary", "Signing bonus", "Remote work", "Contract", "Start date", "Vacation"]
# option index per issue (0 is "Choose an option…"): a middle package with equivalents
MIDDLE = [3, 3, 3, 2, 2, 2]
# the hiring manager's opening: $96,000, $4,000, 2 remote days, 2 years, 4 weeks, 23 days
OPENING = [3, 2, 3, 2, 2, 2]
PHONE = {"width": 375, "height": 812}
# the policy the server is to send on the student pages
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


# ---------------------------------------------------------------- helpers (through the UI)


def join(page: Page, server, code: str, name: str) -> Page:
    page.goto(f"{server.url}/join/{code}")
    expect(page.get_by_label("Session code")).to_have_value(code)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page).to_have_url(re.compile(r"/play\?p=p_\w+$"))
    return page


def negotiating(*pages: Page) -> None:
    for page in pages:
        expect(page.locator("#turn-text")).to_have_text(re.compile("turn"))


def first_mover(a: Page, b: Page) -> tuple[Page, Page]:
    """(the student whose turn it is, the other one), read from the screens."""
    negotiating(a, b)
    if "Your turn" in a.locator("#turn-text").inner_text():
        return a, b
    expect(b.locator("#turn-text")).to_contain_text("Your turn")
    return b, a


def builder(page: Page):
    return page.get_by_role("region", name="Make an offer")


def choose(page: Page, package: int, indices: list[int]) -> None:
    for issue, index in zip(ISSUES, indices, strict=True):
        page.get_by_label(f"{issue}, package {package}", exact=True).select_option(index=index)


def send_meso(page: Page, packages: int = 3, first: list[int] = MIDDLE) -> None:
    """Package 1 by hand, the others from the server's MESO helper, then Send offer."""
    choose(page, 1, first)
    suggest = page.get_by_role("button", name="Suggest equivalent package")
    for n in range(2, packages + 1):
        suggest.click()
        expect(page.get_by_label(f"Salary, package {n}", exact=True)).not_to_have_value("")
    expect(builder(page).locator("[data-builder-equiv]")).to_contain_text("Equivalent")
    page.get_by_role("button", name="Send offer").click()
    expect(page.locator("#send-status")).to_contain_text(f"Offer sent with {packages} packages")


def top(page: Page, height: int) -> None:
    """A tall desktop window scrolled to the top, nothing focused: for a picture of the page."""
    page.set_viewport_size({"width": 1280, "height": height})
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    page.wait_for_function("window.scrollY === 0")


def incoming_cards(page: Page):
    return page.get_by_role("region", name=re.compile("offer #")).get_by_role("article")


def confirm_accept(page: Page) -> None:
    """Accept asks once: say yes in its dialog."""
    dialog = page.get_by_role("dialog", name="Accept this package?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Yes, accept").click()


def chat(page: Page, text: str) -> None:
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("log", name="Chat messages")).to_contain_text(text)


# ---------------------------------------------------------------- the tests


def test_two_students_play_a_meso_negotiation_to_agreement(server, student, shot):
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    a = join(student(), server, code, "Ana")
    expect(a.get_by_role("heading", name="Waiting for a partner")).to_be_visible()
    expect(a.locator("#lobby-waited")).to_have_text(re.compile(r"^0:0\d$"))
    shot(a, "lobby", full_page=False)
    b = join(student(), server, code, "Ben")
    first, second = first_mover(a, b)
    expect(first.locator("#rule-text")).to_contain_text("Your first offer must be 2–3 packages")

    chat(first, "Hi! Three packages that work equally well for me — pick the one you like.")
    send_meso(first, 3, OPENING)

    # the other side sees three package cards, each with Accept and Counter
    cards = incoming_cards(second)
    expect(cards).to_have_count(3)
    for n in range(3):
        expect(cards.nth(n).get_by_role("button", name="Accept", exact=True)).to_be_enabled()
        expect(cards.nth(n).get_by_role("button", name="Counter", exact=True)).to_be_visible()
    chat(
        second, "Thanks! The package marked best is close. One more remote day and we have a deal?"
    )

    # counter from the package that is best for this side: the builder starts from it
    best = cards.filter(has_text="Best for you").first
    index = int(best.get_attribute("data-package"))
    best.get_by_role("button", name="Counter", exact=True).click()
    expect(builder(second).locator("[data-builder-note]")).to_contain_text(
        f"Countering package {index} of offer 1"
    )
    for issue in ISSUES:
        expect(second.get_by_label(f"{issue}, package 1", exact=True)).not_to_have_value("")
    remote = second.get_by_label("Remote work, package 1", exact=True)
    values = remote.locator("option").evaluate_all("os => os.map(o => o.value)")
    at = values.index(remote.input_value())
    remote.select_option(values[at + 1] if at + 1 < len(values) else values[at - 1])
    top(second, 1500)
    shot(second, "negotiating", full_page=False, docs="negotiating")
    second.get_by_role("button", name="Send offer").click()
    expect(second.locator("#send-status")).to_contain_text("Offer sent with 1 package")

    # the first mover accepts the counter
    card = incoming_cards(first)
    expect(card).to_have_count(1)
    card.get_by_role("button", name="Accept", exact=True).click()
    confirm_accept(first)

    for page in (first, second):
        expect(page.get_by_role("heading", name="Deal reached")).to_be_visible()
        expect(page.get_by_role("heading", name="Debrief")).to_be_visible()
        expect(page.locator(".debrief-stats")).to_contain_text("Left on the table")
    # both see the same joint points (the server's figures)
    joint = [p.locator(".debrief-stats .stat").nth(2).inner_text() for p in (first, second)]
    assert joint[0] == joint[1]
    top(first, 1240)
    shot(first, "debrief", full_page=False, docs="debrief")
    shot(second, "debrief-partner")

    # the counter was recorded as based on that package of offer 1
    r = server.api("GET", f"/api/sessions/{code}/export/offers.csv")
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    first_offer = [row for row in rows if row["seq"] == "1"]
    counter = [row for row in rows if row["seq"] == "2"]
    assert len(first_offer) == 3 and len(counter) == 1
    assert counter[0]["based_on_offer_id"] == first_offer[0]["offer_id"]
    assert counter[0]["based_on_package"] == str(index - 1)


def test_a_reload_mid_negotiation_returns_to_the_same_state(server, student, shot):
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    a = join(student(), server, code, "Ana")
    b = join(student(), server, code, "Ben")
    first, second = first_mover(a, b)
    chat(first, "Hello before the reload")
    send_meso(first, 2)
    expect(incoming_cards(second)).to_have_count(2)
    role = second.locator("#nav-you").inner_text()
    second.get_by_label("Salary, package 1", exact=True).select_option(index=2)

    second.reload()
    expect(second.locator("#nav-you")).to_have_text(role)
    expect(second.locator("#turn-text")).to_have_text(re.compile("Your turn"))
    expect(incoming_cards(second)).to_have_count(2)
    expect(second.get_by_role("log", name="Chat messages")).to_contain_text(
        "Hello before the reload"
    )
    expect(second.locator("#timeline li")).to_have_count(1)
    # the unsent draft survives the reload too
    expect(second.get_by_label("Salary, package 1", exact=True)).not_to_have_value("")
    shot(second, "after-reload")

    # a second tab opened on the same link is the same seat
    tab = second.context.new_page()
    tab.goto(second.url)
    expect(tab.locator("#nav-you")).to_have_text(role)
    expect(incoming_cards(tab)).to_have_count(2)
    # ... and the join page offers to continue in it
    tab.goto(f"{server.url}/join/{code}")
    expect(tab.get_by_role("link", name=re.compile("Continue as"))).to_be_visible()


def test_an_offer_the_server_refuses_shows_its_message(server, student, shot):
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    a = join(student(), server, code, "Ana")
    b = join(student(), server, code, "Ben")
    first, second = first_mover(a, b)
    send = first.get_by_role("button", name="Send offer")

    # two packages far apart in value: not equivalent
    choose(first, 1, MIDDLE)
    choose(first, 2, [1, 1, 1, 1, 1, 1])
    expect(builder(first).locator("[data-builder-equiv]")).to_contain_text("Not equivalent")
    send.click()
    error = first.locator("#send-error")
    expect(error).to_contain_text("equivalent packages may differ by at most 100")
    expect(send).to_have_accessible_description(re.compile("may differ by at most 100"))
    shot(first, "refused-not-equivalent")

    # a single package where the first offer must be a MESO
    first.get_by_role("button", name="Remove package 2").click()
    send.click()
    expect(error).to_contain_text("needs at least 2 packages")
    expect(first.locator("#timeline")).to_contain_text("No offers yet")

    # walking away asks first, and can be taken back
    walk = first.get_by_role("button", name="Walk away", exact=True)
    walk.click()
    dialog = first.get_by_role("dialog", name="Walk away from this negotiation?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Keep negotiating").click()
    expect(dialog).to_be_hidden()
    walk.click()
    dialog.get_by_role("button", name="Yes, walk away").click()
    expect(first.get_by_role("heading", name="No deal")).to_be_visible()
    expect(first.locator("#outcome")).to_contain_text("You walked away")
    expect(second.locator("#outcome")).to_contain_text(
        f"{'Ana' if first is a else 'Ben'} walked away"
    )
    expect(second.get_by_role("heading", name="Debrief")).to_be_visible()


def test_the_join_page_explains_a_wrong_code_and_a_missing_name(server, student):
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    page = student()
    page.goto(server.url + "/")
    page.get_by_label("Session code").fill("ZZZZZZ")
    page.get_by_label("Your name").fill("Ana")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_label("Session code")).to_have_accessible_description(
        re.compile("no session with this code")
    )
    page.get_by_label("Session code").fill(code.lower())
    expect(page.locator("#code-found")).to_contain_text("Job Offer")
    page.get_by_label("Your name").fill("   ")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator("#name-error")).to_have_text("Enter your name.")
    page.get_by_label("Your name").fill("Ana")
    page.get_by_label("Your name").press("Enter")
    expect(page).to_have_url(re.compile(r"/play\?p=p_\w+$"))
    expect(page.get_by_role("heading", name="Waiting for a partner")).to_be_visible()


def test_a_name_and_a_chat_message_with_html_appear_as_text(server, student, shot):
    # a short time limit: the countdown is urgent (the last minute) from the start
    code = server.create_session(scenario="job-offer", conditions=["any"], time_limit_s=50)
    name = '<img src=x onerror="window.pwned=1"><b>Eve</b>'
    text = "<script>window.pwned=2</script><i>hi</i> & <a href=javascript:alert(1)>x</a>"
    dialogs: list[str] = []
    a = student()
    a.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    join(a, server, code, name)
    b = join(student(), server, code, "Ben")
    negotiating(a, b)

    expect(b.locator("#status-time")).to_have_class(re.compile("status-urgent"))
    expect(b.locator("#time-note")).to_contain_text("Less than a minute left")
    expect(b.locator("#partner-name")).to_have_text(name)
    expect(b.locator("#neg-sub")).to_contain_text(name)
    chat(a, text)
    log = b.get_by_role("log", name="Chat messages")
    expect(log).to_contain_text(text)
    expect(log).to_contain_text(name)
    for page in (a, b):
        assert page.locator("#main img, #main b, #main i, #main script, #chat-log a").count() == 0
        assert page.evaluate("window.pwned") is None
    expect(a.locator("#nav-you")).to_contain_text(name)
    assert dialogs == []
    shot(b, "html-as-text")


def test_the_negotiation_is_playable_at_375px(server, student, shot):
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    a = join(student(**phone), server, code, "Ana")
    b = join(student(**phone), server, code, "Ben")
    first, second = first_mover(a, b)

    def fits(page: Page) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide at {PHONE['width']}px"

    fits(first)
    shot(first, "phone-negotiating")
    send_meso(first, 2)
    cards = incoming_cards(second)
    expect(cards).to_have_count(2)
    fits(second)
    shot(second, "phone-offer-received")
    chat(second, "Package 1 works for me.")
    cards.nth(0).get_by_role("button", name="Accept", exact=True).tap()
    # one tap does not end it: the dialog asks once
    expect(second.get_by_role("dialog", name="Accept this package?")).to_be_visible()
    second.get_by_role("button", name="Yes, accept").tap()
    for page in (first, second):
        expect(page.get_by_role("heading", name="Deal reached")).to_be_visible()
        fits(page)
    shot(second, "phone-debrief")


def test_an_offer_can_be_built_and_sent_with_the_keyboard_alone(server, student, shot):
    code = server.create_session(scenario="job-offer", conditions=["any"])
    a = join(student(), server, code, "Ana")
    b = join(student(), server, code, "Ben")
    first, second = first_mover(a, b)
    kb = first.keyboard

    def focused() -> str:
        return first.evaluate(
            "() => { const e = document.activeElement;"
            " return ((e && (e.getAttribute('aria-label') || e.textContent)) || '').trim(); }"
        )

    def tab_to(name: str, limit: int = 60) -> None:
        for _ in range(limit):
            kb.press("Tab")
            if focused() == name:
                return
        pytest.fail(f"Tab never reached {name!r}; last focus: {focused()!r}")

    first.locator("body").focus()
    tab_to("Salary, package 1")
    for n, issue in enumerate(ISSUES):
        assert focused() == f"{issue}, package 1"
        for _ in range(MIDDLE[n]):
            kb.press("ArrowDown")
        if n < len(ISSUES) - 1:
            kb.press("Tab")
    expect(first.get_by_label("Vacation, package 1", exact=True)).not_to_have_value("")
    expect(first.locator("[data-total='0'] [data-value]")).to_contain_text("pts")
    tab_to("Send offer")
    shot(first, "keyboard-focus-on-send", full_page=False)
    kb.press("Enter")
    expect(first.locator("#send-status")).to_contain_text("Offer sent with 1 package")

    # the partner accepts with the keyboard too
    expect(incoming_cards(second)).to_have_count(1)
    second.locator("body").focus()
    for _ in range(40):
        second.keyboard.press("Tab")
        if second.evaluate("document.activeElement.textContent.trim()") == "Accept":
            break
    second.keyboard.press("Enter")
    # the confirmation opens on "Keep negotiating"; Tab to "Yes, accept"
    expect(second.get_by_role("dialog", name="Accept this package?")).to_be_visible()
    expect(second.get_by_role("button", name="Keep negotiating").last).to_be_focused()
    second.keyboard.press("Tab")
    expect(second.get_by_role("button", name="Yes, accept")).to_be_focused()
    second.keyboard.press("Enter")
    expect(second.get_by_role("heading", name="Deal reached")).to_be_visible()


def test_a_lost_connection_shows_a_banner_and_reconnects_by_itself(server, student):
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    a = join(student(), server, code, "Ana")
    b = join(student(), server, code, "Ben")
    first, second = first_mover(a, b)
    send_meso(first, 2)
    expect(incoming_cards(second)).to_have_count(2)

    server.kill()
    banner = second.locator("#conn-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Reconnecting")
    server.start()
    expect(banner).to_be_hidden(timeout=20_000)
    expect(second.locator("#turn-text")).to_have_text(re.compile("Your turn"))
    expect(incoming_cards(second)).to_have_count(2)
    # and the page works again: the partner's presence comes back
    expect(second.locator("#partner-note")).to_contain_text("Connected", timeout=20_000)


def test_two_tabs_of_one_browser_hold_two_seats_and_each_reload_keeps_its_own(server, student):
    # a demonstration: one browser may take several seats only where the session says so
    code = server.create_session(scenario="job-offer", conditions=["meso"], multiple_seats=True)
    one = join(student(), server, code, "Tab One")
    expect(one.get_by_role("heading", name="Waiting for a partner")).to_be_visible()

    # a second tab of the same browser opens the join link: the seat it holds comes first ...
    two = one.context.new_page()
    two.goto(f"{server.url}/join/{code}")
    expect(two.get_by_role("link", name="Continue as Tab One")).to_be_focused()
    expect(two.get_by_label("Your name")).to_be_hidden()
    expect(two.get_by_role("button", name="Join", exact=True)).to_have_count(0)
    # ... and a second seat is an explicit choice, worded as one
    two.get_by_role("button", name="Join as a new participant").click()
    expect(two.get_by_label("Your name")).to_be_focused()
    expect(two.locator("#new-seat-note")).to_contain_text("Your seat as Tab One stays")
    two.get_by_label("Your name").fill("Tab Two")
    two.get_by_role("button", name="Join as a new participant").click()
    expect(two).to_have_url(re.compile(r"/play\?p=p_\w+$"))
    assert two.url != one.url

    # the two seats are paired with each other
    negotiating(one, two)
    expect(one.locator("#partner-name")).to_have_text("Tab Two")
    expect(two.locator("#partner-name")).to_have_text("Tab One")
    roles = [page.locator("#nav-you").inner_text() for page in (one, two)]
    assert "Tab One" in roles[0] and "Tab Two" in roles[1] and roles[0] != roles[1]

    # each tab's reload returns to that tab's seat
    for page, role in ((one, roles[0]), (two, roles[1]), (one, roles[0])):
        page.reload()
        expect(page.locator("#nav-you")).to_have_text(role)
        expect(page.locator("#turn-text")).to_have_text(re.compile("turn"))

    # /play without a seat in the link opens the seat opened last (Tab One, reloaded last)
    three = one.context.new_page()
    three.goto(f"{server.url}/play")
    expect(three.locator("#nav-you")).to_have_text(roles[0])
    expect(three).to_have_url(one.url)
    # the join page offers both seats
    three.goto(f"{server.url}/join/{code}")
    expect(three.get_by_role("link", name=re.compile("^Continue as"))).to_have_count(2)
    three.get_by_role("link", name="Continue as Tab Two").click()
    expect(three.locator("#nav-you")).to_have_text(roles[1])
    # a link to a seat this browser does not hold says so
    three.goto(f"{server.url}/play?p=p_000000000000")
    expect(three.locator("#fatal")).to_contain_text("This browser has no seat for this link")


def test_screen_readers_hear_offers_presence_and_outcome_and_chat_is_appended(server, student):
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    a = join(student(), server, code, "Ana")
    b = join(student(), server, code, "Ben")
    first, second = first_mover(a, b)
    name, other = ("Ana", "Ben") if first is a else ("Ben", "Ana")
    live = second.locator("#sr-live")

    # the chat log keeps the messages it shows: a new one is appended, nothing is redrawn
    chat(first, "Hello!")
    chat(second, "Hi there.")
    items = second.locator("#chat-log li")
    expect(items).to_have_count(2)
    before = items.element_handles()
    chat(first, "Shall we start?")
    expect(items).to_have_count(3)
    assert second.evaluate(
        "els => els.every((el, i) => el === document.querySelectorAll('#chat-log li')[i])",
        before,
    ), "the chat log rebuilt the messages it already showed"

    # the partner's offer, and whose turn it is now
    send_meso(first, 2)
    expect(live).to_have_text(f"{name} sent offer 1 with 2 packages. Your turn.")

    # the partner's presence
    url = first.url
    first.goto("about:blank")
    expect(live).to_have_text(f"{name} has disconnected.")
    first.goto(url)
    expect(live).to_have_text(f"{name} has connected.")

    # the outcome, on both sides
    incoming_cards(second).nth(0).get_by_role("button", name="Accept", exact=True).click()
    confirm_accept(second)
    expect(first.locator("#sr-live")).to_have_text(
        re.compile(rf"^Deal reached\. {other} accepted your package\. You get [\d,]+ points\.$")
    )
    expect(live).to_have_text(
        re.compile(rf"^Deal reached\. You accepted {name}'s package\. You get [\d,]+ points\.$")
    )


def test_a_brief_keeps_only_plain_formatting(server, student, players):
    evil = (
        "**Read this first.**\n\n"
        "<style>#walk-button, .walk-away { display: none !important }</style>\n\n"
        '<img src="http://127.0.0.1:9/tracker.png" alt="tracker">\n\n'
        '<form action="https://phish.example/login" method="post">'
        "<p>Session expired: log in again</p>"
        '<input name="password" type="password"><button type="submit">Log in</button>'
        "</form>\n\n"
        "[Click for a bonus](javascript:window.pwned=1), [the rules](https://example.org/rules) "
        'and <a href="JavaScript:window.pwned=2">this</a>.\n\n'
        '<p style="display:none" onclick="window.pwned=3">Hidden text</p>\n'
    )
    scenario = scenario_dict(id="evil-brief", description=evil)
    for role in scenario["roles"]:
        role["brief"] = evil
    r = server.upload(scenario)
    assert r.status_code == 201, r.text
    code = server.create_session(scenario="evil-brief", conditions=["any"])
    page = student()
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    join(page, server, code, "Ana")
    players(server, server.join(code, "Ben")["token"])
    negotiating(page)
    page.locator("#brief-case summary").click()

    for box in (page.locator("#brief-body"), page.locator("#case-body")):
        expect(box.locator("strong")).to_have_text("Read this first.")
        expect(box).to_contain_text("Click for a bonus")
        expect(box).to_contain_text("Hidden text")
        for tag in ("style", "img", "form", "input", "button", "[style]", "[onclick]"):
            expect(box.locator(tag)).to_have_count(0)
        hrefs = box.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert hrefs == ["https://example.org/rules"], hrefs
        rules = box.get_by_role("link", name="the rules")
        expect(rules).to_have_attribute("target", "_blank")
        expect(rules).to_have_attribute("rel", "noopener noreferrer")
    expect(page.get_by_role("button", name="Walk away", exact=True)).to_be_visible()
    assert not [u for u in requests if "tracker" in u or "phish" in u], requests
    assert page.evaluate("window.pwned") is None


def test_the_student_pages_work_under_the_content_security_policy(server, student):
    """The whole game with the server's coming CSP added to every page: no violation."""
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    violations: list[str] = []

    def add_csp(route: Route) -> None:
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(
            response=response,
            headers={**response.headers, "content-security-policy": CSP},
        )

    def csp_student() -> Page:
        page = student()
        page.context.route(re.compile(r"^http://127\.0\.0\.1:\d+/(join/|play|$)"), add_csp)
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page

    a = csp_student()
    a.goto(server.url + "/")
    a.get_by_label("Session code").fill(code)
    expect(a.locator("#code-found")).to_contain_text("Job Offer")
    a.get_by_label("Your name").fill("Ana")
    a.get_by_role("button", name="Join", exact=True).click()
    expect(a.get_by_role("heading", name="Waiting for a partner")).to_be_visible()
    b = join(csp_student(), server, code, "Ben")
    first, second = first_mover(a, b)

    chat(first, "Three packages, pick one.")
    send_meso(first, 3)
    cards = incoming_cards(second)
    expect(cards).to_have_count(3)
    cards.nth(1).get_by_role("button", name="Counter", exact=True).click()
    expect(builder(second).locator("[data-builder-note]")).to_contain_text("Countering")
    second.get_by_role("button", name="Send offer").click()
    expect(second.locator("#send-status")).to_contain_text("Offer sent with 1 package")
    expect(second.locator("#incoming-body")).to_contain_text("Your offer")
    incoming_cards(first).first.get_by_role("button", name="Accept", exact=True).click()
    confirm_accept(first)
    for page in (first, second):
        expect(page.get_by_role("heading", name="Debrief")).to_be_visible()
        expect(page.locator("#outcome canvas")).to_be_visible()
    first.reload()
    expect(first.get_by_role("heading", name="Debrief")).to_be_visible()
    first.goto(f"{server.url}/join/{code}")
    expect(first.get_by_role("link", name=re.compile("^Continue as"))).to_be_visible()
    # the meters are drawn with widths (through the CSSOM, which the policy allows)
    assert second.locator("#points-body .meter-fill").first.evaluate("e => e.style.width") != ""

    assert violations == []
    # and the policy was in force: an inline style attribute is refused
    with first.expect_console_message(lambda m: "Content Security Policy" in m.text):
        first.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')")


def test_the_builder_calls_packages_equivalent_as_the_server_does(server, student, players):
    """0.1 + 0.2 against 0.3 with a tolerance of 0: the sums differ in the last bit, and the
    builder, like the server, calls them equivalent (tests/cases/equivalence.json)."""
    both = lambda p: {"seller": p, "buyer": p}  # noqa: E731 - the same points for either role
    issues = [
        {
            "id": "first",
            "name": "First",
            "options": [
                {"id": "f1", "label": "Tenth", "points": both(0.1)},
                {"id": "f3", "label": "Three tenths", "points": both(0.3)},
            ],
        },
        {
            "id": "second",
            "name": "Second",
            "options": [
                {"id": "s2", "label": "Two tenths", "points": both(0.2)},
                {"id": "s0", "label": "Nothing", "points": both(0)},
            ],
        },
    ]
    scenario = scenario_dict(id="tenths", issues=issues, meso_tolerance=0)
    for role in scenario["roles"]:
        role["batna"] = 0
    r = server.upload(scenario)
    assert r.status_code == 201, r.text
    code = server.create_session(scenario="tenths", conditions=["any"])
    page = join(student(), server, code, "Ana")
    players(server, server.join(code, "Ben")["token"])
    negotiating(page)
    equiv = builder(page).locator("[data-builder-equiv]")

    page.get_by_label("First, package 1", exact=True).select_option("f1")
    page.get_by_label("Second, package 1", exact=True).select_option("s2")
    page.get_by_role("button", name="Add package").click()
    page.get_by_label("First, package 2", exact=True).select_option("f3")
    page.get_by_label("Second, package 2", exact=True).select_option("s0")
    expect(equiv.locator(".equiv-verdict")).to_have_text("✓ Equivalent:")
    expect(equiv).to_contain_text("the packages differ by 0 points to you; the limit is 0.")

    # and a real difference is still told: package 2 worth 0.1 instead
    page.get_by_label("First, package 2", exact=True).select_option("f1")
    page.get_by_label("Second, package 2", exact=True).select_option("s0")
    expect(equiv.locator(".equiv-verdict")).to_have_text("✗ Not equivalent:")


def test_on_a_phone_the_verdict_and_send_stay_in_view_while_a_package_is_edited(server, student):
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    a = join(student(**phone), server, code, "Ana")
    b = join(student(**phone), server, code, "Ben")
    first, _ = first_mover(a, b)
    choose(first, 1, MIDDLE)
    suggest = first.get_by_role("button", name="Suggest equivalent package")
    for n in (2, 3):
        suggest.click()
        expect(first.get_by_label(f"Salary, package {n}", exact=True)).not_to_have_value("")
    send = first.get_by_role("button", name="Send offer")
    verdict = builder(first).locator("[data-builder-equiv]")
    for n in (1, 2, 3):
        select = first.get_by_label(f"Salary, package {n}", exact=True)
        select.scroll_into_view_if_needed()
        box = select.bounding_box()
        assert box and 0 <= box["y"] <= PHONE["height"]
        for el in (send, verdict):
            r = el.bounding_box()
            assert r and r["y"] >= 0 and r["y"] + r["height"] <= PHONE["height"] + 1, (n, r)
