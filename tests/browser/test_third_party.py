"""Three students in three browser contexts (one phone-sized) play each protocol with a middle
seat to a deal through the page: a mediated negotiation and a single negotiating text."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_instructor import clients, login, page  # noqa: F401 (fixtures)
from tests.browser.test_student import join
from tests.support import Player, scenario_dict

ISSUES = ["Price", "Delivery", "Warranty", "Training"]


def trio(server, student, protocol):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply", protocol=protocol, conditions=[protocol])
    pages = [join(student(), server, code, "Ann"), join(student(), server, code, "Bob"),
             join(student(viewport=PHONE), server, code, "Cy")]  # fmt: skip
    seats = {}
    for p in pages:
        expect(p.locator("#mid-sub")).to_contain_text("You are the")
        sub = p.locator("#mid-sub").inner_text()
        seat = "middle" if re.search(r"You are the (mediator|facilitator)", sub) else None
        if seat is None:
            seat = "seller" if "Seller" in sub.split("·")[0] else "buyer"
        seats[seat] = p
    assert set(seats) == {"seller", "buyer", "middle"}
    return code, seats


def pick(tab: Page, indices: list[int]) -> None:
    for issue, index in zip(ISSUES, indices, strict=True):
        tab.get_by_label(issue, exact=True).select_option(index=index)


def test_a_mediated_negotiation_in_three_browsers(server, student, shot):
    _, s = trio(server, student, "mediated")
    seller, buyer, med = s["seller"], s["buyer"], s["middle"]
    # a party confides, the other writes in private
    seller.get_by_label("Price").check()
    seller.get_by_role("button", name="Confide these issues").click()
    expect(seller.locator("#confide")).to_contain_text("Confided: Price")
    buyer.get_by_role("textbox", name="Message").fill("We need fast delivery")
    buyer.get_by_role("button", name="Send", exact=True).click()
    expect(med.locator("[data-confided=seller]")).to_contain_text("Price 2: 600")
    expect(med.get_by_role("region", name="Private chat with Buyer")).to_contain_text(
        "We need fast delivery"
    )
    expect(seller.get_by_role("region", name="Private chat with the mediator")).not_to_contain_text(
        "fast delivery"
    )
    # an incomplete package is refused with the server's words
    med.get_by_role("button", name="Propose to both").click()
    expect(med.locator("#propose-error")).to_contain_text("Incomplete package")
    pick(med, [3, 2, 2, 2])  # price2, delivery1, warranty1, training1 (index 0 is "choose")
    med.get_by_label("A note to both (optional)").fill("Meet in the middle")
    med.get_by_role("button", name="Propose to both").click()
    shot(med, f"mediator-{med.viewport_size['width']}")
    for p in (seller, buyer):
        expect(p.locator("#proposal-title")).to_have_text("The mediator's proposal #1")
    shot(seller, f"party-{seller.viewport_size['width']}")
    seller.get_by_role("button", name="Accept").click()
    buyer.get_by_label("Your reason (optional, for the mediator only)").fill("fine by us")
    buyer.get_by_role("button", name="Accept").click()
    for p in (seller, buyer, med):
        expect(p.locator("#mid-outcome-title")).to_have_text("Deal reached")
    expect(seller.locator("#view-middle")).to_contain_text("You get 950 points")
    shot(med, f"mediator-done-{med.viewport_size['width']}")


def test_a_single_negotiating_text_in_three_browsers(server, student, shot):
    _, s = trio(server, student, "single_text")
    seller, buyer, fac = s["seller"], s["buyer"], s["middle"]
    pick(fac, [2, 2, 2, 1])
    fac.get_by_role("button", name="Post the draft").click()
    for p in (seller, buyer):
        expect(p.locator("#draft")).to_contain_text("Draft #1")
    seller.get_by_label("Price: keep or change").select_option("price3")
    seller.get_by_label("Price: comment").fill("we need a better price")
    seller.get_by_role("button", name="Send my marks").click()
    expect(fac.locator('[data-mark-of="seller:price"]')).to_contain_text("change to Price 3")
    expect(fac.locator('[data-mark-of="seller:price"]')).to_contain_text("we need a better price")
    buyer.get_by_role("button", name="Endorse this draft").click()
    expect(fac.locator('[data-mark-of="buyer:price"]')).to_have_text("endorsed")
    shot(fac, f"facilitator-{fac.viewport_size['width']}")
    expect(buyer.locator("#view-middle")).not_to_contain_text("we need a better price")
    pick(fac, [4, 2, 2, 1])
    fac.get_by_role("button", name="Post the revised draft").click()
    for p in (seller, buyer):
        expect(p.locator("#draft")).to_contain_text("Draft #2")
        shot(p, f"party-draft2-{p.viewport_size['width']}")
        p.get_by_role("button", name="Endorse this draft").click()
    for p in (seller, buyer, fac):
        expect(p.locator("#mid-outcome-title")).to_have_text("Deal reached")
    expect(fac.locator("#view-middle")).to_contain_text("The path of drafts")


def test_the_instructor_compares_the_protocols_of_a_mixed_session(server, page, clients, shot):  # noqa: F811
    """A session mixing single offers, mediation and a single text (a computer in the middle):
    the session page and the debrief show every condition side by side, with no page error."""
    assert server.upload(scenario_dict()).status_code == 201
    conditions = ["single", "mediated", "single_text"]
    code = server.create_session(
        scenario="test-supply", protocol="mixed", conditions=conditions, middle="computer"
    )
    for n in range(6):
        clients.append(Player(server, server.join(code, f"P{n}")["token"]))
    for p in clients:
        st = p.wait(lambda s: s.get("phase") in ("negotiating", "done"))
        if st["phase"] == "done":  # the partner walked away already
            continue
        neg = st["negotiation"]
        if neg["condition"] == "single_text":
            drafts = p.wait(lambda s: s["negotiation"]["drafts"])["negotiation"]["drafts"]
            p.call("endorse", {"draft_id": drafts[0]["id"]})
        elif neg["condition"] == "mediated":
            props = p.wait(lambda s: s["negotiation"]["proposals"])["negotiation"]["proposals"]
            p.call("answer", {"proposal_id": props[0]["id"], "accept": True})
        else:
            p.call("walk_away", {})
    for p in clients:
        p.wait_phase("done")
    login(page, server)
    page.goto(server.url + f"/instructor/sessions/{code}")
    expect(page.locator("#negotiations tbody tr")).to_have_count(3)
    # a trio's row names who sits in the middle and counts its proposals or drafts, not offers
    med = page.locator("#negotiations tbody tr", has_text="Mediated")
    expect(med).to_contain_text("computer mediator")
    expect(med).to_contain_text(re.compile(r"1 proposal(?!s)"))
    text = page.locator("#negotiations tbody tr", has_text="Single text")
    expect(text).to_contain_text("computer facilitator")
    expect(text).to_contain_text(re.compile(r"1 draft(?!s)"))
    page.get_by_role("link", name="Debrief").click()
    compare = page.locator("#compare")
    for c in ("Single", "ediat", "ext"):
        expect(compare).to_contain_text(re.compile(c, re.I))
    shot(page, "mixed-debrief")
    # every condition its own shape on the charts (a mediated deal a ▼, a single text's a ▶),
    # the same in the legends, the badges and the option table's headers
    page.wait_for_function(
        """() => Chart.getChart(document.getElementById('chart-outcomes')).data.datasets
                 .filter(d => d._kind === 'agreement' && d.data.length).length === 2"""
    )
    marks = page.evaluate(
        """() => Object.fromEntries(Chart.getChart(document.getElementById('chart-outcomes'))
                 .data.datasets.filter(d => d._kind === 'agreement' && d.data.length)
                 .map(d => [d.label.split(':')[1].split('(')[0].trim(),
                            [d.pointStyle, d.pointRotation]]))"""
    )
    assert marks == {"Mediated": ["triangle", 180], "Single text": ["triangle", 90]}, marks
    options = page.locator("#options thead").first
    expect(options).to_contain_text("▼ Mediated")
    expect(options).to_contain_text("▶ Single text")
    expect(options).not_to_contain_text("single_text")
