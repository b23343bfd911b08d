"""The instructor's scenario page renders an uploaded brief's Markdown with the student page's
sanitiser config (issue 10): tags outside Markdown's short list and every attribute but a link's
are dropped, links other than http(s) keep only their text."""

from __future__ import annotations

import pytest

from tests.support import scenario_dict

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser

HOSTILE = (
    "**Bold** and a [good link](https://example.org/x).\n\n"
    '<img src="/static/nope.png" alt="img-tag">\n\n'
    '<form action="/instructor/logout" method="post"><button>form-button</button></form>\n\n'
    '<p style="position:fixed;top:0" id="styled" class="injected">styled</p>\n\n'
    "[bad link](javascript:alert(1)) <svg><circle r=5></circle></svg>"
)


def test_the_scenario_page_sanitises_an_uploaded_brief_as_strictly_as_the_students_page(
    server, browser
):
    sc = scenario_dict(id="hostile-brief", description=HOSTILE)
    sc["roles"][0]["brief"] = HOSTILE
    assert server.upload(sc).status_code == 201
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/instructor")
    page.get_by_label("Instructor key").fill(server.key)
    page.get_by_role("button", name="Log in").click()
    page.goto(server.url + "/instructor/scenarios/hostile-brief")
    expect(page.locator("[data-markdown].rendered")).to_have_count(3)  # description, 2 briefs
    rendered = page.locator("[data-markdown].rendered").filter(has_text="Bold")
    expect(rendered).to_have_count(2)
    for i in range(2):
        node = rendered.nth(i)
        expect(node.locator("strong")).to_have_text("Bold")
        expect(node.locator("a[href^='https://example.org']")).to_have_attribute(
            "rel", "noopener noreferrer"
        )
        for selector in ("img", "form", "button", "svg", "[style]", "[id]", "[class]"):
            expect(node.locator(selector)).to_have_count(0)
        expect(node.locator("a", has_text="bad link")).to_have_count(0)
        expect(node).to_contain_text("bad link")
    context.close()
    assert not errors, errors
