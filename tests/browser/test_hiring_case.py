"""The seed's own hiring case played in the browser: the hiring manager opens with exactly the
article's packages A, B and C (a MESO of three), the builder calls them equivalent, the
candidate sees three cards and accepts C; the export records the three packages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_student import builder, confirm_accept, incoming_cards, join

pytestmark = pytest.mark.browser

# issue name -> option id (the builder's options read "label · points")
REST = {"Signing bonus": "none", "Start date": "4-weeks", "Training budget": "2k"}
A = {"Salary": "100k", "Remote days": "1-day", "Contract length": "3-years", **REST}
B = {"Salary": "95k", "Remote days": "1-day", "Contract length": "2-years", **REST}
C = {"Salary": "90k", "Remote days": "2-days", "Contract length": "1-year", **REST}
SALARY = {"100k": "$100,000", "95k": "$95,000", "90k": "$90,000"}
CONTRACT = {"3-years": "3-year contract", "2-years": "2-year contract", "1-year": "1-year contract"}


def fill(page: Page, n: int, package: dict[str, str]) -> None:
    for issue, option in package.items():
        page.get_by_label(f"{issue}, package {n}", exact=True).select_option(value=option)


def test_the_managers_a_b_c_opening_is_played_end_to_end(server, student, shot):
    code = server.create_session(scenario="hiring-meso", conditions=["meso"])
    a = join(student(), server, code, "Morgan")
    b = join(student(), server, code, "Casey")
    for p in (a, b):
        expect(p.locator("#turn-text")).to_have_text(re.compile("turn"))
    manager = a if "Your turn" in a.locator("#turn-text").inner_text() else b
    candidate = b if manager is a else a
    expect(manager.locator("#nav-you")).to_contain_text("Hiring manager")
    fill(manager, 1, A)
    for n, package in ((2, B), (3, C)):
        if not manager.get_by_label(f"Salary, package {n}", exact=True).count():
            manager.get_by_role("button", name="Add package").click()
        fill(manager, n, package)
    expect(builder(manager).locator("[data-builder-equiv]")).to_contain_text("Equivalent")
    shot(manager, "hiring-abc", full_page=False)
    manager.get_by_role("button", name="Send offer").click()
    expect(manager.locator("#send-status")).to_contain_text("Offer sent with 3 packages")

    cards = incoming_cards(candidate)
    expect(cards).to_have_count(3)
    for n, package in enumerate((A, B, C)):
        expect(cards.nth(n)).to_contain_text(SALARY[package["Salary"]])
        expect(cards.nth(n)).to_contain_text(CONTRACT[package["Contract length"]])
    cards.nth(2).get_by_role("button", name="Accept", exact=True).click()
    confirm_accept(candidate)
    for p in (manager, candidate):
        expect(p.get_by_role("heading", name="Deal reached")).to_be_visible()

    # the student's debrief chart uses the symbols the instructor's charts use
    styles = candidate.evaluate(
        """() => Object.fromEntries(Chart.getChart(document.querySelector('#outcome canvas'))
            .data.datasets.filter(d => d._kind).map(d => [d._kind,
                d.pointStyle instanceof HTMLCanvasElement ? 'filled star' : d.pointStyle]))"""
    )
    assert (styles["deal"], styles["nash"], styles["noDeal"]) == ("filled star", "crossRot", "rect")

    rows = list(
        csv.DictReader(
            io.StringIO(server.api("GET", f"/api/sessions/{code}/export/offers.csv").text)
        )
    )
    first = [r for r in rows if r["seq"] == "1"]
    assert len(first) == 3
    assert len({r["points_0"] for r in first}) == 1  # one value to the manager
    negs = server.api("GET", f"/api/sessions/{code}/export/negotiations.csv").text
    assert "accepted" in negs
